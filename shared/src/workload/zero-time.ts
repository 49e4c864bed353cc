/**
 * Workloads whose simulated time can be seen, from the config alone, never to advance: their run
 * would handle events at one instant forever. Refused before they run, naming the fields. Cases a
 * config cannot show (zero machine costs on a memory model) are stopped by the engine instead
 * (NUMASIM_ERR_RUN_TIME_STANDS_STILL).
 */
import type { FieldIssue } from '../errors.js';
import type { Distribution } from './distribution.js';
import type { WorkloadConfig } from './resolve.js';

/** True when every sample is 0 ns once rounded to a whole nanosecond, as the engine rounds them. */
export function alwaysZero(d: Distribution): boolean {
  switch (d.dist) {
    case 'const':
      return Math.round(d.value) === 0;
    case 'uniform':
      return Math.round(d.max) === 0;
    case 'exp':
    case 'lognormal':
      return d.mean === 0;
  }
}

export function zeroTimeIssues(cfg: WorkloadConfig): FieldIssue[] {
  if (cfg.kind !== 'lockbench') return [];
  // A CPU on the lock's home node reaches the lock word with no hop; with zero think and hold
  // times it takes the lock again at the same instant whenever the hand-off to itself (sameCpu)
  // or to a neighbour (sameNode) costs nothing too.
  if (!alwaysZero(cfg.thinkNs) || !alwaysZero(cfg.holdNs) || cfg.handoffNs.sameCpu !== 0 || cfg.handoffNs.sameNode !== 0) return [];
  const reason = 'is zero, as are the other durations named here';
  return [
    { path: 'thinkNs', reason },
    { path: 'holdNs', reason },
    { path: 'handoffNs', reason: 'costs 0 ns to the same CPU and within a node' },
  ];
}
