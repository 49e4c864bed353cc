/** Replicates summarised for the sweep chart: mean and a 95% confidence interval of the mean. */

/** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom; 1.96 beyond. */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export interface MeanCi {
  n: number;
  mean: number;
  stddev: number;
  /** Bounds of the 95% interval; equal to the mean with one value. */
  lo: number;
  hi: number;
}

export function meanCi(values: number[]): MeanCi {
  const n = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / n;
  if (n < 2) return { n, mean, stddev: 0, lo: mean, hi: mean };
  const stddev = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = (T95[n - 2] ?? 1.96) * (stddev / Math.sqrt(n));
  return { n, mean, stddev, lo: mean - half, hi: mean + half };
}
