/**
 * Sweep grids: the cartesian product of workload keys, each combination run `replicates` times
 * with its own seed. The control plane and the CLI expand grids and derive seeds here, so a sweep
 * gives the same runs whichever of them runs it.
 */
import { createHash } from 'node:crypto';

export type Grid = Record<string, readonly unknown[]>;

export interface GridPoint {
  /** The grid values of this point, by key, plus `replicate`. */
  params: Record<string, unknown>;
  replicate: number;
}

export function gridSize(grid: Grid, replicates: number): number {
  return Object.values(grid).reduce((n, vs) => n * vs.length, 1) * replicates;
}

/** Every combination of the grid's values (first key varies slowest), each `replicates` times. */
export function gridPoints(grid: Grid, replicates: number): GridPoint[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const k of Object.keys(grid)) combos = combos.flatMap((c) => grid[k].map((v) => ({ ...c, [k]: v })));
  const out: GridPoint[] = [];
  for (const c of combos) for (let r = 0; r < replicates; r++) out.push({ params: { ...c, replicate: r }, replicate: r });
  return out;
}

/** Seed of replicate r of a sweep: r = 0 keeps the base seed; others are derived from (seed, r), reproducibly. */
export function replicateSeed(seed: number, r: number): number {
  if (r === 0) return seed;
  const h = createHash('sha256').update(`numasim-replicate/${seed}/${r}`).digest();
  return h.readUIntBE(0, 6); // 48 bits: a safe integer
}
