/** Plot points and a subtitle from a sweep's runs: the values of one metric, placed by parameter. */
import { metricValue } from '../sweep/metric.js';
import type { PlotPoint, PlotSpread } from './spec.js';

export function plotPointsFromRuns(
  runs: readonly { params: Record<string, unknown> | null | undefined; report: unknown }[],
  metric: string,
  x: string,
  series?: string,
): PlotPoint[] {
  const out: PlotPoint[] = [];
  for (const run of runs) {
    const v = run.report ? metricValue(run.report, metric) : undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const xv = run.params?.[x];
    if (xv === undefined || xv === null) continue;
    out.push({ x: typeof xv === 'number' || typeof xv === 'boolean' ? xv : String(xv), ...(series ? { series: String(run.params?.[series]) } : {}), y: v });
  }
  return out;
}

/**
 * What the chart holds fixed, for its subtitle: the base (preset or file and its overrides), the
 * other grid parameters' values, and how many replicates each point averages.
 */
export function sweepSubtitle(sweep: { base?: string; set?: readonly string[]; grid: Record<string, readonly unknown[]>; replicates: number }, shown: readonly string[], spread: PlotSpread = 'stddev'): string[] {
  const fixed = [
    ...(sweep.base ? [sweep.base] : []),
    ...(sweep.set ?? []),
    ...Object.entries(sweep.grid)
      .filter(([k]) => !shown.includes(k))
      .map(([k, vs]) => `${k}=${vs.map(String).join('|')}`),
  ];
  const lines = fixed.length > 0 ? [fixed.join(', ')] : [];
  const around = spread === 'ci95' ? 'with the 95% confidence interval of the mean' : '; error bars ±1 standard deviation';
  lines.push(sweep.replicates > 1 ? `mean of ${sweep.replicates} replicates per point (different seeds)${spread === 'ci95' ? ' ' : ''}${around}` : 'one run per point');
  return lines;
}
