/**
 * Lock contention as today's tools show it, derived from the report's lock table when it is
 * rendered (nothing here is stored in the report, so a report's bytes do not depend on it):
 *
 * - `perf lock contention` (tools/perf, Linux 6.x, with BPF): per call site, contended, total
 *   wait, max wait, avg wait, type, caller. The type is perf's: `spinlock`, or `rwsem:R` /
 *   `rwsem:W` for a read-write semaphore taken shared / exclusive.
 * - The share of CPU cycles spent spinning per lock and call path, as `perf record -g` then
 *   `perf report --no-children` shows it under the spin loop's symbol (native_queued_spin_lock_slowpath
 *   for qspinlock): a lock's spin time over all CPUs' time. In the model a spinlock waiter burns
 *   its CPU for the whole wait, so this is the wait total over (CPUs × simulated time) — lockmeter's
 *   WAIT %CPU, split by caller. A rwsem waiter sleeps (the model leaves out optimistic spinning):
 *   its wait appears in `perf lock contention`, not in the cycles.
 * Definitions and sources: docs/REPORT.md#perf-lock, docs/SOURCES.md#perf-lock.
 */
import type { LockTableCaller, LockTableEntry } from './lock-classes.js';

export type PerfLockType = 'spinlock' | 'rwsem:R' | 'rwsem:W';

/** One row of `perf lock contention` (aggregated by caller, its default). */
export interface PerfLockContentionRow {
  contended: number;
  totalWaitNs: number;
  maxWaitNs: number;
  avgWaitNs: number;
  type: PerfLockType;
  /** The call site, with the lock it took: `rmqueue (zone->lock)`. */
  caller: string;
  /** The lock (or lock class) name. */
  lock: string;
}

/** The share of CPU cycles spent spinning on one lock, and on each of its call paths. */
export interface SpinCyclesRow {
  lock: string;
  /** % of all CPUs' cycles over the run. */
  cyclesPercent: number;
  paths: { caller: string; cyclesPercent: number }[];
}

export function perfLockType(e: Pick<LockTableEntry, 'type'>, c: Pick<LockTableCaller, 'mode'>): PerfLockType {
  if (e.type !== 'rwsem') return 'spinlock';
  return c.mode === 'R' ? 'rwsem:R' : 'rwsem:W';
}

/** `perf lock contention`'s rows: contended call sites, by total wait (then contentions). */
export function perfLockContention(entries: readonly LockTableEntry[]): PerfLockContentionRow[] {
  return entries
    .flatMap((e) =>
      e.callers
        .filter((c) => c.contentions > 0)
        .map((c) => ({
          contended: c.contentions,
          totalWaitNs: c.waitTotalNs,
          maxWaitNs: c.waitMaxNs,
          avgWaitNs: c.waitMeanNs,
          type: perfLockType(e, c),
          caller: `${c.name} (${e.name})`,
          lock: e.name,
        })),
    )
    .sort((a, b) => b.totalWaitNs - a.totalWaitNs || b.contended - a.contended);
}

/** % of CPU cycles spinning per spinlock and call path, largest first; locks that never spun are left out. */
export function spinCycles(entries: readonly LockTableEntry[], cpus: number, simulatedNs: number): SpinCyclesRow[] {
  const whole = cpus * simulatedNs;
  const pct = (ns: number) => (whole === 0 ? 0 : Math.round((1e5 * ns) / whole) / 1000);
  return entries
    .filter((e) => e.type !== 'rwsem' && e.waitTotalNs > 0)
    .map((e) => ({
      lock: e.name,
      cyclesPercent: pct(e.waitTotalNs),
      paths: e.callers
        .filter((c) => c.waitTotalNs > 0)
        .map((c) => ({ caller: c.name, cyclesPercent: pct(c.waitTotalNs) }))
        .sort((a, b) => b.cyclesPercent - a.cyclesPercent),
    }))
    .sort((a, b) => b.cyclesPercent - a.cyclesPercent);
}
