/** fork with copy-on-write and 2.4-rmap's pte_chains (`forkCow`), and shrink_cache's nesting (`reclaimNesting`). */
import { afterAll, describe, expect, it } from 'vitest';
import { getPreset, resolveWorkload, type Report } from '@numasim/shared';
import { closeDefaultNodePool, runWorkload, runWorkloadPlaced } from '@numasim/node-sim';
import { PTE_CHAINS_PER_PAGE, RmapChains } from '../src/mm/rmap.js';
import type { HighmemCore } from '../src/mm/node-services.js';

const kernbench = {
  kind: 'kernbench',
  machine: 'numaq-16',
  jobs: 24,
  treePages: 300,
  processes: [
    { name: 'gcc', anonPages: 20, fileFaults: 8, readPages: 0, writePages: 0, cpuNs: 1_000_000 },
    { name: 'cc1', anonPages: 120, fileFaults: 30, readPages: 20, writePages: 0, cpuNs: 6_000_000 },
    { name: 'as', anonPages: 20, fileFaults: 5, readPages: 0, writePages: 3, cpuNs: 1_000_000 },
  ],
};
const run = (sets: string[]) => runWorkload(resolveWorkload(kernbench, sets), { checkInvariants: true });
const lock = (r: Report, prefix: string) => r.locks.filter((l) => l.name.startsWith(prefix));
const caller = (r: Report, prefix: string, name: string) => lock(r, prefix).reduce((s, l) => s + (l.callers.find((c) => c.name === name)?.acquisitions ?? 0), 0);
const nested = (r: Report, prefix: string) => lock(r, prefix).reduce((s, l) => s + (l.nestedAcquisitions ?? 0), 0);
const kb = (r: Report) => {
  if (r.workload.kind !== 'kernbench') throw new Error('not a kernbench report');
  return r.workload;
};
const processes = 24 * 3;
afterAll(() => closeDefaultNodePool());
// Every fork copies the driver's (the first program's) ptes.
const parentPtes = 20 + 8;

describe('fork with copy-on-write (forkCow)', () => {
  it('is off by default: no fork section, no COW faults', () => {
    const r = run(['lru=2.4']);
    expect(r.memory!.fork).toBeUndefined();
    expect(caller(r, 'mm->page_table_lock', 'do_wp_page')).toBe(0);
  });

  it('copies the parent\'s ptes at fork; a child writing parent pages before exec COW-faults: a new page, copied, on the LRU, freed by exec', () => {
    const r = run(['lru=2.4', 'forkCow=true', 'cowFaultsBeforeExec=2']);
    const f = r.memory!.fork!;
    const w = kb(r);
    expect(f.forks).toBe(processes);
    expect(f.ptesCopied).toBe(processes * parentPtes);
    expect(f.cowFaults).toBe(processes * 2);
    // exec drops the ptes the COW faults did not replace; the copies go like any anonymous page.
    expect(f.ptesDropped).toBe(processes * (parentPtes - 2));
    expect(caller(r, 'mm->page_table_lock', 'do_wp_page')).toBe(f.cowFaults);
    expect(caller(r, 'mm->page_table_lock', 'copy_page_range')).toBe(f.forks);
    expect(caller(r, 'pagemap_lru_lock', 'lru_cache_add')).toBe(w.anonFaults + w.pageCacheWrites + f.cowFaults);
    expect(caller(r, 'pagemap_lru_lock', 'lru_cache_del')).toBe(w.anonFaults + f.cowFaults);
    // Each COW fault took a page from the buddy allocator (and exec gave it back): what stays is the page cache.
    const off = run(['lru=2.4']);
    expect(caller(r, 'zone->lock', 'rmqueue')).toBe(caller(off, 'zone->lock', 'rmqueue') + f.cowFaults);
    const inUse = (x: Report) => x.memory!.zones.reduce((s, z) => s + z.pages - z.freePages, 0);
    expect(inUse(r)).toBe(inUse(off));
    // The copy is kernel work held under the parent's page_table_lock. (Neither the build time nor
    // the system time shows it reliably: with NUMA-Q's lock-line timing both move by more than the
    // copy with the interleaving of the lock hand-offs.)
    const copyHold = r.locks.filter((l) => l.class === 'mm->page_table_lock').flatMap((l) => l.callers).filter((c) => c.name === 'copy_page_range').reduce((s, c) => s + c.holdTotalNs, 0);
    expect(copyHold / f.forks).toBeGreaterThan(parentPtes * r.config.costs.pteSetNs);
  });

  it('a vforked process borrows its parent\'s mm: no ptes or page tables copied, no COW, nothing dropped at exec', () => {
    const vf = ['processes.1.start=vfork', 'processes.2.start=vfork'];
    const r = run(['lru=2.4', 'forkCow=true', ...vf]);
    const f = r.memory!.fork!;
    expect(f.forks).toBe(24);
    expect(f.vforks).toBe(48);
    expect(f.ptesCopied).toBe(24 * parentPtes);
    expect(f.cowFaults).toBe(24 * 2);
    const all = run(['lru=2.4', 'forkCow=true']);
    expect(r.memory!.pageTables!.pagesAllocated).toBeLessThan(all.memory!.pageTables!.pagesAllocated);
  });

  it('rmap: every copied pte is a page_add_rmap under pagemap_lru_lock nested in page_table_lock, every dropped one a page_remove_rmap', () => {
    const r = run(['lru=rmap', 'forkCow=true']);
    const f = r.memory!.fork!;
    expect(f.rmapAdds).toBe(caller(r, 'pagemap_lru_lock', 'page_add_rmap'));
    expect(f.rmapRemoves).toBe(caller(r, 'pagemap_lru_lock', 'page_remove_rmap'));
    // Every process exited: every pte_chain entry went back.
    expect(f.rmapAdds).toBe(f.rmapRemoves);
    // copy_page_range's adds and exit_mmap's removes are taken with page_table_lock held.
    expect(nested(r, 'pagemap_lru_lock')).toBeGreaterThanOrEqual(f.ptesCopied + f.ptesDropped);
    // The global freelist was refilled a page at a time, under the lock.
    expect(f.freelistRefills).toBeGreaterThan(0);
    expect(f.freelistRefills * PTE_CHAINS_PER_PAGE).toBeGreaterThanOrEqual(f.chainWalkMax);
  });

  it('rmap: page_remove_rmap walks longer chains the more live processes share a program\'s text', () => {
    const one = run(['lru=rmap', 'forkCow=true', 'parallelJobs=1']).memory!.fork!;
    const many = run(['lru=rmap', 'forkCow=true', 'parallelJobs=16']).memory!.fork!;
    expect(one.chainWalkMax).toBeLessThanOrEqual(2);
    expect(many.chainWalkMax).toBeGreaterThan(4);
    expect(many.chainWalkMean).toBeGreaterThan(one.chainWalkMean);
  });

  it('gives the same report on every placement', async () => {
    const sets = ['lru=rmap', 'forkCow=true', 'reclaimNesting=true', 'jobs=8'];
    const a = run([...sets, 'placement=inline']);
    const b = (await runWorkloadPlaced(resolveWorkload(kernbench, [...sets, 'placement=packed:2']))).report;
    expect(b.memory).toEqual(a.memory);
    expect(b.locks).toEqual(a.locks);
    expect(b.workload).toEqual(a.workload);
  });
});

