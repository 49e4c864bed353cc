/**
 * The sweep file `numasim sweep --out` writes and `numasim compare`/`numasim plot` read: the
 * sweep's definition and every run's parameters, seed and report.
 */
import type { Report } from '../report/types.js';
import type { Grid } from './grid.js';
import { metricValue } from './metric.js';

export const SWEEP_FILE_KIND = 'numasim-sweep';
export const SWEEP_FILE_VERSION = 1;

export interface SweepRun {
  /** Grid values of this run plus `replicate`. */
  params: Record<string, unknown>;
  seed: number;
  report: Report;
}

export interface SweepFile {
  kind: typeof SWEEP_FILE_KIND;
  schemaVersion: typeof SWEEP_FILE_VERSION;
  /** What the sweep varied from: a preset name or a file, and the --set overrides applied to every run. */
  base: { input: string; preset: string | null; set: string[] };
  grid: Grid;
  replicates: number;
  runs: SweepRun[];
}

export function isSweepFile(doc: unknown): doc is SweepFile {
  return typeof doc === 'object' && doc !== null && (doc as { kind?: unknown }).kind === SWEEP_FILE_KIND && Array.isArray((doc as { runs?: unknown }).runs);
}

/** `key=value key2=value2`: the name of a group of runs. */
export function groupName(params: Record<string, unknown>, keys: readonly string[]): string {
  return keys.map((k) => `${k}=${String(params[k])}`).join(' ');
}

export interface RunGroup {
  key: string;
  params: Record<string, unknown>;
  values: Record<string, number[]>;
}

/**
 * Runs grouped by the values of `keys` (replicates and any other parameters pooled), in the order
 * first seen, with each metric's numbers collected per group.
 */
export function groupRuns(runs: readonly { params: Record<string, unknown>; report: unknown }[], keys: readonly string[], metrics: readonly string[]): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const run of runs) {
    const key = groupName(run.params, keys);
    let g = groups.get(key);
    if (!g) {
      g = { key, params: Object.fromEntries(keys.map((k) => [k, run.params[k]])), values: Object.fromEntries(metrics.map((m) => [m, [] as number[]])) };
      groups.set(key, g);
    }
    for (const m of metrics) {
      const v = metricValue(run.report, m);
      if (typeof v === 'number' && Number.isFinite(v)) g.values[m].push(v);
    }
  }
  return [...groups.values()];
}
