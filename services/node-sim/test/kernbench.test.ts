import { describe, expect, it } from 'vitest';
import { EXEC_READS_DEFAULT, resolveWorkload, type Report } from '@numasim/shared';
import { runWorkload } from '../src/index.js';
import { smallKernbench } from './small-kernbench.js';

const small = smallKernbench(6_000_000);
const run = (sets: string[] = []) => runWorkload(resolveWorkload(small, sets), { checkInvariants: true });
const lock = (r: Report, name: string) => r.locks.find((l) => l.name === name);
const caller = (r: Report, lockName: string, name: string) => lock(r, lockName)?.callers.find((c) => c.name === name)?.acquisitions ?? 0;
const kb = (r: Report) => {
  if (r.workload.kind !== 'kernbench') throw new Error('not a kernbench report');
  return r.workload;
};
const stable = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallSeconds: 0, eventsPerSecond: 0 } });

describe('kernbench workload', () => {
  it('builds every job, ends when the last one exits, and reports the build time', () => {
    const r = run();
    const w = kb(r);
    expect(w.jobsCompleted).toBe(24);
    expect(w.processes).toBe(24 * 3);
    expect(w.completionNs).not.toBeNull();
    // The run stops with the build: nothing is left to simulate after the last job reports back.
    expect(r.run.simulatedNs).toBeGreaterThanOrEqual(w.completionNs!);
    expect(r.run.simulatedNs - w.completionNs!).toBeLessThan(1_000_000);
    expect(w.anonFaults).toBe(24 * (40 + 120 + 20));
    // Faults and reads, and each exec's six kernel_reads of ELF headers (EXEC_READS_DEFAULT).
    expect(w.pageCacheLookups).toBe(24 * (10 + 60 + 30 + 5) + 24 * 3 * EXEC_READS_DEFAULT);
    expect(w.pageCacheWrites).toBe(24 * 3);
    expect(w.allocationFailures).toBe(0);
    expect(w.jobLatencyNs.mean).toBeGreaterThan(9_000_000); // at least the jobs' user time
  });

  it('2.4: every anonymous and written page goes on the LRU under pagemap_lru_lock, every anonymous page leaves it at exit', () => {
    const r = run(['lru=2.4']);
    const w = kb(r);
    expect(caller(r, 'pagemap_lru_lock', 'lru_cache_add')).toBe(w.anonFaults + w.pageCacheWrites);
    expect(caller(r, 'pagemap_lru_lock', 'lru_cache_del')).toBe(w.anonFaults);
    expect(caller(r, 'pagemap_lru_lock', 'activate_page')).toBe(w.activations);
    expect(w.activations).toBeGreaterThan(0);
    expect(w.activations).toBeLessThanOrEqual(300);
    // Faults look up through find_get_page; read()s and exec's reads inside do_generic_file_read.
    expect(caller(r, 'pagecache_lock', 'find_get_page')).toBe(24 * (10 + 30 + 5));
    expect(caller(r, 'pagecache_lock', 'find_get_page') + caller(r, 'pagecache_lock', 'do_generic_file_read')).toBe(w.pageCacheLookups);
    expect(caller(r, 'pagecache_lock', 'add_to_page_cache')).toBe(w.pageCacheWrites);
    // generic_file_write looks each new page up first (__grab_cache_page), and misses.
    expect(caller(r, 'pagecache_lock', '__find_lock_page')).toBe(w.pageCacheWrites);
    // What stays allocated at the end is the page cache: the tree and the build's output.
    const m = r.memory!;
    const inUse = m.zones.reduce((s, z) => s + z.pages - z.freePages, 0);
    expect(inUse).toBe(300 + w.pageCacheWrites);
    expect(m.zones.reduce((s, z) => s + z.lruActive + z.lruInactive, 0)).toBe(300 + w.pageCacheWrites);
  });

  it('keeps the memory invariants under every LRU variant, with and without pagevecs', () => {
    for (const lru of ['2.4', 'rmap', '2.5-zone']) {
      for (const pagevec of ['false', 'true']) {
        const r = run([`lru=${lru}`, `pagevec=${pagevec}`]);
        expect(kb(r).jobsCompleted).toBe(24);
        const inUse = r.memory!.zones.reduce((s, z) => s + z.pages - z.freePages, 0);
        expect(inUse).toBe(300 + kb(r).pageCacheWrites);
      }
    }
  });

  it('pagevecs take the LRU lock once per 16 pages; rmap adds a pte_chain update per map and unmap; 2.5 has no global LRU lock', () => {
    const plain = run(['lru=2.4']);
    const batched = run(['lru=2.4', 'pagevec=true']);
    const lru = (r: Report) => caller(r, 'pagemap_lru_lock', 'lru_cache_add') + caller(r, 'pagemap_lru_lock', 'lru_cache_del');
    expect(lru(batched)).toBeLessThan(lru(plain) / 12);
    const rmap = run(['lru=rmap']);
    // Every anonymous fault and every file fault's mapping adds a pte_chain entry; exit removes each.
    expect(kb(rmap).fileMaps).toBeGreaterThan(0);
    expect(caller(rmap, 'pagemap_lru_lock', 'page_add_rmap')).toBe(kb(rmap).anonFaults + kb(rmap).fileMaps);
    expect(caller(rmap, 'pagemap_lru_lock', 'page_remove_rmap')).toBe(kb(rmap).anonFaults + kb(rmap).fileMaps);
    const ptl = (r: Report, name: string) => r.locks.filter((l) => l.name.startsWith('mm->page_table_lock')).reduce((s, l) => s + (l.callers.find((c) => c.name === name)?.acquisitions ?? 0), 0);
    expect(ptl(plain, 'do_no_page')).toBe(kb(plain).fileMaps);
    const zoned = run(['lru=2.5-zone']);
    expect(lock(zoned, 'pagemap_lru_lock')).toBeUndefined();
    expect(zoned.locks.some((l) => l.name.startsWith('zone->lru_lock') && l.acquisitions > 0)).toBe(true);
  });

  it('is deterministic for a seed, and the seed matters', () => {
    expect(stable(run(['seed=5']))).toBe(stable(run(['seed=5'])));
    expect(kb(run(['seed=5'])).completionNs).not.toBe(kb(run(['seed=6'])).completionNs);
  });

  it('stops at durationNs when the build is not over, and says so', () => {
    const r = run(['durationNs=3000000']);
    expect(kb(r).completionNs).toBeNull();
    expect(kb(r).jobsCompleted).toBeLessThan(24);
    expect(r.run.simulatedNs).toBe(3_000_000);
  });
});
