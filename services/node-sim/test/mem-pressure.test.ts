/** Reclaim under a working set larger than memory: kswapd, shrink_cache, refill, read-back from disk. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveWorkload, type Report } from '@numasim/shared';
import { runWorkload, runWorkloadWithSeries } from '../src/index.js';
import { LruLists } from '../src/mm/lru.js';
import { PageFrames, PG_inuse, PG_lru, PG_referenced } from '../src/mm/page-frames.js';
import { maxScan, refillTarget, SCAN_KEEP, SCAN_TAKE, shrinkInactive, SWAP_CLUSTER_MAX } from '../src/mm/reclaim.js';

// 2 nodes × 64 MiB (32 768 pages) reading 60 000 pages of files.
const small = { kind: 'mem-pressure', nodes: 2, cpusPerNode: 2, memPerNodeMiB: 64, layout: 'x86_64', filePages: 60_000, readsPerProcess: 64, durationNs: 300_000_000 };
const run = (sets: string[] = []) => runWorkload(resolveWorkload(small, sets), { checkInvariants: true });
const mp = (r: Report) => {
  if (r.workload.kind !== 'mem-pressure') throw new Error('not a mem-pressure report');
  return r.workload;
};
const caller = (r: Report, lockPrefix: string, name: string) =>
  r.locks.filter((l) => l.name.startsWith(lockPrefix)).reduce((s, l) => s + (l.callers.find((c) => c.name === name)?.acquisitions ?? 0), 0);

describe('mem-pressure workload and reclaim', () => {
  it('keeps the page cache full: kswapd reclaims, misses are read back from disk, no allocation fails', () => {
    const r = run();
    const w = mp(r);
    const rc = r.memory!.reclaim!;
    expect(w.reads).toBeGreaterThan(0);
    expect(w.refaults).toBeGreaterThan(0);
    expect(w.hitPercent).toBeGreaterThan(0);
    expect(w.hitPercent).toBeLessThan(100);
    expect(rc.kswapdRuns).toBeGreaterThan(0);
    expect(rc.pagesReclaimed).toBeGreaterThan(0);
    expect(rc.pagesReclaimed).toBeLessThanOrEqual(rc.pagesScanned);
    expect(w.allocationFailures).toBe(0);
    // Every page reclaim took left the page cache under pagecache_lock and was freed under zone->lock.
    expect(caller(r, 'pagecache_lock', 'shrink_cache')).toBe(rc.pagesReclaimed);
    const zones = r.memory!.zones;
    expect(zones.reduce((s, z) => s + z.pagesReclaimed, 0)).toBe(rc.pagesReclaimed);
    // kswapd keeps every zone from running dry.
    expect(zones.every((z) => z.freePages > 0)).toBe(true);
  });

  it('reclaims under the LRU lock of the variant: pagemap_lru_lock in 2.4, zone->lru_lock in 2.5', () => {
    const v24 = run(['lru=2.4']);
    expect(caller(v24, 'pagemap_lru_lock', 'shrink_cache')).toBeGreaterThan(0);
    const v25 = run(['lru=2.5-zone']);
    expect(caller(v25, 'zone->lru_lock', 'shrink_cache')).toBeGreaterThan(0);
    expect(v25.locks.some((l) => l.name === 'pagemap_lru_lock')).toBe(false);
  });

  it('samples every zone\'s free pages and LRU sizes into the time series', () => {
    const { report, series } = runWorkloadWithSeries(resolveWorkload(small, ['sampleEveryNs=10000000']));
    expect(series.zones).toHaveLength(report.memory!.zones.length);
    for (const z of series.zones!) {
      expect(z.freePages).toHaveLength(series.tNs.length);
      expect(z.lruInactive).toHaveLength(series.tNs.length);
    }
    // The last sample is the end of the run: it equals the report's zones.
    const last = series.tNs.length - 1;
    expect(series.zones!.map((z) => z.freePages[last])).toEqual(report.memory!.zones.map((z) => z.freePages));
    // Under pressure the free counts move.
    expect(series.zones!.some((z) => new Set(z.freePages).size > 1)).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const a = run(['seed=4']);
    const b = run(['seed=4']);
    expect(JSON.stringify({ ...a, engine: null })).toBe(JSON.stringify({ ...b, engine: null }));
  });

  it('without pressure (files fit in memory) kswapd never runs', () => {
    const r = run(['filePages=8000']);
    expect(r.memory!.reclaim!.kswapdRuns).toBe(0);
    expect(mp(r).refaults).toBe(0);
  });
});

describe('shrink_cache and refill_inactive scans (property tests)', () => {
  it('take only pages the caller may free, at most a cluster, and keep the lists consistent', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ referenced: fc.boolean(), freeable: fc.boolean(), active: fc.boolean() }), { minLength: 0, maxLength: 200 }), fc.integer({ min: 1, max: 6 }), (pages, priority) => {
        const frames = new PageFrames(0, pages.length);
        const lru = new LruLists(frames);
        pages.forEach((p, i) => {
          frames.flags[i] |= PG_inuse;
          lru.add(i);
          if (p.active) lru.activate(i);
          if (p.referenced) frames.flags[i] |= PG_referenced;
        });
        lru.refillInactive(refillTarget(lru));
        lru.checkInvariants('after refill');
        const out = new Int32Array(SWAP_CLUSTER_MAX);
        const limit = maxScan(lru, priority);
        const r = shrinkInactive(lru, frames, limit, SWAP_CLUSTER_MAX, (f) => (pages[f].freeable ? SCAN_TAKE : SCAN_KEEP), out);
        const scanned = r & 0xfffff;
        const taken = r >>> 20;
        expect(scanned).toBeLessThanOrEqual(limit);
        expect(taken).toBeLessThanOrEqual(Math.min(scanned, SWAP_CLUSTER_MAX));
        for (let k = 0; k < taken; k++) {
          expect(pages[out[k]].freeable).toBe(true);
          expect(frames.flags[out[k]] & PG_lru).toBe(0);
        }
        lru.checkInvariants('after shrink');
        expect(lru.nrActive + lru.nrInactive).toBe(pages.length - taken);
      }),
      { numRuns: 300 },
    );
  });
});
