/** Sweep grids: the cartesian product of `--set` keys, each combination run `replicates` times. */
import { NumasimError, type Report } from '@numasim/shared';
import { ApiErrors } from '../errors.js';

export type Grid = Record<string, unknown[]>;

export interface GridPoint {
  /** The grid values of this child, by key, plus `replicate`. */
  params: Record<string, unknown>;
  replicate: number;
}

export function gridSize(grid: Grid, replicates: number): number {
  return Object.values(grid).reduce((n, vs) => n * vs.length, 1) * replicates;
}

export function expandGrid(grid: Grid, replicates: number, limit: number): GridPoint[] {
  const keys = Object.keys(grid);
  for (const k of keys) {
    if (grid[k].length === 0) throw new NumasimError(ApiErrors.BODY_INVALID, `grid.${k}: must list at least one value`, [{ path: `grid.${k}`, reason: 'must list at least one value' }]);
  }
  const size = gridSize(grid, replicates);
  if (size > limit) {
    throw new NumasimError(ApiErrors.LIMIT_EXCEEDED, `the sweep has ${size} runs; this service allows at most ${limit} (NUMASIM_MAX_SWEEP_RUNS)`, [
      { path: 'grid', reason: `${size} runs, at most ${limit} allowed` },
    ]);
  }
  let combos: Record<string, unknown>[] = [{}];
  for (const k of keys) combos = combos.flatMap((c) => grid[k].map((v) => ({ ...c, [k]: v })));
  const out: GridPoint[] = [];
  for (const c of combos) for (let r = 0; r < replicates; r++) out.push({ params: { ...c, replicate: r }, replicate: r });
  return out;
}

/**
 * A value from a report by dotted path. `locks.<name>.<field>` picks the lock named <name> (names
 * may contain dots); everything else walks objects and array indexes.
 */
export function metricValue(report: unknown, path: string): number | string | undefined {
  const segs = path.split('.');
  let cur: unknown = report;
  for (let i = 0; i < segs.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (segs[i] === 'locks' && Array.isArray((cur as { locks?: unknown }).locks)) {
      const locks = (cur as { locks: { name: string }[] }).locks;
      let found = false;
      for (let j = segs.length - 1; j > i; j--) {
        const name = segs.slice(i + 1, j + 1).join('.');
        const lock = locks.find((l) => l.name === name);
        if (lock) {
          cur = lock;
          i = j;
          found = true;
          break;
        }
      }
      if (!found) return undefined;
      continue;
    }
    cur = (cur as Record<string, unknown>)[segs[i]];
  }
  return typeof cur === 'number' || typeof cur === 'string' ? cur : undefined;
}

/** Metrics compared by default: each lock's CON, UTIL, mean wait and hold, and the workload's throughput. */
export function defaultMetrics(report: Pick<Report, 'locks' | 'workload'> | undefined): string[] {
  if (!report) return [];
  const out: string[] = [];
  for (const l of report.locks.slice(0, 8)) for (const f of ['conPercent', 'utilPercent', 'waitMeanNs', 'holdMeanNs']) out.push(`locks.${l.name}.${f}`);
  const workload = report.workload as unknown as Record<string, unknown>;
  for (const f of ['operationsPerSecond', 'completionNs']) if (typeof workload[f] === 'number') out.push(`workload.${f}`);
  return out;
}
