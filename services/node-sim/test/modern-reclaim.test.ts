/** Reclaim on the modern node (mm/vmscan-modern.ts, workloads/modern-reclaim.ts): readtwice on a machine it overfills. */
import { afterAll, describe, expect, it } from 'vitest';
import { resolveWorkload, type ModernResult, type Report } from '@numasim/shared';
import { closeDefaultNodePool, runWorkload, runWorkloadPlaced, runWorkloadWithSeries } from '@numasim/node-sim';
import { inactiveIsLow, RunList, watermarks } from '../src/mm/vmscan-modern.js';

/** 2 nodes × 4 CPUs, 64 MiB each: four readers of 8 MiB files per node fill a node within a few ms. */
const small = { machine: 'x86_64-2s', cpusPerNode: 4, memPerNodeMiB: 64, seed: 5, kind: 'readtwice', fileMiB: 8, durationNs: 20_000_000 };
const run = (sets: string[] = []) => runWorkload(resolveWorkload(small, sets), { checkInvariants: true });
const w = (r: Report) => r.workload as ModernResult;
const callerAcq = (r: Report, prefix: string, caller: string) =>
  r.locks.filter((l) => l.name.startsWith(prefix)).map((l) => l.callers.find((c) => c.name === caller)?.acquisitions ?? 0);

describe('mm/vmscan-modern.ts', () => {
  it('watermarks: min from min_free_kbytes, low and high a quarter of min (or 0.1% of the zone) above it', () => {
    const wm = watermarks(262_144, 524_288);
    expect(wm.min).toBe(Math.floor((Math.floor(Math.sqrt(524_288 * 64)) / 4) / 2));
    expect(wm.low - wm.min).toBe(Math.max(Math.floor(wm.min / 4), 262));
    expect(wm.high - wm.low).toBe(wm.low - wm.min);
  });

  it('inactive_is_low: ratio 1 under 1 GiB, int_sqrt(10 × GiB) above', () => {
    expect(inactiveIsLow(100, 101)).toBe(true);
    expect(inactiveIsLow(100, 100)).toBe(false);
    // 10 GiB of file pages: ratio 10.
    const gib = 262_144;
    expect(inactiveIsLow(gib, 9 * gib)).toBe(false);
    expect(inactiveIsLow(gib * 0.9, 9.1 * gib)).toBe(true);
  });

  it('a run list is a FIFO that merges a reader\'s contiguous runs', () => {
    const l = new RunList();
    l.push(0, 1, 0, 10);
    l.push(0, 1, 10, 5);
    l.push(1, 1, 0, 3);
    expect(l.runs).toBe(2);
    expect(l.tail(3)).toBe(15);
    l.take(15);
    expect(l.tail(0)).toBe(1);
    for (let k = 0; k < 1000; k++) l.push(k % 3, k, 0, 1);
    expect(l.runs).toBe(1001);
  });
});

describe('readtwice with reclaim', () => {
  it('memory exhausted: kswapd and direct reclaim free page-cache pages, through shrink_inactive_list under the LRU lock', () => {
    const r = run();
    const rc = w(r).reclaim!;
    expect(rc.pgstealKswapd + rc.pgstealDirect).toBeGreaterThan(0);
    expect(rc.pgscanKswapd).toBeGreaterThanOrEqual(rc.pgstealKswapd);
    expect(rc.pgscanDirect).toBeGreaterThanOrEqual(rc.pgstealDirect);
    expect(rc.kswapdWakes).toBeGreaterThan(0);
    // Re-reads activate; shrink_active_list keeps the inactive list from running low.
    expect(w(r).vmstat.pgactivate).toBeGreaterThan(0);
    expect(rc.pgdeactivate).toBeGreaterThan(0);
    const callers = new Set(r.locks.filter((l) => l.name.includes('lru_lock')).flatMap((l) => l.callers.map((c) => c.name)));
    for (const c of ['lru_add', 'folio_activate', 'shrink_inactive_list', 'shrink_active_list']) expect(callers).toContain(c);
    // Freed pages are allocated again: more pages allocated than memory holds.
    expect(w(r).vmstat.pgalloc).toBeGreaterThan(2 * 64 * 256);
  });

  it('a machine big enough for every file never reclaims', () => {
    const r = runWorkload(resolveWorkload({ ...small, memPerNodeMiB: 1024, durationNs: 5_000_000 }), { checkInvariants: true });
    expect(w(r).reclaim!.pgscanKswapd + w(r).reclaim!.pgscanDirect).toBe(0);
  });

  it('per-memcg lruvecs split the reclaim\'s lock traffic over the cgroups; per-node puts it on pgdat->lru_lock', () => {
    const perNode = run(['containers=4', 'lruLock=per-node']);
    const perMemcg = run(['containers=4', 'lruLock=per-memcg']);
    const node = callerAcq(perNode, 'pgdat->lru_lock', 'shrink_inactive_list');
    const memcg = callerAcq(perMemcg, 'lruvec->lru_lock', 'shrink_inactive_list');
    expect(node).toHaveLength(2);
    expect(memcg).toHaveLength(8);
    // A node's four readers are in the four cgroups (task k in cgroup k mod 4): every lruvec carries its share of the reclaim.
    expect(memcg.filter((a) => a > 0).length).toBe(8);
    const spin = (r: Report) => w(r).reclaim!.lruLockSpinPercent.shrinkInactiveList;
    expect(spin(perMemcg)).toBeLessThan(spin(perNode));
  });

  it('the same report inline and packed on two workers', async () => {
    const stable = (r: { engine: object; config: object }) => JSON.stringify({ ...r, engine: {}, config: { ...r.config, placement: undefined } });
    const cfg = (placement: string) => resolveWorkload(small, ['containers=4', `placement=${placement}`]);
    const inline = runWorkloadWithSeries(cfg('inline'));
    const packed = await runWorkloadPlaced(cfg('packed:2'));
    expect(stable(packed.report)).toBe(stable(inline.report));
    expect(w(inline.report).reclaim!.pgstealDirect + w(inline.report).reclaim!.pgstealKswapd).toBeGreaterThan(0);
  }, 120_000);
});

afterAll(async () => closeDefaultNodePool());
