/**
 * The page-cache layer: mapped file pages, reclaim unmapping them through their reverse maps
 * (out of context: UKVA falls back to kmap_atomic, or kswapd's own pool), and bounce buffers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { getPreset, resolveWorkload, type Report } from '@numasim/shared';
import { closeDefaultNodePool, runWorkloadPlaced } from '@numasim/node-sim';
import { runWorkload } from '../src/index.js';

// The mmap-pressure preset made smaller still: 4 quads × 24 MiB (20 MiB lowmem), 0.6 simulated s.
const SMALL = ['memPerNodeMiB=24', 'lowmemMiB=20', 'filePages=24576', 'durationNs=600000000'];
const cfg = (sets: string[]) => resolveWorkload(getPreset('numaq-16-mmap-pressure').workload, [...SMALL, ...sets]);
const run = (sets: string[] = []) => runWorkload(cfg(sets), { checkInvariants: true });
const reclaim = (r: Report) => r.memory!.reclaim!;
const kmapAtomic = (r: Report, caller: string) => r.memory!.kmap!.callers.find((c) => c.caller === caller)!.kmapAtomic;
const callerOf = (r: Report, lockPrefix: string, name: string) =>
  r.locks.filter((l) => l.name.startsWith(lockPrefix)).reduce((s, l) => s + (l.callers.find((c) => c.name === name)?.acquisitions ?? 0), 0);
const stable = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallSeconds: 0, eventsPerSecond: 0 }, config: { ...r.config, placement: undefined } });

afterAll(() => closeDefaultNodePool());

describe('mapped page-cache pages and reclaim', () => {
  it('rmap unmaps mapped pages through their pte_chains, one TLB-flush IPI per pte; 2.4 passes over them in shrink_cache', () => {
    const rmap = run(['lru=rmap']);
    expect(reclaim(rmap).ptesUnmapped).toBeGreaterThan(0);
    expect(reclaim(rmap).unmapTlbIpis).toBe(reclaim(rmap).ptesUnmapped);
    expect(reclaim(rmap).unmapWalkNs).toBeGreaterThan(0);
    expect(reclaim(rmap).mappedSkipped).toBe(0);
    expect(reclaim(rmap).swapOuts).toBe(0);
    const old = run(['lru=2.4']);
    expect(reclaim(old).ptesUnmapped).toBe(0);
    expect(reclaim(old).mappedSkipped).toBeGreaterThan(0);
    // Every file fault's pte was set under its mm's page_table_lock.
    expect(callerOf(old, 'mm->page_table_lock', 'do_no_page')).toBeGreaterThan(0);
    // 2.5 unmaps too, with no global lock for the pte_chains.
    const zoned = run(['lru=2.5-zone']);
    expect(reclaim(zoned).ptesUnmapped).toBeGreaterThan(0);
    expect(zoned.locks.some((l) => l.name === 'pagemap_lru_lock')).toBe(false);
  });

  it('2.4: a scan past max_mapped mapped pages calls swap_out, which unmaps old ptes mm by mm and lets reclaim free their pages', () => {
    const old = run(['lru=2.4']); // checkInvariants: every pte count agrees with the mappings the processes still hold
    const rc = reclaim(old);
    expect(rc.swapOuts).toBeGreaterThan(0);
    expect(rc.swapPtesUnmapped).toBeGreaterThan(0);
    // A pte is young from its fault: the first visit only clears that, so at most half the ptes looked at go.
    expect(rc.swapPtesUnmapped).toBeLessThan(rc.swapPtesScanned);
    // The walks' time is spent inside the page_table_lock holds taken for them.
    const ptlHold = old.locks.filter((l) => l.name.startsWith('mm->page_table_lock')).reduce((s, l) => s + (l.callers.find((c) => c.name === 'swap_out')?.holdTotalNs ?? 0), 0);
    expect(rc.swapWalkNs).toBeGreaterThan(0);
    expect(rc.swapWalkNs).toBeLessThanOrEqual(ptlHold);
    // Each mm visited: mmlist_lock to take it off the list, then its page_table_lock for the walk.
    const mmlist = callerOf(old, 'mmlist_lock', 'swap_out');
    expect(mmlist).toBeGreaterThanOrEqual(rc.swapOuts);
    expect(callerOf(old, 'mm->page_table_lock', 'swap_out')).toBe(mmlist);
    // The rmap variants have no swap_out and no mm list lock.
    expect(run(['lru=rmap']).locks.some((l) => l.name === 'mmlist_lock')).toBe(false);
    // Unmapped pages are freed: 2.4 now keeps reading where, passing over every mapped page, it fell behind rmap by 3×.
    const reads = (r: Report) => (r.workload.kind === 'mem-pressure' ? r.workload.reads : 0);
    expect(reads(old)).toBeGreaterThan(0.5 * reads(run(['lru=rmap'])));
  });

  it('kswapd is out of context: UKVA page tables fall back to kmap_atomic per pte, or to its own pool', () => {
    const ukva = run(['pte=ukva']);
    // In context a UKVA pte needs no kmap, so every pte_offset_map kmap is the reclaim walk's.
    expect(kmapAtomic(ukva, 'pte_offset_map')).toBe(reclaim(ukva).ptesUnmapped);
    expect(reclaim(ukva).kswapdPoolMaps).toBe(0);
    // kswapd's own pool serves kswapd's walks; a task in direct reclaim still uses kmap_atomic.
    const pool = run(['pte=ukva', 'kswapdKmapPool=true']);
    expect(reclaim(pool).ptesUnmapped).toBeGreaterThan(0);
    expect(reclaim(pool).kswapdPoolMaps).toBeGreaterThan(0);
    expect(reclaim(pool).kswapdPoolMaps + kmapAtomic(pool, 'pte_offset_map')).toBe(reclaim(pool).ptesUnmapped);
    const kswapdOnly = run(['pte=ukva', 'kswapdKmapPool=true', 'directReclaim=false']);
    expect(kmapAtomic(kswapdOnly, 'pte_offset_map')).toBe(0);
    expect(reclaim(kswapdOnly).kswapdPoolMaps).toBe(reclaim(kswapdOnly).ptesUnmapped);
    // Lowmem page tables are reached directly: no kmap at all.
    const low = run(['pte=lowmem']);
    expect(reclaim(low).ptesUnmapped).toBeGreaterThan(0);
    expect(kmapAtomic(low, 'pte_offset_map')).toBe(0);
    expect(reclaim(low).kswapdPoolMaps).toBe(0);
  });

  // The run stops at its durationNs: a shrink_cache batch (SWAP_CLUSTER_MAX pages) may be counted on
  // its list's node and not yet have dropped its pages under pagecache_lock — one per CPU and kswapd.
  const inFlightAtCut = (r: Report) => 32 * (r.machine.cpus + r.machine.nodes);

  it('direct reclaim: an allocation that fails every pass runs try_to_free_pages itself; without it, it only waits for kswapd', () => {
    const direct = run();
    expect(reclaim(direct).directReclaims).toBeGreaterThan(0);
    expect(reclaim(direct).directPagesReclaimed).toBeGreaterThan(0);
    expect(reclaim(direct).directPagesReclaimed).toBeLessThanOrEqual(reclaim(direct).pagesReclaimed);
    expect(reclaim(direct).directReclaims).toBeLessThanOrEqual(reclaim(direct).allocationWaits);
    // Pages direct reclaim took still leave the page cache under pagecache_lock, like kswapd's.
    expect(callerOf(direct, 'pagecache_lock', 'shrink_cache')).toBeGreaterThan(0);
    expect(Math.abs(callerOf(direct, 'pagecache_lock', 'shrink_cache') - reclaim(direct).pagesReclaimed)).toBeLessThanOrEqual(inFlightAtCut(direct));
    const waiting = run(['directReclaim=false']);
    expect(reclaim(waiting).directReclaims).toBe(0);
    expect(reclaim(waiting).directPagesReclaimed).toBe(0);
    expect(reclaim(waiting).allocationWaits).toBeGreaterThan(0);
  });

  it('kswapd=global: one kswapd, on node 0, balances every node\'s zones', () => {
    const perNode = run();
    const global = run(['kswapd=global']);
    const reclaimedOn = (r: Report, node: number) => r.memory!.zones.filter((z) => z.node === node).reduce((s, z) => s + z.pagesReclaimed, 0);
    for (const node of [1, 2, 3]) expect(reclaimedOn(global, node)).toBeGreaterThan(0);
    // Its scans of the other quads' lists take their LRU lock from node 0; the pages still leave under pagecache_lock.
    expect(callerOf(global, 'pagecache_lock', 'shrink_cache')).toBeGreaterThan(0);
    expect(Math.abs(callerOf(global, 'pagecache_lock', 'shrink_cache') - reclaim(global).pagesReclaimed)).toBeLessThanOrEqual(inFlightAtCut(global));
    expect(reclaim(global).kswapdRuns).toBeGreaterThan(0);
    // Allocations still get their pages: from kswapd's work on their node, or by reclaiming directly.
    expect(reclaim(global).directReclaims).toBeGreaterThan(0);
    expect(reclaim(perNode).directReclaims).toBeGreaterThan(0);
  });

  it('bounce: every read back into highmem takes a ZONE_NORMAL page under zone->lock and copies through kmap_atomic', () => {
    const off = run();
    expect(off.memory!.bounce).toBeUndefined();
    expect(callerOf(off, 'zone->lock', 'alloc_bounce_page')).toBe(0);
    const on = run(['bounce=true']);
    const w = on.workload;
    if (w.kind !== 'mem-pressure') throw new Error('not a mem-pressure report');
    const b = on.memory!.bounce!;
    // Every file page lives in highmem here (lowmem is 20 MiB of node 0's 24), so every read-back bounces.
    expect(b.pages).toBe(w.refaults);
    expect(callerOf(on, 'zone->lock[node0/Normal]', 'alloc_bounce_page')).toBe(b.pages - b.emergencyPool);
    // The copy happens for every read-back that got its page: not for those that failed for want of
    // memory, nor for those still reading when the run stopped (at most one per CPU).
    expect(kmapAtomic(on, 'bounce_end_io_read')).toBeLessThanOrEqual(b.pages);
    expect(kmapAtomic(on, 'bounce_end_io_read')).toBeGreaterThanOrEqual(b.pages - w.allocationFailures - 16);
  });

  it('is deterministic and the same in every placement, with a kswapd per node or one for all', async () => {
    for (const [kswapd, lru] of [['per-node', 'rmap'], ['global', 'rmap'], ['per-node', '2.4']]) {
      const sets = ['durationNs=300000000', `kswapd=${kswapd}`, `lru=${lru}`];
      const inline = await runWorkloadPlaced(cfg([...sets, 'placement=inline']));
      const rc = inline.report.memory!.reclaim!;
      expect(lru === '2.4' ? rc.swapPtesUnmapped : rc.ptesUnmapped).toBeGreaterThan(0);
      const packed = await runWorkloadPlaced(cfg([...sets, 'placement=packed:2']));
      expect(stable(packed.report)).toBe(stable(inline.report));
    }
  });
});
