/**
 * Placements: which thread runs which node. `inline` runs every node on the calling thread;
 * `threads` gives each node a worker thread; `packed:K` spreads the nodes over K workers in
 * contiguous blocks (nodes 0…3 on one thread and 4…7 on the next, for 8 nodes on packed:2), K
 * capped at the node count. `auto` picks one of these by the rule in `chooseAuto`.
 */
import { NumasimError, type WorkloadConfig } from '@numasim/shared';
import { EngineErrors } from '../errors.js';

export type PlacementKind = 'inline' | 'threads' | 'packed' | 'auto';

export interface Placement {
  kind: PlacementKind;
  /** Worker threads (0 for inline; for auto, decided later). */
  threads: number;
}

export function parsePlacement(value: string | undefined, nodes: number): Placement {
  const v = value ?? 'auto';
  if (v === 'inline') return { kind: 'inline', threads: 0 };
  if (v === 'auto') return { kind: 'auto', threads: 0 };
  if (v === 'threads') return { kind: 'threads', threads: nodes };
  const m = /^packed:([1-9][0-9]*)$/.exec(v);
  if (!m) throw new NumasimError(EngineErrors.NODE_THREADS, `placement must be inline, threads, packed:K or auto (got ${JSON.stringify(v)})`, [{ path: 'placement', reason: 'unknown placement' }]);
  return { kind: 'packed', threads: Math.min(Number(m[1]), nodes) };
}

/** Thread of each node for `threads` workers: contiguous blocks, so neighbours share a thread. */
export function threadOfNodes(nodes: number, threads: number): number[] {
  return Array.from({ length: nodes }, (_, n) => Math.floor((n * threads) / nodes));
}

/** What `auto` is decided from: the model's size and the machine running it. */
export interface AutoInputs {
  nodes: number;
  cores: number;
  /** Mean events per lookahead window of the whole model, measured on a short inline pilot. */
  eventsPerWindow: number;
}

/**
 * Events a window (counted by the pilot) must hold before `auto` packs the nodes on threads
 * (docs/PARALLEL.md). A barrier costs 30–100 µs of wall time, but on a shared 2-core
 * machine the larger cost is a woken thread waiting for a core: measured, packed:2 ran at 0.8× inline
 * with ~7 000 events per window and at 0.9–1.5× with ~34 000, so below this inline is as fast or faster.
 */
export const AUTO_MIN_EVENTS_PER_WINDOW = 16_000;

/**
 * Below this lookahead `auto` runs inline without a pilot: every NUMA preset's lookahead is
 * 0.6–2.4 µs, and even the densest model measured (lockbench-spread, 33 events per simulated µs)
 * puts fewer than 1 700 events in a 50 µs window, far from AUTO_MIN_EVENTS_PER_WINDOW. Skipping the
 * pilot matters: it builds a second copy of the model, which for numaq-64-kernbench costs as much as
 * a one-second run.
 */
export const AUTO_MIN_LOOKAHEAD_NS = 50_000;

/** The `auto` rule: packed over the cores when windows are big enough to pay for the barriers, else inline. */
export function chooseAuto(a: AutoInputs): Placement {
  if (a.nodes < 2 || a.cores < 2 || a.eventsPerWindow < AUTO_MIN_EVENTS_PER_WINDOW) return { kind: 'inline', threads: 0 };
  return { kind: 'packed', threads: Math.min(a.cores, a.nodes) };
}

/** The placement a config asks for, without running anything (auto stays auto). */
export function requestedPlacement(cfg: WorkloadConfig): Placement {
  return parsePlacement((cfg as { placement?: string }).placement, (cfg as { nodes: number }).nodes);
}
