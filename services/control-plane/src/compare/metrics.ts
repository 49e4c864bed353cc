/**
 * Metrics of a comparison: dotted report paths (`locks.bench_lock.conPercent`,
 * `workload.operationsPerSecond`). A path that names no number in any compared report is refused,
 * naming it and the nearest paths that do name one, so a typo never reads as "no data".
 */
import { NumasimError, type FieldIssue, type Report } from '@numasim/shared';
import { ApiErrors } from '../errors.js';
import { metricValue } from '../sweeps/grid.js';

/** Paths to numbers in a report, for suggestions; locks by name, arrays by index, at most `cap`. */
export function numericPaths(report: unknown, cap = 20_000): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (out.length >= cap || depth > 8) return;
    if (typeof v === 'number') {
      out.push(path);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      const named = path === 'locks';
      v.forEach((item, i) => walk(item, `${path}.${named ? (item as { name: string }).name : i}`, depth + 1));
      return;
    }
    for (const [k, child] of Object.entries(v)) walk(child, path === '' ? k : `${path}.${k}`, depth + 1);
  };
  walk(report, '', 0);
  return out;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The few candidates closest to `wanted`, closest first. */
export function nearest(wanted: string, candidates: readonly string[], n = 3): string[] {
  return candidates
    .map((c) => ({ c, d: editDistance(wanted, c) }))
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, n)
    .map((x) => x.c);
}

/** Why `metric` is no number in any of `reports`, or undefined when some report has a number there. */
function metricProblem(metric: string, reports: readonly Report[]): string | undefined {
  let text: string | undefined;
  for (const r of reports) {
    const v = metricValue(r, metric);
    if (typeof v === 'number') return undefined;
    if (typeof v === 'string') text = v;
  }
  if (text !== undefined) return `is text (${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}), not a number`;
  const suggestions = reports.length > 0 ? nearest(metric, numericPaths(reports[0])) : [];
  return `names no number in the report${suggestions.length ? `; nearest: ${suggestions.join(', ')}` : ''}`;
}

/**
 * Throws NUMASIM_ERR_API_METRIC_UNKNOWN naming every metric that is a number in none of
 * `reports`. With no reports yet (nothing finished) there is nothing to check against.
 */
export function checkMetrics(metrics: readonly string[], reports: readonly Report[], field = 'querystring.metrics'): void {
  if (reports.length === 0) return;
  const issues: FieldIssue[] = [];
  for (const m of metrics) {
    const problem = metricProblem(m, reports);
    if (problem) issues.push({ path: field, reason: `${JSON.stringify(m)} ${problem}` });
  }
  if (issues.length > 0) {
    throw new NumasimError(ApiErrors.METRIC_UNKNOWN, `${field}: ${issues.map((i) => i.reason).join('; ')}`, issues);
  }
}

/** A comma-separated list from the query string: trimmed, empty items dropped, duplicates kept once. */
export function commaList(text: string | undefined): string[] {
  if (text === undefined) return [];
  return [...new Set(text.split(',').map((x) => x.trim()).filter(Boolean))];
}
