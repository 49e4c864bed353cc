import { describe, expect, it } from 'vitest';
import { formatLockTable, lockTableEntries, type LockReport, type Report } from '@numasim/shared';

function lock(name: string, cls: string, homeNode: number, f: { acq: number; con: number; holdTotal: number; holdMax: number; holdMin: number; waitTotal: number; waitMax: number; waitMin: number; conB: number; acqB: number; callers: [string, number, number, number][] }): LockReport {
  const attempts = f.acq;
  return {
    name, class: cls, homeNode, acquisitions: f.acq, contentions: f.con, trylockFailures: 0, attempts,
    utilPercent: (100 * f.holdTotal) / 1e9, conPercent: (100 * f.con) / attempts, spinPercent: (100 * f.con) / attempts, rjectPercent: 0, nowaitPercent: 100 - (100 * f.con) / attempts,
    holdMinNs: f.holdMin, holdMeanNs: f.holdTotal / f.acq, holdMaxNs: f.holdMax, holdTotalNs: f.holdTotal, holdP50Ns: 0, holdP99Ns: 0,
    waitMinNs: f.waitMin, waitMeanNs: f.con ? f.waitTotal / f.con : 0, waitMaxNs: f.waitMax, waitTotalNs: f.waitTotal, waitP50Ns: 0, waitP99Ns: 0,
    waitCpuPercent: (100 * f.waitTotal) / (4 * 1e9), conBounces: f.conB, acqBounces: f.acqB,
    // callers: [name, acquisitions, contentions, waitTotalNs]
    callers: f.callers.map(([n, acq, con, wt]) => ({
      name: n, acquisitions: acq, attempts: acq, contentions: con, trylockFailures: 0, utilPercent: 0, conPercent: (100 * con) / acq,
      holdMeanNs: f.holdTotal / f.acq, holdMaxNs: f.holdMax, holdTotalNs: (f.holdTotal * acq) / f.acq, waitMeanNs: con ? wt / con : 0, waitMaxNs: f.waitMax, waitTotalNs: wt,
    })),
  } as LockReport;
}

// Two instances of one class on two nodes, and a lone lock: sums and extremes checkable by hand.
const report = {
  machine: { nodes: 2, cpus: 4, lookaheadNs: 0 },
  run: { kind: 'kernbench', seed: 1, configHash: 'x'.repeat(64), simulatedNs: 1e9, lastEventNs: 1e9 },
  locks: [
    lock('mm->page_table_lock[cpu0]', 'mm->page_table_lock', 0, { acq: 1000, con: 10, holdTotal: 2_000_000, holdMax: 5000, holdMin: 500, waitTotal: 30_000, waitMax: 9000, waitMin: 300, conB: 4, acqB: 100, callers: [['do_anonymous_page', 600, 6, 20_000], ['zap_page_range', 400, 4, 10_000]] }),
    lock('mm->page_table_lock[cpu1]', 'mm->page_table_lock', 1, { acq: 3000, con: 30, holdTotal: 6_000_000, holdMax: 7000, holdMin: 400, waitTotal: 90_000, waitMax: 8000, waitMin: 200, conB: 6, acqB: 300, callers: [['do_anonymous_page', 3000, 30, 90_000]] }),
    lock('pagemap_lru_lock', 'pagemap_lru_lock', 0, { acq: 500, con: 250, holdTotal: 1_000_000, holdMax: 4000, holdMin: 1000, waitTotal: 1_250_000, waitMax: 40_000, waitMin: 100, conB: 200, acqB: 400, callers: [['lru_cache_add', 500, 250, 1_250_000]] }),
  ],
} as unknown as Report;

describe('lock classes', () => {
  it('sums a class over its instances: counts and totals add, extremes stay extremes, means come from the sums', () => {
    const [ptl, lru] = lockTableEntries(report);
    expect(lru.name).toBe('pagemap_lru_lock');
    expect(ptl).toMatchObject({
      name: 'mm->page_table_lock', instances: 2, homeNode: null, acquisitions: 4000, contentions: 40, conBounces: 10, acqBounces: 400,
      holdTotalNs: 8_000_000, holdMeanNs: 2000, holdMaxNs: 7000, holdMinNs: 400, waitTotalNs: 120_000, waitMeanNs: 3000, waitMaxNs: 9000, waitMinNs: 200, conPercent: 1,
    });
    expect(ptl.callers.map((c) => [c.name, c.acquisitions, c.contentions, c.waitTotalNs])).toEqual([['do_anonymous_page', 3600, 36, 110_000], ['zap_page_range', 400, 4, 10_000]]);
    expect(lockTableEntries(report, true).map((e) => e.name)).toEqual(report.locks.map((l) => l.name));
  });
});

