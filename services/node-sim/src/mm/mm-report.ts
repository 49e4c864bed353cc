/**
 * The memory part of a report, gathered from every node's LP after the run: zones with their
 * watermarks and LRU sizes, the kernel's numastat, kswapd wake-ups, zones visited, atomic kmaps,
 * and the anonymous-fault latency distribution.
 */
import type { LatencySummary, MemoryReport, NumaStat } from '@numasim/shared';
import { HIST_BUCKETS, histQuantile } from '../locks/lock-stats.js';
import { BYTES_PER_FRAME } from './page-frames.js';
import type { MmNode } from './mm-node.js';
import type { Reclaim } from './vmscan.js';
import type { MmConfig } from './mm-shared.js';

export function memoryReport(cfg: MmConfig, nodes: readonly MmNode[]): MemoryReport {
  const numastat: NumaStat[] = Array.from({ length: cfg.nodes }, (_, node) => ({ node, numaHit: 0, numaMiss: 0, numaForeign: 0, localNode: 0, otherNode: 0 }));
  for (const lp of nodes) {
    for (let node = 0; node < cfg.nodes; node++) {
      const st = numastat[node];
      st.numaHit += lp.alloc.numastat[node * 5];
      st.numaMiss += lp.alloc.numastat[node * 5 + 1];
      st.numaForeign += lp.alloc.numastat[node * 5 + 2];
      st.localNode += lp.alloc.numastat[node * 5 + 3];
      st.otherNode += lp.alloc.numastat[node * 5 + 4];
    }
  }
  return {
    layout: cfg.layout,
    bytesPerFrame: BYTES_PER_FRAME,
    zones: zoneReports(nodes),
    numastat,
    kswapdWakeups: nodes.reduce((s, n) => s + n.kswapdWakeups, 0),
    zonesVisited: nodes.reduce((s, n) => s + n.alloc.zonesVisited, 0),
    kmapAtomic: nodes.reduce((s, n) => s + n.kmapAtomic, 0),
    ...lockHardwareReport(cfg, nodes),
    ...reclaimReport(nodes),
  };
}

/** Every zone of every node: size, free pages, watermarks, allocations and frees, LRU sizes, reclaim. */
export function zoneReports(nodes: readonly MmNode[]): MemoryReport['zones'] {
  return nodes.flatMap((lp) =>
    lp.mem.zones.map((z, zi) => ({
      node: lp.node,
      zone: z.name,
      pages: z.pages,
      freePages: z.freePages,
      watermarks: { min: z.pagesMin, low: z.pagesLow, high: z.pagesHigh },
      allocations: z.allocations,
      frees: z.frees,
      lruActive: lp.mem.lru[zi].nrActive,
      lruInactive: lp.mem.lru[zi].nrInactive,
      pagesScanned: lp.reclaim !== null ? lp.reclaim.pagesScanned[zi] : 0,
      pagesReclaimed: lp.reclaim !== null ? lp.reclaim.pagesReclaimed[zi] : 0,
    })),
  );
}

/** Interrupts in holds and re-acquire wins, when their knobs are on (absent otherwise: reports stay as they were). */
function lockHardwareReport(cfg: MmConfig, nodes: readonly MmNode[]): Pick<MemoryReport, 'lockHardware'> {
  if (cfg.irqHz === undefined && cfg.lockLineTiming !== true) return {};
  const sum = (f: (n: MmNode) => number) => nodes.reduce((s, n) => s + f(n), 0);
  return {
    lockHardware: {
      timerInHold: sum((n) => n.irq.timerInHold),
      deviceInHold: sum((n) => n.irq.deviceInHold),
      holdsLengthened: sum((n) => n.irq.holdsHit),
      addedNs: sum((n) => n.irq.addedNs),
      reacquireWins: sum((n) => n.home.reacquireWins.reduce((a, b) => a + b, 0)),
    },
  };
}

function reclaimReport(nodes: readonly MmNode[]): Pick<MemoryReport, 'reclaim'> {
  const r = nodes.filter((n): n is MmNode & { reclaim: Reclaim } => n.reclaim !== null);
  if (r.length === 0) return {};
  const sum = (f: (n: MmNode & { reclaim: Reclaim }) => number) => r.reduce((s, n) => s + f(n), 0);
  const total = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
  return {
    reclaim: {
      kswapdRuns: sum((n) => n.reclaim.kswapdRuns),
      pagesScanned: sum((n) => total(n.reclaim.pagesScanned)),
      pagesReclaimed: sum((n) => total(n.reclaim.pagesReclaimed)),
      allocationWaits: sum((n) => n.reclaim.reclaimWaitCount),
      directReclaims: sum((n) => n.reclaim.directReclaims),
      directPagesReclaimed: sum((n) => n.reclaim.directPagesReclaimed),
      mappedSkipped: sum((n) => n.reclaim.mappedSkipped),
      swapOuts: sum((n) => n.swapOuts),
      swapPtesScanned: sum((n) => n.swapPtesScanned),
      swapPtesUnmapped: sum((n) => n.swapPtesUnmapped),
      swapWalkNs: sum((n) => n.swapWalkNs),
      ptesUnmapped: sum((n) => n.ptesUnmapped),
      unmapTlbIpis: sum((n) => n.unmapTlbIpis),
      unmapWalkNs: sum((n) => n.unmapWalkNs),
      kswapdPoolMaps: sum((n) => n.kswapdPoolMaps),
    },
  };
}

/** Latency of the anonymous faults every CPU took, ns. */
export function faultLatency(nodes: readonly MmNode[]): { faults: number; latency: LatencySummary } {
  const hist = new Float64Array(HIST_BUCKETS);
  let total = 0;
  let max = 0;
  let faults = 0;
  for (const lp of nodes) {
    for (let b = 0; b < HIST_BUCKETS; b++) hist[b] += lp.faults.faultLatencyHist[b];
    total += lp.faults.faultLatencyTotal;
    max = Math.max(max, lp.faults.faultLatencyMax);
    faults += lp.faults.anonFaults.reduce((a, b) => a + b, 0);
  }
  return { faults, latency: summarize(hist, total, faults, max) };
}

export function summarize(hist: Float64Array, total: number, count: number, max: number): LatencySummary {
  return {
    mean: count > 0 ? Math.round((total / count) * 1000) / 1000 : 0,
    p50: histQuantile(hist, 0.5, 0, max),
    p99: histQuantile(hist, 0.99, 0, max),
    max,
  };
}
