import { describe, expect, it } from 'vitest';
import { resolveWorkload, type Report, type ShmDbResult } from '@numasim/shared';
import { runWorkload } from '../src/index.js';

// 2,000 processes × a 512 MiB segment on a 16-way, 4 GB NUMA-Q: 128 page-table pages each,
// 256,000 in all (1,000 MiB), more than ZONE_NORMAL's 896 MiB.
const db = { kind: 'shm-db', machine: 'numaq-16', processes: 2000, segmentMiB: 512 };
const run = (sets: string[], w: object = db) => runWorkload(resolveWorkload(w, sets), { checkInvariants: true });
const res = (r: Report) => r.workload as ShmDbResult;
const inUse = (r: Report) => r.memory!.zones.reduce((s, z) => s + z.pages - z.freePages, 0);
const ptePages = (r: Report) => res(r).ptePages.reduce((s, p) => s + p.pages, 0);
const kb = (r: Report) => (r.workload.kind === 'kernbench' ? r.workload : undefined)!;

describe('shm-db and page-table placement', () => {
  it('lowmem page tables run ZONE_NORMAL out on i386-numaq: the allocation fails, the report says out of memory', () => {
    const r = run(['pte=lowmem']);
    const w = res(r);
    expect(w.outOfMemory).toBe(true);
    expect(w.failedAllocations).toBeGreaterThan(0);
    expect(w.attached).toBeLessThan(2000);
    expect(w.firstFailureProcess).not.toBeNull();
    expect(w.attached + w.failedAllocations).toBeLessThanOrEqual(2000);
    expect(w.completionNs).toBeNull();
    // Every page table came from node 0's Normal zone, which is left at its pages_min.
    expect(w.ptePages.map((p) => `${p.node}/${p.zone}`)).toEqual(['0/Normal']);
    const normal = r.memory!.zones.find((z) => z.zone === 'Normal')!;
    expect(normal.freePages).toBe(normal.watermarks.min);
  });

  it('highmem and ukva page tables fit in the nodes\' highmem: every process attaches', () => {
    for (const pte of ['highmem', 'ukva']) {
      const r = run([`pte=${pte}`]);
      const w = res(r);
      expect(w.outOfMemory).toBe(false);
      expect(w.attached).toBe(2000);
      expect(w.completionNs).not.toBeNull();
      expect(ptePages(r)).toBe(2000 * 128);
      expect(w.ptePages.every((p) => p.zone === 'HighMem')).toBe(true);
      expect(r.memory!.zones.find((z) => z.zone === 'Normal')!.allocations).toBe(0);
    }
  });

  it('page-table pages are allocations in the zones: the segment plus the page tables are in use', () => {
    for (const pte of ['lowmem', 'highmem']) {
      const r = run([`pte=${pte}`]);
      expect(inUse(r)).toBe(512 * 256 + ptePages(r));
      const allocated = r.memory!.zones.reduce((s, z) => s + z.allocations, 0);
      expect(allocated).toBeGreaterThanOrEqual(ptePages(r));
    }
  });

  it('pte-highmem maps page tables with kmap_atomic on every fault; UKVA reaches them directly and is faster', () => {
    const high = run(['pte=highmem']);
    const ukva = run(['pte=ukva']);
    const pteKmaps = (r: Report) => r.memory!.kmap!.callers.find((c) => c.caller === 'pte_offset_map')!.kmapAtomic;
    expect(pteKmaps(high)).toBe(ptePages(high) * 1024);
    expect(pteKmaps(ukva)).toBe(0);
    expect(res(ukva).completionNs!).toBeLessThan(res(high).completionNs!);
    expect(high.locks.some((l) => l.class.includes('kmap_lock') && l.acquisitions > 0)).toBe(false);
  });

  it('x86_64 has no lowmem limit: lowmem page tables fit', () => {
    const r = run(['pte=lowmem', 'layout=x86_64']);
    expect(res(r).outOfMemory).toBe(false);
    expect(res(r).attached).toBe(2000);
  });

  it('kernbench: fork copies page tables and every image builds its own, in the zone of the placement, all freed at exit', () => {
    const build = {
      kind: 'kernbench', machine: 'numaq-16', jobs: 12, treePages: 300, kmap: 'atomic', textMissLines: 0,
      processes: [
        { name: 'cpp', anonPages: 40, fileFaults: 5, readPages: 10, writePages: 0, cpuNs: 500_000 },
        { name: 'cc1', anonPages: 2000, fileFaults: 5, readPages: 0, writePages: 1, cpuNs: 500_000 },
      ],
    };
    // Per job: fork copies make's (1 + 3 pages, sized like the first process) and cpp's (1 + 3) page tables; the images have 4 and 2 + 3.
    const perJob = 4 + 4 + 4 + 5;
    const normalAllocs = (r: Report) => r.memory!.zones.find((z) => z.zone === 'Normal')!.allocations;
    const low = run(['pte=lowmem'], build);
    expect(low.memory!.pageTables).toEqual({ placement: 'lowmem', pagesAllocated: 12 * perJob, allocationsFailed: 0 });
    expect(normalAllocs(low)).toBe(12 * perJob);
    const high = run(['pte=highmem'], build);
    expect(high.memory!.pageTables!.pagesAllocated).toBe(12 * perJob);
    expect(normalAllocs(high)).toBe(0);
    // Copies map source and destination (KM_PTE0, KM_PTE1), new tables only the destination; every
    // pte set (an anonymous fault, a file fault's mapping) two — handle_mm_fault's, and again after the
    // allocation or ->nopage — and every pte cleared at exit one (pteWalk per-pte: one per pte).
    const pteKmaps = high.memory!.kmap!.callers.find((c) => c.caller === 'pte_offset_map')!.kmapAtomic;
    const ptes = high.workload.kind === 'kernbench' ? high.workload.anonFaults + high.workload.fileMaps : 0;
    expect(kb(high).fileMaps).toBeGreaterThan(0);
    expect(pteKmaps).toBe(12 * (2 * 8 + 9) + 3 * ptes);
    for (const r of [low, high]) expect(inUse(r)).toBe(300 + kb(r).pageCacheWrites);
  });

  it('kernbench: lowmem page tables cost the quads without lowmem a remote miss per pte, pte-highmem a kmap_atomic, UKVA a local miss', () => {
    // One CPU per quad; the pte is set under mm->page_table_lock, whose hold shows the cost of reaching it.
    const build = {
      kind: 'kernbench', machine: 'numaq-16', cpusPerNode: 1, parallelJobs: 4, jobs: 8, treePages: 300, kmap: 'atomic', textMissLines: 0,
      processes: [{ name: 'cc1', anonPages: 200, fileFaults: 5, readPages: 0, writePages: 0, cpuNs: 1_000_000 }],
    };
    const ptlHold = (pte: string, cpu: number) => run([`pte=${pte}`], build).locks.find((l) => l.name === `mm->page_table_lock[cpu${cpu}]`)!.holdMeanNs;
    // CPU 1 is on quad 1: node 0's lowmem is 10:1 away.
    expect(ptlHold('lowmem', 1)).toBeGreaterThan(ptlHold('highmem', 1));
    expect(ptlHold('highmem', 1)).toBeGreaterThan(ptlHold('ukva', 1));
    // CPU 0 is on quad 0, where lowmem is: page tables there are local whatever the placement.
    expect(ptlHold('lowmem', 0)).toBeLessThan(ptlHold('highmem', 0));
  });
});
