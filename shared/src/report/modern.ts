/** What the modern workload kinds report (workload/modern.ts): what each real benchmark prints, and the zone->lock spin split. */
import type { ModernKind } from '../workload/modern.js';

/** % of all CPU cycles (CPUs × simulated time) spent spinning on a lock class, per call path. */
export interface SpinShare {
  /** Allocation path: rmqueue_bulk refilling a per-CPU list. */
  allocPercent: number;
  /** Free path: free_pcppages_bulk draining a per-CPU list. */
  freePercent: number;
  totalPercent: number;
}

/** /proc/vmstat-style counters the model keeps. */
export interface ModernVmstat {
  pgalloc: number;
  pgfree: number;
  pgfault: number;
  pgactivate: number;
  /** zone->lock acquisitions (rmqueue_bulk + free_pcppages_bulk). */
  zoneLockAcquisitions: number;
  lruLockAcquisitions: number;
  /** mmap_lock acquisitions, read and write, over every mm. */
  mmapLockAcquisitions?: number;
  /** Faults whose lock_vma_under_rcu failed and which took mmap_lock instead (vmstat VMA_LOCK_RETRY; vmaLocks). */
  vmaLockRetry?: number;
}

/** readtwice: /proc/vmstat's reclaim counters and who spun on the LRU locks. */
export interface ModernReclaimReport {
  /** Folios scanned off the inactive lists by kswapd / by direct reclaim (pgscan_kswapd, pgscan_direct). */
  pgscanKswapd: number;
  pgscanDirect: number;
  /** Folios reclaimed (freed) by kswapd / by direct reclaim (pgsteal_kswapd, pgsteal_direct). */
  pgstealKswapd: number;
  pgstealDirect: number;
  /** Folios scanned off the active lists (pgrefill) and moved to the inactive lists (pgdeactivate). */
  pgrefill: number;
  pgdeactivate: number;
  /** Allocations that entered direct reclaim (allocstall). */
  allocstall: number;
  /** kswapd wake-ups. */
  kswapdWakes: number;
  /** % of CPU cycles spinning on the LRU locks, per caller. */
  lruLockSpinPercent: { lruAdd: number; folioActivate: number; shrinkInactiveList: number; shrinkActiveList: number };
}

export interface ModernResult {
  kind: ModernKind;
  tasks: number;
  /** will-it-scale: iterations per second summed over tasks. */
  score?: number;
  /** will-it-scale: completed iterations. */
  iterations?: number;
  /** pft: faults per second. */
  faultsPerSecond?: number;
  /** kbuild: when the last instance finished, ns (durationNs when it did not finish). */
  completionNs?: number;
  /** kbuild: compile jobs finished of all instances. */
  jobsDone?: number;
  /** readtwice: MB read per second, summed over readers (MB = 10^6 bytes, as dd prints). */
  throughputMBps?: number;
  /** readtwice: reclaim counters. */
  reclaim?: ModernReclaimReport;
  zoneLockSpin: SpinShare;
  /** % of CPU cycles spinning on the LRU locks (lru_add, activate and release batches). */
  lruLockSpinPercent: number;
  /** % of CPU cycles spinning on mmap_lock (thread mode). */
  mmapLockSpinPercent: number;
  /** % of CPU cycles spinning on the page-table locks (mm->page_table_lock or split ptls). */
  ptlSpinPercent?: number;
  /** The pcp batch and high the run used (high: the last value of CPU 0's list under "auto"). */
  pcp: { batch: number; high: number };
  vmstat: ModernVmstat;
}

const pct = (x: number) => `${x.toFixed(1)}%`;

/** The lines `numasim run` prints under the lock table for a modern workload. */
export function modernSummaryLines(w: ModernResult): string[] {
  const head =
    w.kind === 'will-it-scale'
      ? `will-it-scale: score ${Math.round(w.score ?? 0)} iterations/s (${w.iterations ?? 0} iterations, ${w.tasks} tasks)`
      : w.kind === 'pft'
        ? `pft: ${Math.round(w.faultsPerSecond ?? 0)} faults/s (${w.tasks} tasks)`
        : w.kind === 'kbuild'
          ? `kbuild: ${w.jobsDone ?? 0} jobs, completion ${((w.completionNs ?? 0) / 1e9).toFixed(3)} s simulated`
          : `readtwice: ${(w.throughputMBps ?? 0).toFixed(1)} MB/s (${w.tasks} readers)`;
  const z = w.zoneLockSpin;
  return [
    head,
    `  cycles spinning: zone->lock ${pct(z.totalPercent)} (alloc ${pct(z.allocPercent)}, free ${pct(z.freePercent)}), LRU locks ${pct(w.lruLockSpinPercent)}, ` +
      `ptl ${pct(w.ptlSpinPercent ?? 0)}; waiting on mmap_lock ${pct(w.mmapLockSpinPercent)}${w.vmstat.vmaLockRetry ? ` (${w.vmstat.vmaLockRetry} VMA-lock fallbacks)` : ''}`,
    `  pcp batch ${w.pcp.batch}, high ${w.pcp.high}; pgalloc ${w.vmstat.pgalloc}, pgfree ${w.vmstat.pgfree}, pgfault ${w.vmstat.pgfault}, pgactivate ${w.vmstat.pgactivate}`,
    ...(w.reclaim
      ? [
          `  reclaim: pgscan kswapd ${w.reclaim.pgscanKswapd} direct ${w.reclaim.pgscanDirect}, pgsteal kswapd ${w.reclaim.pgstealKswapd} direct ${w.reclaim.pgstealDirect}, ` +
            `pgrefill ${w.reclaim.pgrefill}, pgdeactivate ${w.reclaim.pgdeactivate}, allocstall ${w.reclaim.allocstall}, kswapd wakes ${w.reclaim.kswapdWakes}`,
          `  LRU lock spin by caller: lru_add ${pct(w.reclaim.lruLockSpinPercent.lruAdd)}, folio_activate ${pct(w.reclaim.lruLockSpinPercent.folioActivate)}, ` +
            `shrink_inactive_list ${pct(w.reclaim.lruLockSpinPercent.shrinkInactiveList)}, shrink_active_list ${pct(w.reclaim.lruLockSpinPercent.shrinkActiveList)}`,
        ]
      : []),
  ];
}
