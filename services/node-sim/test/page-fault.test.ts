/** The page_fault1 workload on the memory model: invariants, determinism, and the LRU variants' directions. */
import { describe, expect, it } from 'vitest';
import { resolveWorkload, type Report } from '@numasim/shared';
import { runWorkload } from '@numasim/node-sim';

const run = (sets: string[], durationNs = 60_000_000) =>
  runWorkload(resolveWorkload({ kind: 'page-fault', machine: 'numaq-16', durationNs }, sets), { checkInvariants: true });
const lock = (r: Report, name: string) => r.locks.find((l) => l.name === name)!;
const faults = (r: Report) => (r.workload.kind === 'page-fault' ? r.workload.faults : NaN);
const stable = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallSeconds: 0, eventsPerSecond: 0 } });

describe('page-fault workload', () => {
  it.each([
    ['2.4', 'false'],
    ['2.4', 'true'],
    ['rmap', 'false'],
    ['rmap', 'true'],
    ['2.5-zone', 'false'],
    ['2.5-zone', 'true'],
  ])('lru=%s pagevec=%s: memory invariants hold and every frame is accounted for', (lru, pagevec) => {
    const r = run([`lru=${lru}`, `pagevec=${pagevec}`]);
    expect(faults(r)).toBeGreaterThan(500); // several 128-page cycles per CPU, even under rmap's lock
    const m = r.memory!;
    expect(m.bytesPerFrame).toBe(16);
    const total = m.zones.reduce((s, z) => s + z.pages, 0);
    expect(total).toBe(4 * 1024 * 256);
    // In use at the end: pages faulted in the current cycles and not yet freed, at most a cycle per CPU.
    const inUse = total - m.zones.reduce((s, z) => s + z.freePages, 0);
    expect(inUse).toBeLessThanOrEqual(16 * 128);
    expect(m.zones.reduce((s, z) => s + z.allocations - z.frees, 0)).toBe(inUse);
  });

  it('is deterministic, and a different seed changes nothing a constant think time does not touch', () => {
    expect(stable(run(['seed=3']))).toBe(stable(run(['seed=3'])));
  });

  it('takes the global pagemap_lru_lock once per page under 2.4, and once per 16 with pagevecs', () => {
    const plain = run(['lru=2.4']);
    const batched = run(['lru=2.4', 'pagevec=true']);
    const acq = (r: Report) => lock(r, 'pagemap_lru_lock').acquisitions;
    const cycles = (r: Report) => (r.workload.kind === 'page-fault' ? r.workload.cycles : 0);
    // lru_cache_add + lru_cache_del per page of every finished cycle, and no more than two per fault.
    expect(acq(plain)).toBeGreaterThanOrEqual(2 * cycles(plain) * 128);
    expect(acq(plain)).toBeLessThanOrEqual(2 * faults(plain));
    // With pagevecs one acquisition per 16 pages (a partial batch per CPU at most at the end).
    expect(acq(batched)).toBeGreaterThanOrEqual((2 * cycles(batched) * 128) / 16);
    expect(acq(batched)).toBeLessThanOrEqual((2 * faults(batched)) / 16 + 16);
    expect(lock(batched, 'pagemap_lru_lock').conPercent).toBeLessThan(lock(plain, 'pagemap_lru_lock').conPercent);
    expect(faults(batched)).toBeGreaterThan(faults(plain));
  });

  it('rmap adds page_add_rmap and page_remove_rmap to the global lock and loses throughput; per-zone LRU locks win it back', () => {
    // Long enough for rmap's first cycles to finish under its contention (map and unmap both seen).
    const v24 = run(['lru=2.4'], 150_000_000);
    const rmap = run(['lru=rmap'], 150_000_000);
    const zone = run(['lru=2.5-zone'], 150_000_000);
    const callers = lock(rmap, 'pagemap_lru_lock').callers.map((c) => c.name).sort();
    expect(callers).toEqual(['lru_cache_add', 'lru_cache_del', 'page_add_rmap', 'page_remove_rmap']);
    expect(faults(rmap)).toBeLessThan(faults(v24));
    expect(faults(zone)).toBeGreaterThan(faults(v24));
    expect(zone.locks.some((l) => l.class === 'pagemap_lru_lock')).toBe(false);
    const zoneLocks = zone.locks.filter((l) => l.class === 'zone->lru_lock');
    expect(Math.max(...zoneLocks.map((l) => l.conPercent))).toBeLessThan(lock(v24, 'pagemap_lru_lock').conPercent);
  });

  it('clears highmem pages through kmap_atomic on i386 and never on x86_64', () => {
    const i386 = run([]);
    // Every user page on numaq-16 is highmem; faults still in flight at the end are cleared but not counted yet.
    expect(i386.memory!.kmapAtomic).toBeGreaterThanOrEqual(faults(i386));
    expect(i386.memory!.kmapAtomic).toBeLessThanOrEqual(faults(i386) + 16);
    const x86 = runWorkload(resolveWorkload({ kind: 'page-fault', machine: 'x86_64-2s', durationNs: 2_000_000 }), { checkInvariants: true });
    expect(x86.memory!.kmapAtomic).toBe(0);
  });

  it('numastat: numa-local serves user pages from the local node; round-robin spreads them', () => {
    const local = run(['zonelist=numa-local']).memory!.numastat;
    expect(local.every((n) => n.numaMiss === 0 && n.otherNode === 0)).toBe(true);
    expect(local.every((n) => n.numaHit > 0)).toBe(true);
    const rr = run(['zonelist=round-robin']).memory!.numastat;
    expect(rr.reduce((s, n) => s + n.otherNode, 0)).toBeGreaterThan(rr.reduce((s, n) => s + n.localNode, 0));
    expect(rr.reduce((s, n) => s + n.numaHit + n.numaMiss, 0)).toBe(rr.reduce((s, n) => s + n.localNode + n.otherNode, 0));
  });

  it('falls back to other nodes when the local zones are exhausted, waking kswapd, and counts failures when nothing is left', () => {
    // 64 MiB per node, 5000 pages per cycle per CPU: 4 CPUs × 5000 pages outgrow a node's 16 384.
    const r = runWorkload(resolveWorkload({ kind: 'page-fault', nodes: 2, cpusPerNode: 4, memPerNodeMiB: 64, layout: 'x86_64', pagesPerCycle: 5000, durationNs: 200_000_000 }), { checkInvariants: true });
    const m = r.memory!;
    expect(m.kswapdWakeups).toBeGreaterThan(0);
    expect(m.numastat.reduce((s, n) => s + n.numaMiss, 0)).toBeGreaterThan(0);
    const tiny = runWorkload(resolveWorkload({ kind: 'page-fault', nodes: 1, cpusPerNode: 2, memPerNodeMiB: 16, layout: 'x86_64', pagesPerCycle: 5000, durationNs: 50_000_000 }), { checkInvariants: true });
    expect(tiny.workload.kind === 'page-fault' && tiny.workload.allocationFailures).toBeGreaterThan(0);
  });
});
