/**
 * The page scans of reclaim, after Linux 2.4.17 mm/vmscan.c: the arithmetic of `shrink_caches`
 * and the inactive-list scan of `shrink_cache`. Pure functions over one zone's LRU lists; the
 * caller holds the LRU lock (pagemap_lru_lock or zone->lru_lock) while they run, as the kernel
 * holds it across the scan.
 *
 * Simplified: only clean page-cache pages are reclaimed (the model's workloads keep no dirty file
 * pages, and anonymous memory is not swapped), so `writepage` and `try_to_release_page` are left
 * out; whether a mapped page can be freed, and what unmapping it costs, is the caller's `canFree`
 * (try_to_unmap under the rmap variants, mm/page-cache.ts); a page that cannot be freed goes back
 * to the head of the inactive list; a referenced page gets a second chance there, its flag
 * cleared. Under 2.4, `canFree` may also end the scan (`SCAN_STOP`): shrink_cache met more mapped
 * pages than `max_mapped` and leaves the rest to `swap_out`.
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
 * 2.4's `max_mapped = min(nr_pages << (10 - priority), max_scan / 10)`: the mapped pages one
 * shrink_cache scan passes over before it gives up and calls `swap_out`.
 */
export function maxMapped(nrPages: number, priority: number, scanLimit: number): number {
  return Math.min(nrPages * 2 ** (10 - priority), Math.floor(scanLimit / 10));
}

/** `canFree`'s answers: take the page, leave it (rotated to the inactive head), or leave it and end the scan. */
export const SCAN_TAKE = 1;
export const SCAN_KEEP = 0;
export const SCAN_STOP = -1;
/** shrinkInactive's result bit: the scan ended at a SCAN_STOP. */
export const SHRINK_STOPPED = 1 << 26;

/**
 * Scans up to `limit` pages from the inactive tail and takes off the LRU up to `want` that
 * `canFree` accepts, writing their frames to `out`. Returns pages scanned in the low 20 bits,
 * pages taken above them, and SHRINK_STOPPED when `canFree` ended the scan
 * (`scanned | taken << 20 | stopped`).
 */
export function shrinkInactive(lru: LruLists, frames: PageFrames, limit: number, want: number, canFree: (frame: number) => number, out: Int32Array): number {
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
    const verdict = canFree(f);
    if (verdict !== SCAN_TAKE) {
      lru.rotateInactive(f);
      if (verdict === SCAN_STOP) return scanned | (taken << 20) | SHRINK_STOPPED;
      continue;
    }
    lru.del(f);
    out[taken++] = f;
  }
  return scanned | (taken << 20);
}
