/**
 * From the merged per-LP lock statistics to the report's lock table, with lockmeter's
 * definitions (docs/SOURCES.md#lock-stats; the formulas are listed in @numasim/shared report/types.ts).
 */
import type { LockCallerReport, LockReport } from '@numasim/shared';
import type { LockRegistry } from '../locks/lock-registry.js';
import { histQuantile, LockStats } from '../locks/lock-stats.js';
import { lockTotals } from './lock-totals.js';

/** Rounds a derived figure to 1/1000 so reports stay readable; sums and counts stay exact. */
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const pct = (part: number, whole: number) => (whole === 0 ? 0 : r3((100 * part) / whole));
const mean = (total: number, n: number) => (n === 0 ? 0 : r3(total / n));
const finite = (x: number) => (Number.isFinite(x) ? x : 0);

export function mergeLockStats(registry: LockRegistry, perLp: readonly LockStats[]): LockStats {
  const all = new LockStats(registry.lockCount, registry.callerCount);
  for (const s of perLp) all.merge(s);
  return all;
}

export function buildLockReports(registry: LockRegistry, s: LockStats, simulatedNs: number, cpus: number): LockReport[] {
  const out: LockReport[] = [];
  const nc = registry.callerCount;
  const totals = lockTotals(registry, [s]);
  for (let l = 0; l < registry.lockCount; l++) {
    const callers: LockCallerReport[] = [];
    const acq = totals.acquisitions[l];
    const con = totals.contentions[l];
    const rj = totals.trylockFailures[l];
    const holdTotal = totals.holdTotalNs[l];
    const holdCount = totals.holdCount[l];
    const waitTotal = totals.waitTotalNs[l];
    let holdMax = 0, waitMax = 0, holdMin = Infinity, waitMin = Infinity;
    for (let c = 0; c < nc; c++) {
      const i = l * nc + c;
      const attempts = s.acquisitions[i] + s.trylockFailures[i];
      if (attempts === 0) continue;
      holdMax = Math.max(holdMax, s.holdMax[i]);
      waitMax = Math.max(waitMax, s.waitMax[i]);
      holdMin = Math.min(holdMin, s.holdMin[i]);
      waitMin = Math.min(waitMin, s.waitMin[i]);
      const mode = registry.callerModes[c];
      callers.push({
        name: registry.callers[c],
        ...(mode !== undefined ? { mode } : {}),
        acquisitions: s.acquisitions[i],
        contentions: s.contentions[i],
        trylockFailures: s.trylockFailures[i],
        attempts,
        utilPercent: pct(s.holdTotal[i], simulatedNs),
        conPercent: pct(s.contentions[i] + s.trylockFailures[i], attempts),
        holdMeanNs: mean(s.holdTotal[i], s.holdCount[i]),
        holdMaxNs: s.holdMax[i],
        holdTotalNs: s.holdTotal[i],
        waitMeanNs: mean(s.waitTotal[i], s.contentions[i]),
        waitMaxNs: s.waitMax[i],
        waitTotalNs: s.waitTotal[i],
      });
    }
    const attempts = acq + rj;
    if (attempts === 0) continue;
    holdMin = finite(holdMin);
    waitMin = finite(waitMin);
    out.push({
      name: registry.names[l],
      class: registry.classes[l],
      homeNode: registry.homeNodes[l],
      ...(registry.types[l] !== undefined ? { type: registry.types[l] } : {}),
      acquisitions: acq,
      contentions: con,
      trylockFailures: rj,
      attempts,
      utilPercent: pct(holdTotal, simulatedNs),
      conPercent: pct(con + rj, attempts),
      spinPercent: pct(con, attempts),
      rjectPercent: pct(rj, attempts),
      nowaitPercent: r3(100 - pct(con + rj, attempts)),
      holdMinNs: holdMin,
      holdMeanNs: mean(holdTotal, holdCount),
      holdMaxNs: holdMax,
      holdTotalNs: holdTotal,
      holdP50Ns: histQuantile(s.holdHist[l], 0.5, holdMin, holdMax),
      holdP99Ns: histQuantile(s.holdHist[l], 0.99, holdMin, holdMax),
      waitMinNs: waitMin,
      waitMeanNs: mean(waitTotal, con),
      waitMaxNs: waitMax,
      waitTotalNs: waitTotal,
      waitP50Ns: histQuantile(s.waitHist[l], 0.5, waitMin, waitMax),
      waitP99Ns: histQuantile(s.waitHist[l], 0.99, waitMin, waitMax),
      waitCpuPercent: pct(waitTotal, cpus * simulatedNs),
      conBounces: totals.conBounces[l],
      acqBounces: totals.acqBounces[l],
      ...(s.nested[l] > 0 ? { nestedAcquisitions: s.nested[l] } : {}),
      callers,
    });
  }
  return out;
}
