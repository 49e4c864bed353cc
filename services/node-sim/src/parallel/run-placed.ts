/**
 * The entry point that honours `placement`: inline on the calling thread, or on node workers.
 * `auto` decides from the lookahead and, when that is long enough, a short inline pilot of the
 * same model (placement.ts has the rule).
 */
import { availableParallelism } from 'node:os';
import type { MachineConfig, WorkloadConfig } from '@numasim/shared';
import { Topology } from '../machine/topology.js';
import { buildModel, runWorkloadWithSeries, type RunOutput } from '../run/run-workload.js';
import { AUTO_MIN_LOOKAHEAD_NS, chooseAuto, requestedPlacement, type Placement } from './placement.js';
import { runWorkloadParallel, type ParallelOptions, type ParallelStats } from './run-parallel.js';

export interface PlacedRunOutput extends RunOutput {
  /** The placement used: inline, or packed:K / threads with K workers. */
  placement: string;
  parallel?: ParallelStats;
}

/** Lookahead windows the pilot simulates at most, and events it handles at most. */
const PILOT_WINDOWS = 2000;
const PILOT_EVENTS = 100_000;

/** Mean events per lookahead window over the first windows of the run, inline. */
export function pilotEventsPerWindow(cfg: WorkloadConfig): number {
  const model = buildModel(cfg, 'heap');
  const L = model.kernel.lookaheadNs;
  if (!Number.isFinite(L)) return 0;
  const handled = model.kernel.runUntil(Math.min(cfg.durationNs, PILOT_WINDOWS * L), PILOT_EVENTS);
  return (handled * L) / Math.max(model.kernel.now, L);
}

export function resolvePlacement(cfg: WorkloadConfig): Placement {
  const p = requestedPlacement(cfg);
  if (p.kind !== 'auto') return p;
  const nodes = (cfg as { nodes: number }).nodes;
  if (nodes < 2 || availableParallelism() < 2) return { kind: 'inline', threads: 0 };
  if (new Topology(cfg as unknown as MachineConfig).lookaheadNs < AUTO_MIN_LOOKAHEAD_NS) return { kind: 'inline', threads: 0 };
  return chooseAuto({ nodes, cores: availableParallelism(), eventsPerWindow: pilotEventsPerWindow(cfg) });
}

/** Runs a workload where its `placement` says; the report is the same in every placement. */
export async function runWorkloadPlaced(cfg: WorkloadConfig, options: ParallelOptions = {}): Promise<PlacedRunOutput> {
  const p = resolvePlacement(cfg);
  if (p.kind === 'inline') return { ...runWorkloadWithSeries(cfg, options), placement: 'inline' };
  const out = await runWorkloadParallel(cfg, p.threads, options);
  return { ...out, placement: p.kind === 'threads' ? 'threads' : `packed:${p.threads}` };
}
