/**
 * Page reclaim of the modern node, after Linux 6.6 mm/vmscan.c, mm/page_alloc.c and mm/swap.c
 * (classic two-list LRU, CONFIG_LRU_GEN off): the file LRU lists of each lruvec (one per memcg per
 * node), the zone's free-page count and its watermarks, and what reclaim takes off the lists.
 * The lock protocol around it (lru_lock holds, the CPU that runs it) is workloads/modern-node.ts'.
 *
 * - An allocation that needs a per-CPU list refill and finds the zone at or below its low
 *   watermark wakes the node's kswapd (wake_all_kswapds); at or below min the allocating task
 *   reclaims itself (__alloc_pages_direct_reclaim → try_to_free_pages, nr_to_reclaim =
 *   SWAP_CLUSTER_MAX). kswapd (balance_pgdat) reclaims until the zone is above its high watermark.
 * - Each reclaim pass walks the node's memcgs (shrink_node_memcgs, a full mem_cgroup_iter walk from
 *   the root) and per lruvec runs shrink_lruvec: shrink_active_list when inactive_is_low, then
 *   shrink_inactive_list, each on up to SWAP_CLUSTER_MAX (32) folios.
 * - shrink_inactive_list isolates folios from the inactive tail under lru_lock, drops the lock,
 *   shrink_folio_list frees the clean page-cache folios (__remove_mapping under the mapping's
 *   xa_lock, then free_unref_page_list onto the reclaiming CPU's per-CPU list), and takes lru_lock
 *   again to put back what it kept and update the statistics. A readtwice folio on the inactive list
 *   is unmapped, clean and at most PG_referenced, which folio_check_references answers with
 *   FOLIOREF_RECLAIM_CLEAN: every isolated folio is freed.
 * - shrink_active_list isolates from the active tail under lru_lock, checks references unlocked
 *   (an unmapped file folio has none) and moves them all to the inactive list under lru_lock again.
 *
 * Locking rule (as in the kernel): a list and its counts only under its lruvec's lock (per-memcg
 * lock, or pgdat->lru_lock under `lruLock: per-node`); the node's free count under zone->lock.
 *
 * Simplified: counts and runs of folios, not folios: a list is a FIFO of runs (the reader's CPU,
 * its file generation, the first page offset, how many); a run whose pages were activated or
 * evicted meanwhile is dropped when it reaches the tail (lazy deletion). Folios join a list when
 * they enter the CPU's folio batch, not when it drains. One pass scans SWAP_CLUSTER_MAX folios of
 * every lruvec with folios (get_scan_count's priority-scaled share is not modelled). The watermark
 * is checked when a per-CPU list needs a refill, on the node's free count (zone instances share it);
 * no fallback to the other node's zone (zone_reclaim_mode 0 would take remote pages when the local
 * zone is below low: the readers are spread evenly, so every node reaches low together);
 * inactive_is_low is checked per lruvec (4.x–5.8 style, not 5.9+'s root-level may_deactivate).
 */
import { invariant } from '../errors.js';

/** SWAP_CLUSTER_MAX: folios per isolation batch, and direct reclaim's nr_to_reclaim. */
export const SWAP_CLUSTER_MAX = 32;

/** A run of folios on an LRU list: generation DONE marks folios no read will look for again. */
export const GEN_DONE = -1;

/** A FIFO of runs (cpu, gen, start, count): folios enter at the head and leave at the tail. */
export class RunList {
  private buf = new Int32Array(64 * 4);
  private head = 0; // next run to leave (the tail of the kernel list)
  private n = 0;

  get runs(): number {
    return this.n;
  }

  push(cpu: number, gen: number, start: number, count: number): void {
    const cap = this.buf.length >> 2;
    if (this.n > 0) {
      // Merge with the newest run when contiguous (the same reader, generation and next offset).
      const last = ((this.head + this.n - 1) % cap) * 4;
      const b = this.buf;
      if (b[last] === cpu && b[last + 1] === gen && (gen === GEN_DONE || b[last + 2] + b[last + 3] === start)) {
        b[last + 3] += count;
        return;
      }
    }
    if (this.n === cap) this.grow();
    const at = ((this.head + this.n) % (this.buf.length >> 2)) * 4;
    this.buf[at] = cpu;
    this.buf[at + 1] = gen;
    this.buf[at + 2] = start;
    this.buf[at + 3] = count;
    this.n++;
  }

  /** Fields of the tail run (the oldest). */
  tail(field: 0 | 1 | 2 | 3): number {
    return this.buf[this.head * 4 + field];
  }

  /** Takes `k` folios off the tail run (its start advances); drops it when empty. */
  take(k: number): void {
    const at = this.head * 4;
    this.buf[at + 2] += k;
    this.buf[at + 3] -= k;
    if (this.buf[at + 3] <= 0) {
      this.head = (this.head + 1) % (this.buf.length >> 2);
      this.n--;
    }
  }

  /** Calls `fn` with each run, tail (oldest) first. */
  forEach(fn: (cpu: number, gen: number, start: number, count: number) => void): void {
    const cap = this.buf.length >> 2;
    for (let r = 0; r < this.n; r++) {
      const at = ((this.head + r) % cap) * 4;
      fn(this.buf[at], this.buf[at + 1], this.buf[at + 2], this.buf[at + 3]);
    }
  }

  private grow(): void {
    const cap = this.buf.length >> 2;
    const next = new Int32Array(this.buf.length * 2);
    for (let r = 0; r < this.n; r++) next.set(this.buf.subarray(((this.head + r) % cap) * 4, ((this.head + r) % cap) * 4 + 4), r * 4);
    this.buf = next;
    this.head = 0;
  }
}

/** The zone's min, low and high watermarks, 6.6 __setup_per_zone_wmarks (watermark_scale_factor 10, no boost). */
export function watermarks(managedPages: number, totalPages: number): { min: number; low: number; high: number } {
  const minFreeKiB = Math.min(262_144, Math.max(128, Math.floor(Math.sqrt(totalPages * 4 * 16))));
  const min = Math.floor(((minFreeKiB / 4) * managedPages) / totalPages);
  const gap = Math.max(Math.floor(min / 4), Math.floor((managedPages * 10) / 10_000));
  return { min, low: min + gap, high: min + 2 * gap };
}

/**
 * inactive_is_low for the file lists: inactive × ratio < active, ratio = int_sqrt(10 × the lists'
 * size in GiB), 1 under 1 GiB (mm/vmscan.c since 4.10, Johannes Weiner).
 */
export function inactiveIsLow(inactive: number, active: number): boolean {
  const gb = Math.floor((inactive + active) / 262_144);
  const ratio = gb > 0 ? Math.floor(Math.sqrt(10 * gb)) : 1;
  return inactive * ratio < active;
}

/** The file LRU lists of one node's lruvecs (index: memcg) and the reclaim counters. */
export class NodeLru {
  readonly inactive: RunList[];
  readonly active: RunList[];
  /** Folios on each lruvec's inactive / active file list. */
  readonly nrInactive: Float64Array;
  readonly nrActive: Float64Array;

  constructor(readonly lruvecs: number) {
    this.inactive = Array.from({ length: lruvecs }, () => new RunList());
    this.active = Array.from({ length: lruvecs }, () => new RunList());
    this.nrInactive = new Float64Array(lruvecs);
    this.nrActive = new Float64Array(lruvecs);
  }

  checkInvariants(): void {
    for (let m = 0; m < this.lruvecs; m++) invariant(this.nrInactive[m] >= 0 && this.nrActive[m] >= 0, `lruvec of memcg ${m}: a list count below zero`);
  }
}