describe('pte_chains (rmap.ts)', () => {
  const fake = { node: 0, lowmemNode: 0, s: { memNs: new Float64Array([100]), topo: { nodes: 1 }, cfg: { costs: { buddyOpNs: 300, pageClearNs: 18_000, pteSetNs: 50 } } } } as unknown as HighmemCore;

  it('pushes at the head and walks from it: the oldest pte is found last', () => {
    const c = new RmapChains(fake, 4);
    for (let cpu = 0; cpu < 5; cpu++) c.add(2, cpu);
    expect(c.chainLength(2)).toBe(5);
    expect(c.remove(2, 0)).toBe(5 * 100); // the first added, at the tail
    expect(c.remove(2, 4)).toBe(100); // the last added, at the head
    expect(c.walkMax).toBe(5);
    expect(c.walked).toBe(6);
    c.checkInvariants();
  });

  it('refills the freelist a page (512 entries) at a time, and charges the refill to the add that found it empty', () => {
    const c = new RmapChains(fake, 1);
    const first = c.add(-1, 0);
    expect(first).toBe(300 + 18_000 + PTE_CHAINS_PER_PAGE * 50);
    for (let k = 1; k < PTE_CHAINS_PER_PAGE; k++) expect(c.add(0, k)).toBe(0);
    expect(c.refills).toBe(1);
    expect(c.add(0, 999)).toBeGreaterThan(0);
    expect(c.refills).toBe(2);
    // Entries given back are reused before any new page.
    c.remove(0, 999);
    c.add(0, 1000);
    expect(c.refills).toBe(2);
    c.checkInvariants();
  });
});

describe('shrink_cache nesting (reclaimNesting)', () => {
  // 2 nodes × 64 MiB reading 60 000 pages of files: reclaim runs from the start.
  const pressure = { kind: 'mem-pressure', nodes: 2, cpusPerNode: 2, memPerNodeMiB: 64, layout: 'x86_64', filePages: 60_000, readsPerProcess: 64, durationNs: 200_000_000 };
  const mp = (sets: string[]) => runWorkload(resolveWorkload(pressure, sets), { checkInvariants: true });

  it('2.4: every page shrink_cache frees leaves the page cache and the LRU lock\'s hold nested inside pagemap_lru_lock', () => {
    const r = mp(['lru=2.4', 'reclaimNesting=true']);
    const rc = r.memory!.reclaim!;
    expect(rc.pagesReclaimed).toBeGreaterThan(0);
    expect(caller(r, 'pagecache_lock', 'shrink_cache')).toBe(rc.pagesReclaimed);
    expect(nested(r, 'pagecache_lock')).toBeGreaterThanOrEqual(rc.pagesReclaimed);
    expect(nested(r, 'zone->lock')).toBeGreaterThanOrEqual(rc.pagesReclaimed);
    // The holds include the nested work: longer than taking the locks one after another.
    const flat = mp(['lru=2.4']);
    const hold = (x: Report) => x.locks.find((l) => l.name === 'pagemap_lru_lock')!.callers.find((c) => c.name === 'shrink_cache')!.holdMeanNs;
    expect(nested(flat, 'pagecache_lock')).toBe(0);
    expect(hold(r)).toBeGreaterThan(hold(flat));
  });

  it('numaq-16-mem-pressure reaches reclaim, and the lock table shows the nested holds', () => {
    const r = runWorkload(resolveWorkload(getPreset('numaq-16-mem-pressure').workload, ['reclaimNesting=true', 'durationNs=300000000']));
    const taken = r.memory!.reclaim!.pagesReclaimed;
    expect(taken).toBeGreaterThan(0);
    expect(lock(r, 'pagecache_lock')[0].nestedAcquisitions).toBe(taken);
    expect(nested(r, 'zone->lock')).toBe(taken);
  });

  it('2.5-zone frees after dropping zone->lru_lock: nothing nests there', () => {
    const r = mp(['lru=2.5-zone', 'reclaimNesting=true']);
    expect(r.memory!.reclaim!.pagesReclaimed).toBeGreaterThan(0);
    expect(nested(r, 'pagecache_lock')).toBe(0);
  });
});
