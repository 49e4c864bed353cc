/**
 * Per-lock totals of the lock statistics: every caller of every LP added up. This is the one place
 * where acquisitions and contentions are summed: the report's lock rows, the sampled series and
 * the live metrics all read these totals, so they cannot disagree. Totals are cumulative from the
 * start of the run; a consumer that wants an interval takes the difference of two.
 */
import type { LockRegistry } from '../locks/lock-registry.js';
import type { LockStats } from '../locks/lock-stats.js';

export interface LockTotals {
  /** Per lock, indexed like the registry. */
  acquisitions: Float64Array;
  contentions: Float64Array;
  trylockFailures: Float64Array;
  holdTotalNs: Float64Array;
  holdCount: Float64Array;
  waitTotalNs: Float64Array;
  conBounces: Float64Array;
  acqBounces: Float64Array;
}

export function lockTotals(registry: LockRegistry, perLp: readonly LockStats[]): LockTotals {
  const n = registry.lockCount;
  const t: LockTotals = {
    acquisitions: new Float64Array(n),
    contentions: new Float64Array(n),
    trylockFailures: new Float64Array(n),
    holdTotalNs: new Float64Array(n),
    holdCount: new Float64Array(n),
    waitTotalNs: new Float64Array(n),
    conBounces: new Float64Array(n),
    acqBounces: new Float64Array(n),
  };
  const nc = registry.callerCount;
  // One array at a time, each total carried in a local: the same additions in the same order as
  // adding cell by cell (so the same floating-point sums), at a fraction of the cost — runs take a
  // sample every 10 simulated ms, and a big machine has thousands of (lock, caller) cells per LP.
  for (const s of perLp) {
    addCells(t.acquisitions, s.acquisitions, n, nc);
    addCells(t.contentions, s.contentions, n, nc);
    addCells(t.trylockFailures, s.trylockFailures, n, nc);
    addCells(t.holdTotalNs, s.holdTotal, n, nc);
    addCells(t.holdCount, s.holdCount, n, nc);
    addCells(t.waitTotalNs, s.waitTotal, n, nc);
    addCells(t.conBounces, s.conBounces, n, nc);
    addCells(t.acqBounces, s.acqBounces, n, nc);
  }
  return t;
}

/** total[l] += cells[l * nc + k] for k = 0 … nc − 1, in that order. */
function addCells(total: Float64Array, cells: Float64Array, n: number, nc: number): void {
  for (let l = 0, i = 0; l < n; l++) {
    let sum = total[l];
    for (const end = i + nc; i < end; i++) sum += cells[i];
    total[l] = sum;
  }
}
