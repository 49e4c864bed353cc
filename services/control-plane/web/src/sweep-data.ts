/** A sweep's compare rows as chart points, and the metrics a report offers. Pure functions. */
import type { SweepCompare, SweepPoint } from './types.js';
import { meanCi } from './stats.js';

const LOCK_FIELDS = ['conPercent', 'utilPercent', 'waitMeanNs', 'holdMeanNs', 'waitCpuPercent', 'contentions', 'acquisitions'];

/** Metrics a sweep can be charted by: each lock's main figures and the workload's numbers. */
export function metricsOf(report: { locks: { name: string }[]; workload: Record<string, unknown> }): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(report.workload)) if (typeof v === 'number') out.push(`workload.${k}`);
  for (const l of report.locks.slice(0, 40)) for (const f of LOCK_FIELDS) out.push(`locks.${l.name}.${f}`);
  return out;
}

/** Rows grouped into chart points: x from one parameter, the series from the others, replicates summarised. */
export function sweepPoints(rows: SweepCompare['rows'], metric: string, x: string): SweepPoint[] {
  const groups = new Map<string, { x: number | string; series: string; values: number[] }>();
  for (const r of rows) {
    const v = r.values[metric];
    if (typeof v !== 'number' || !r.params) continue;
    const others = Object.entries(r.params).filter(([k]) => k !== x && k !== 'replicate');
    const series = others.length ? others.map(([k, val]) => `${k}=${typeof val === 'string' ? val : JSON.stringify(val)}`).join(' ') : metric;
    const xv = r.params[x] as number | string;
    const key = `${series}\u0000${JSON.stringify(xv)}`;
    const g = groups.get(key) ?? { x: xv, series, values: [] };
    g.values.push(v);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => {
      const s = meanCi(g.values);
      return { x: g.x, series: g.series, mean: s.mean, lo: s.lo, hi: s.hi, n: s.n };
    })
    .sort((a, b) => a.series.localeCompare(b.series) || (typeof a.x === 'number' && typeof b.x === 'number' ? a.x - b.x : String(a.x).localeCompare(String(b.x))));
}