describe('formatLockTable', () => {
  it('lockmeter: CPUs and elapsed time, a *TOTAL* line over every lock, classes with their instance count', () => {
    const t = formatLockTable(report, { format: 'lockmeter' });
    expect(t).toMatch(/^All \(4\) CPUs$/m);
    expect(t).toMatch(/^Delta Time: 1\.000000 sec \(simulated\)$/m);
    // 290 contentions in 4500 attempts: CON 6.44 %; no UTIL on the total line.
    expect(t).toMatch(/^ {7} +6\.44% .* 4500 +93\.6% +6\.44% +0% +\*TOTAL\*$/m);
    expect(t).toMatch(/ 4000 .*mm->page_table_lock {2}\(2 instances\)$/m);
    expect(t).not.toContain('[cpu1]');
    expect(formatLockTable(report, { format: 'lockmeter', instances: true })).toMatch(/mm->page_table_lock\[cpu1\]$/m);
  });

  it('lock_stat: the twelve columns in µs, classes by contentions, contention points under each', () => {
    const lines = formatLockTable(report, { format: 'lock_stat' }).split('\n');
    expect(lines[0]).toBe('lock_stat version 0.4');
    expect(lines[2].trim().replace('class name', 'class-name').split(/\s+/)).toEqual(['class-name', 'con-bounces', 'contentions', 'waittime-min', 'waittime-max', 'waittime-total', 'waittime-avg', 'acq-bounces', 'acquisitions', 'holdtime-min', 'holdtime-max', 'holdtime-total', 'holdtime-avg']);
    const rows = lines.filter((l) => /:\s+\d/.test(l)).map((l) => l.trim().split(/\s+/));
    expect(rows[0]).toEqual(['pagemap_lru_lock:', '200', '250', '0.10', '40.00', '1250.00', '5.00', '400', '500', '1.00', '4.00', '1000.00', '2.00']);
    expect(rows[1]).toEqual(['mm->page_table_lock:', '10', '40', '0.20', '9.00', '120.00', '3.00', '400', '4000', '0.40', '7.00', '8000.00', '2.00']);
    expect(lines.some((l) => /^\s+mm->page_table_lock\s+36\s+do_anonymous_page$/.test(l))).toBe(true);
  });

  it('perf-lock: contended callers by total wait, perf units, and the -x form in raw ns', () => {
    const t = formatLockTable(report, { format: 'perf-lock' }).split('\n');
    expect(t[0].trim().split(/\s{2,}/)).toEqual(['contended', 'total wait', 'max wait', 'avg wait', 'type', 'caller']);
    expect(t[2]).toMatch(/^\s+250\s+1\.25 ms\s+40\.00 us\s+5\.00 us\s+spinlock\s+lru_cache_add \(pagemap_lru_lock\)$/);
    expect(t[3]).toMatch(/^\s+36\s+110\.00 us\s+9\.00 us\s+3\.06 us\s+spinlock\s+do_anonymous_page \(mm->page_table_lock\)$/);
    const x = formatLockTable(report, { format: 'perf-lock', fieldSeparator: ';' }).trim().split('\n');
    expect(x[0]).toBe('# output: contended;total wait;max wait;avg wait;type;caller');
    expect(x[1]).toBe('250;1250000;40000;5000;spinlock;lru_cache_add (pagemap_lru_lock)');
  });

  it('--top keeps the most contended locks and --lock filters by name or class', () => {
    const top = formatLockTable(report, { format: 'csv', top: 1 }).trim().split('\n');
    expect(top.filter((l) => l.split(',')[2] === '').map((l) => l.split(',')[0])).toEqual(['pagemap_lru_lock']);
    const filtered = JSON.parse(formatLockTable(report, { format: 'json', lock: 'PAGE_TABLE', instances: true }));
    expect(filtered.locks.map((l: { name: string }) => l.name)).toEqual(['mm->page_table_lock[cpu0]', 'mm->page_table_lock[cpu1]']);
    expect(JSON.parse(formatLockTable(report, { format: 'json', lock: 'nothing' })).locks).toEqual([]);
  });
});
