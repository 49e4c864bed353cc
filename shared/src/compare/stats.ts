/**
 * Summary statistics and Welch's two-sample t-test, as benchmark comparisons report them: the
 * sample standard deviation (n − 1), the coefficient of variation in percent, and a two-sided p
 * from Student's t distribution with the Welch–Satterthwaite degrees of freedom.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (divides by n − 1); 0 for a single value. */
  stddev: number;
  /** stddev / |mean| × 100; 0 when every value is 0. */
  cv: number;
  min: number;
  max: number;
}

export interface WelchResult {
  t: number;
  df: number;
  /** Two-sided p-value; NaN when either sample has fewer than two values. */
  p: number;
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) return { n: 0, mean: NaN, stddev: NaN, cv: NaN, min: NaN, max: NaN };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  const stddev = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
  const cv = mean === 0 ? (stddev === 0 ? 0 : Infinity) : (100 * stddev) / Math.abs(mean);
  return { n, mean, stddev, cv, min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Welch's t-test of a against b. Two samples without any spread are a special case the formula
 * cannot take (0/0): equal means give p = 1, different means p = 0 — a deterministic simulation
 * whose metric does not move with the seed differs exactly or not at all.
 */
export function welch(a: readonly number[], b: readonly number[]): WelchResult {
  const sa = summarize(a);
  const sb = summarize(b);
  if (sa.n < 2 || sb.n < 2) return { t: NaN, df: NaN, p: NaN };
  const va = sa.stddev ** 2 / sa.n;
  const vb = sb.stddev ** 2 / sb.n;
  const diff = sa.mean - sb.mean;
  if (va + vb === 0) {
    return diff === 0 ? { t: 0, df: sa.n + sb.n - 2, p: 1 } : { t: diff > 0 ? Infinity : -Infinity, df: sa.n + sb.n - 2, p: 0 };
  }
  const t = diff / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (sa.n - 1) + vb ** 2 / (sb.n - 1));
  const p = Math.min(1, 2 * tCdf(-Math.abs(t), df));
  return { t, df, p };
}

/**
 * Student's t quantile: the t with P(T ≤ t) = p for `df` degrees of freedom, found by bisection
 * on the distribution function (monotone, so 200 halvings of a wide bracket pin it to far below
 * the precision a chart or a table shows).
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return Number.NaN;
  let lo = -1e6;
  let hi = 1e6;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Half the width of the two-sided confidence interval of a sample's mean at `level` (0.95: the
 * mean ± this covers the true mean 95% of the time): t(1 − (1 − level)/2, n − 1) × s / √n.
 * NaN with fewer than two values, where a sample says nothing about its spread.
 */
export function meanConfidenceHalfWidth(values: readonly number[], level = 0.95): number {
  const s = summarize(values);
  if (s.n < 2) return Number.NaN;
  return tQuantile(1 - (1 - level) / 2, s.n - 1) * (s.stddev / Math.sqrt(s.n));
}
