/** perf lock contention's rows and the spin-cycles view, derived from a lock table by hand. */
import { describe, expect, it } from 'vitest';
import { formatLockTable, lockTableEntries, perfLockContention, spinCycles, type LockReport, type Report } from '@numasim/shared';

const caller = (name: string, con: number, waitTotal: number, mode?: 'R' | 'W') => ({
  name, ...(mode ? { mode } : {}), acquisitions: 100, attempts: 100, contentions: con, trylockFailures: 0, utilPercent: 0, conPercent: con,
  holdMeanNs: 10, holdMaxNs: 10, holdTotalNs: 1000, waitMeanNs: con ? waitTotal / con : 0, waitMaxNs: 900, waitTotalNs: waitTotal,
});
const lock = (name: string, callers: ReturnType<typeof caller>[], type?: 'rwsem'): LockReport =>
  ({
    name, class: name, homeNode: 0, ...(type ? { type } : {}), acquisitions: 200, contentions: callers.reduce((s, c) => s + c.contentions, 0), trylockFailures: 0, attempts: 200,
    utilPercent: 0, conPercent: 0, spinPercent: 0, rjectPercent: 0, nowaitPercent: 100, holdMinNs: 1, holdMeanNs: 10, holdMaxNs: 10, holdTotalNs: 2000, holdP50Ns: 0, holdP99Ns: 0,
    waitMinNs: 1, waitMeanNs: 0, waitMaxNs: 900, waitTotalNs: callers.reduce((s, c) => s + c.waitTotalNs, 0), waitP50Ns: 0, waitP99Ns: 0, waitCpuPercent: 0, conBounces: 0, acqBounces: 0, callers,
  }) as LockReport;

// 10 CPUs × 1 s = 1e10 ns of CPU time.
const report = {
  machine: { nodes: 2, cpus: 10, lookaheadNs: 100 },
  run: { kind: 'lockbench', seed: 1, configHash: 'x'.repeat(64), simulatedNs: 1e9, lastEventNs: 1e9 },
  locks: [
    lock('zone->lock', [caller('rmqueue_bulk', 50, 4.2e9), caller('free_pcppages_bulk', 40, 3.5e9)]),
    lock('mmap_lock', [caller('do_user_addr_fault', 5, 2e9, 'R'), caller('do_mmap', 2, 1e9, 'W')], 'rwsem'),
  ],
} as unknown as Report;

describe('perf views of the lock table', () => {
  it('perf lock contention: rows by total wait, with perf\'s type per lock and mode', () => {
    const rows = perfLockContention(lockTableEntries(report));
    expect(rows.map((r) => [r.type, r.caller, r.contended, r.totalWaitNs])).toEqual([
      ['spinlock', 'rmqueue_bulk (zone->lock)', 50, 4.2e9],
      ['spinlock', 'free_pcppages_bulk (zone->lock)', 40, 3.5e9],
      ['rwsem:R', 'do_user_addr_fault (mmap_lock)', 5, 2e9],
      ['rwsem:W', 'do_mmap (mmap_lock)', 2, 1e9],
    ]);
    const x = formatLockTable(report, { format: 'perf-lock', fieldSeparator: ',' }).trim().split('\n');
    expect(x[3]).toBe('5,2000000000,900,400000000,rwsem:R,do_user_addr_fault (mmap_lock)');
  });

  it('spin cycles: a spinlock\'s wait over all CPUs\' time, split by call path; rwsem waiters sleep', () => {
    const rows = spinCycles(lockTableEntries(report), 10, 1e9);
    expect(rows).toEqual([{ lock: 'zone->lock', cyclesPercent: 77, paths: [{ caller: 'rmqueue_bulk', cyclesPercent: 42 }, { caller: 'free_pcppages_bulk', cyclesPercent: 35 }] }]);
    const text = formatLockTable(report, { format: 'perf-cycles' });
    expect(text).toContain('    77.00%  zone->lock\n            |--42.00%--rmqueue_bulk\n            |--35.00%--free_pcppages_bulk\n');
    expect(text).not.toContain('mmap_lock');
  });
});
