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
 * Events a window must hold for two threads to beat one (README "Parallel execution"): a barrier
 * and the mailbox traffic cost ≈ 30–60 µs of wall time per window on this kind of machine, an
 * event ≈ 0.2–0.7 µs, so below a few thousand events per window the threads spend more time
 * meeting than working.
 */
export const AUTO_MIN_EVENTS_PER_WINDOW = 4000;

/** The `auto` rule: packed over the cores when windows are big enough to pay for the barriers, else inline. */
export function chooseAuto(a: AutoInputs): Placement {
  if (a.nodes < 2 || a.cores < 2 || a.eventsPerWindow < AUTO_MIN_EVENTS_PER_WINDOW) return { kind: 'inline', threads: 0 };
  return { kind: 'packed', threads: Math.min(a.cores, a.nodes) };
}

/** The placement a config asks for, without running anything (auto stays auto). */
export function requestedPlacement(cfg: WorkloadConfig): Placement {
  return parsePlacement((cfg as { placement?: string }).placement, (cfg as { nodes: number }).nodes);
}
