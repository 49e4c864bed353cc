/**
 * The live-metrics view of a run's locks: per lock class and home node, cumulative counts from
 * the engine's per-lock totals (node-sim lock-totals.ts, the one place acquisitions are summed)
 * and the hold and wait histograms on Prometheus bucket edges.
 */
import { histBucketHigh, HIST_BUCKETS, type LockRegistry, type LockStats, type LockTotals } from '@numasim/node-sim';
import { HIST_LE_NS, type LockSnapshot } from './messages.js';

/**
 * For each engine histogram bucket, the Prometheus bucket it falls in. Every HIST_LE_NS is an
 * engine bucket edge, so the mapping is exact except that a value exactly on an edge (say 128 ns)
 * counts in the next bucket up: engine buckets are [low, high), Prometheus buckets (prev, le].
 */
const PROM_BUCKET_OF: Int32Array = (() => {
  const out = new Int32Array(HIST_BUCKETS);
  for (let i = 0; i < HIST_BUCKETS; i++) {
    const high = histBucketHigh(i); // exclusive upper edge
    let b = HIST_LE_NS.findIndex((le) => high - 1 <= le);
    if (b < 0) b = HIST_LE_NS.length; // +Inf
    out[i] = b;
  }
  return out;
})();

/** `totals` and `merged` describe the same moment of the same run. */
export function lockSnapshot(registry: LockRegistry, totals: LockTotals, merged: LockStats): LockSnapshot[] {
  const groups = new Map<string, LockSnapshot>();
  const nb = HIST_LE_NS.length + 1;
  for (let l = 0; l < registry.lockCount; l++) {
    const key = `${registry.classes[l]}\u0000${registry.homeNodes[l]}`;
    let g = groups.get(key);
    if (!g) {
      g = { lock: registry.classes[l], node: registry.homeNodes[l], acquisitions: 0, contentions: 0, holdSumNs: 0, waitSumNs: 0, holdBuckets: new Array<number>(nb).fill(0), waitBuckets: new Array<number>(nb).fill(0) };
      groups.set(key, g);
    }
    g.acquisitions += totals.acquisitions[l];
    g.contentions += totals.contentions[l];
    g.holdSumNs += totals.holdTotalNs[l];
    g.waitSumNs += totals.waitTotalNs[l];
    // Every acquisition is one wait observation; uncontended ones waited 0 ns.
    g.waitBuckets[0] += totals.acquisitions[l] - totals.contentions[l];
    const hh = merged.holdHist[l];
    const wh = merged.waitHist[l];
    for (let i = 0; i < HIST_BUCKETS; i++) {
      if (hh && hh[i] > 0) g.holdBuckets[PROM_BUCKET_OF[i]] += hh[i];
      if (wh && wh[i] > 0) g.waitBuckets[PROM_BUCKET_OF[i]] += wh[i];
    }
  }
  return [...groups.values()].filter((g) => g.acquisitions > 0 || g.holdBuckets.some((v) => v > 0));
}
