/**
 * The page scans of reclaim, after Linux 2.4.17 mm/vmscan.c: the arithmetic of `shrink_caches`
 * and the inactive-list scan of `shrink_cache`. Pure functions over one zone's LRU lists; the
 * caller holds the LRU lock (pagemap_lru_lock or zone->lru_lock) while they run, as the kernel
 * holds it across the scan.
 *
 * Simplified: only clean page-cache pages are reclaimed (the model's workloads keep no dirty file
 * pages, and anonymous memory is not swapped), so `writepage` and `try_to_release_page` are left
 * out; whether a mapped page can be freed, and what unmapping it costs, is the caller's `canFree`
 * (try_to_unmap under the rmap variants, mm/page-cache.ts; 2.4's `swap_out` is not modelled); a
 * page that cannot be freed goes back to the head of the inactive list; a referenced page gets a
 * second chance there, its flag cleared.
 */
import type { LruLists } from './lru.js';
import { PG_referenced, type PageFrames } from './page-frames.js';

/** SWAP_CLUSTER_MAX: pages a reclaim pass tries to free. */
export const SWAP_CLUSTER_MAX = 32;
/** DEF_PRIORITY: the first pass scans 1/6 of the inactive list, the last all of it. */
export const DEF_PRIORITY = 6;

/**
 * `shrink_caches`' refill: move `nr_pages × active / ((inactive + 1) × 2)` pages from the active to
 * the inactive list, keeping the active list about two thirds of the cache.
 */
export function refillTarget(lru: LruLists, nrPages = SWAP_CLUSTER_MAX): number {
  return Math.floor((nrPages * lru.nrActive) / ((lru.nrInactive + 1) * 2));
}

/** `shrink_cache`'s `max_scan = nr_inactive_pages / priority`. */
export function maxScan(lru: LruLists, priority: number): number {
  return Math.floor(lru.nrInactive / priority);
}

/**
 * Scans up to `limit` pages from the inactive tail and takes off the LRU up to `want` that
 * `canFree` accepts, writing their frames to `out`. Returns pages scanned in the low 20 bits and
 * pages taken above them (`scanned | taken << 20`).
 */
export function shrinkInactive(lru: LruLists, frames: PageFrames, limit: number, want: number, canFree: (frame: number) => boolean, out: Int32Array): number {
  let scanned = 0;
  let taken = 0;
  while (scanned < limit && taken < want) {
    const f = lru.inactiveTail();
    if (f < 0) break;
    scanned++;
    if (frames.flags[f] & PG_referenced) {
      frames.flags[f] &= ~PG_referenced;
      lru.rotateInactive(f);
      continue;
    }
    if (!canFree(f)) {
      lru.rotateInactive(f);
      continue;
    }
    lru.del(f);
    out[taken++] = f;
  }
  return scanned | (taken << 20);
}
