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
  for (const s of perLp) {
    for (let l = 0; l < n; l++) {
      for (let i = l * nc, end = i + nc; i < end; i++) {
        t.acquisitions[l] += s.acquisitions[i];
        t.contentions[l] += s.contentions[i];
        t.trylockFailures[l] += s.trylockFailures[i];
        t.holdTotalNs[l] += s.holdTotal[i];
        t.holdCount[l] += s.holdCount[i];
        t.waitTotalNs[l] += s.waitTotal[i];
        t.conBounces[l] += s.conBounces[i];
        t.acqBounces[l] += s.acqBounces[i];
      }
    }
  }
  return t;
}
