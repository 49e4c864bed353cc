/**
 * How far a run is towards its end. A run ends when its workload does (kernbench: its last job) or
 * at durationNs, whichever comes first, so its fraction is the larger of the two shares; the last
 * progress of a run that ended is 1 whatever the unit.
 */
import type { WorkloadProgress } from '../workloads/model.js';

export type ProgressUnit = WorkloadProgress['unit'] | 'simulated-ns';

export interface RunFraction {
  /** What `done` and `total` count: the workload's own work, or simulated ns of durationNs. */
  unit: ProgressUnit;
  done: number;
  total: number;
  /** 0..1, towards whichever end comes first. */
  fraction: number;
}

export function runFraction(work: WorkloadProgress | undefined, simulatedNs: number, durationNs: number, final: boolean): RunFraction {
  const byTime = durationNs > 0 ? Math.min(1, simulatedNs / durationNs) : 1;
  if (!work) return { unit: 'simulated-ns', done: simulatedNs, total: durationNs, fraction: final ? 1 : byTime };
  const byWork = work.total > 0 ? Math.min(1, work.done / work.total) : 1;
  return { unit: work.unit, done: work.done, total: work.total, fraction: final ? 1 : Math.max(byWork, byTime) };
}
