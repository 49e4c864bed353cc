/** A sweep's compare rows as plot points for the shared chart builder, and the metrics a report offers. Pure functions. */
import type { PlotPoint } from './shared-modules.js';
import type { SweepCompare } from './types.js';

const LOCK_FIELDS = ['conPercent', 'utilPercent', 'waitMeanNs', 'holdMeanNs', 'waitCpuPercent', 'contentions', 'acquisitions'];

/** Metrics a sweep can be charted by: each lock's main figures and the workload's numbers. */
export function metricsOf(report: { locks: { name: string }[]; workload: Record<string, unknown> }): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(report.workload)) if (typeof v === 'number') out.push(`workload.${k}`);
  for (const l of report.locks.slice(0, 40)) for (const f of LOCK_FIELDS) out.push(`locks.${l.name}.${f}`);
  return out;
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * One point per run that has a number at `metric`: x from the parameter `x`, the series from the
 * other grid parameters (`series` names them for the legend; absent when there are none). With
 * one other parameter a series is its value, with several `k=v` pairs.
 */
export function plotPoints(rows: SweepCompare['rows'], metric: string, x: string, keys: readonly string[]): { points: PlotPoint[]; series?: string } {
  const others = keys.filter((k) => k !== x);
  const points: PlotPoint[] = [];
  for (const r of rows) {
    const v = r.values[metric];
    const xv = r.params?.[x];
    if (typeof v !== 'number' || xv === undefined || xv === null) continue;
    const series = others.length === 1 ? show(r.params?.[others[0]]) : others.map((k) => `${k}=${show(r.params?.[k])}`).join(' ');
    points.push({ x: typeof xv === 'number' || typeof xv === 'boolean' ? xv : String(xv), y: v, ...(others.length ? { series } : {}) });
  }
  return others.length ? { points, series: others.join(', ') } : { points };
}
