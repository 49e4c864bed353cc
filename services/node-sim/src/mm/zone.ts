/**
 * `struct zone` and the buddy allocator, after Linux 2.4.17 mm/page_alloc.c (`rmqueue`, `expand`,
 * `__free_pages_ok`) and include/linux/mmzone.h.
 *
 * Locking rule (as in the kernel): `zone->lock` protects `free_area[]` and `free_pages`; the
 * model charges it as a spinlock around every allocation and free. The zone belongs to its node's
 * LP; other nodes reach it only through events.
 *
 * Simplified: buddies are found by zone-relative index (2.4 does the same: `page_idx` is relative
 * to `zone_mem_map`); no per-CPU page lists (2.5 added them); no `need_balance` flag (kswapd's
 * wake-up is the caller's).
 */
import { bug, invariant } from '../errors.js';
import { listAddHead, listDel, PageFrames, PG_buddy, PG_inuse, PG_lru } from './page-frames.js';

/** Orders 0 … MAX_ORDER−1: blocks of up to 2^9 pages (2 MiB). */
export const MAX_ORDER = 10;

export const ZONE_DMA = 0;
export const ZONE_NORMAL = 1;
export const ZONE_HIGHMEM = 2;
export const ZONE_NAMES = ['DMA', 'Normal', 'HighMem'] as const;
export type ZoneType = typeof ZONE_DMA | typeof ZONE_NORMAL | typeof ZONE_HIGHMEM;

/** 2.4's `zone_balance_ratio`, `zone_balance_min`, `zone_balance_max` (the same for every zone type). */
export const ZONE_BALANCE_RATIO = 128;
export const ZONE_BALANCE_MIN = 20;
export const ZONE_BALANCE_MAX = 255;

/** Watermarks of a zone of `pages` frames: min = clamp(pages/128, 20, 255), low = 2·min, high = 3·min. */
export function watermarks(pages: number): { min: number; low: number; high: number } {
  const min = Math.min(ZONE_BALANCE_MAX, Math.max(ZONE_BALANCE_MIN, Math.floor(pages / ZONE_BALANCE_RATIO)));
  return { min, low: 2 * min, high: 3 * min };
}

export class Zone {
  /** Free pages in the zone: the sum over orders of nr_free × 2^order. */
  freePages: number;
  readonly pagesMin: number;
  readonly pagesLow: number;
  readonly pagesHigh: number;
  /** free_area[order]: list ends at [2·order, 2·order + 1]. */
  readonly freeArea = new Int32Array(2 * MAX_ORDER).fill(-1);
  readonly nrFree = new Int32Array(MAX_ORDER);
  /** Counters for the report. */
  allocations = 0;
  frees = 0;

  constructor(
    readonly frames: PageFrames,
    readonly node: number,
    readonly type: ZoneType,
    /** Node-local index of the zone's first frame. */
    readonly start: number,
    readonly pages: number,
  ) {
    invariant(start >= 0 && start + pages <= frames.count, `zone ${ZONE_NAMES[type]} of node ${node} runs past its node's mem_map`);
    const w = watermarks(pages);
    this.pagesMin = w.min;
    this.pagesLow = w.low;
    this.pagesHigh = w.high;
    this.freePages = 0;
    // free_all_bootmem: hand every frame to the allocator in the largest aligned blocks.
    for (let rel = 0; rel < pages; ) {
      let order = MAX_ORDER - 1;
      while (order > 0 && ((rel & ((1 << order) - 1)) !== 0 || rel + (1 << order) > pages)) order--;
      this.addFreeBlock(rel, order);
      rel += 1 << order;
    }
  }

  get name(): string {
    return ZONE_NAMES[this.type];
  }

  /** Node-local index of the frame at zone-relative `rel`. */
  index(rel: number): number {
    return this.start + rel;
  }

  /**
   * `rmqueue`: takes a block of 2^order pages from the smallest free list that has one, splitting
   * larger blocks (`expand`). Returns the node-local index of its first frame, or −1.
   */
  rmqueue(order: number): number {
    const f = this.frames;
    for (let o = order; o < MAX_ORDER; o++) {
      if (this.nrFree[o] === 0) continue;
      const head = this.freeArea[2 * o];
      listDel(f, this.freeArea, 2 * o, head);
      this.nrFree[o]--;
      this.freePages -= 1 << o;
      f.flags[head] &= ~PG_buddy;
      const rel = head - this.start;
      // expand: give back the upper half of each split until the block is the size asked for.
      for (let size = o; size > order; ) {
        size--;
        this.addFreeBlock(rel + (1 << size), size);
      }
      const n = 1 << order;
      for (let i = head; i < head + n; i++) f.flags[i] |= PG_inuse;
      this.allocations++;
      return head;
    }
    return -1;
  }

  /** `__free_pages_ok`: returns a block and merges it with its free buddies as far as they go. */
  freePagesOk(index: number, order: number): void {
    const f = this.frames;
    const n = 1 << order;
    for (let i = index; i < index + n; i++) {
      if ((f.flags[i] & (PG_inuse | PG_buddy | PG_lru)) !== PG_inuse) bug(`freeing frame ${i} of node ${this.node}, which is not an in-use page off the LRU`);
      f.flags[i] &= ~PG_inuse;
      f.mapcount[i] = 0;
    }
    this.freePages += n;
    this.frees++;
    let rel = index - this.start;
    let o = order;
    while (o < MAX_ORDER - 1) {
      const buddy = rel ^ (1 << o);
      if (buddy + (1 << o) > this.pages) break;
      const b = this.start + buddy;
      if ((f.flags[b] & PG_buddy) === 0 || f.order[b] !== o) break;
      listDel(f, this.freeArea, 2 * o, b);
      this.nrFree[o]--;
      f.flags[b] &= ~PG_buddy;
      rel &= ~(1 << o);
      o++;
    }
    this.freePages -= 1 << o; // addFreeBlock counts the merged block again
    this.addFreeBlock(rel, o);
  }

  private addFreeBlock(rel: number, order: number): void {
    const i = this.start + rel;
    this.frames.flags[i] |= PG_buddy;
    this.frames.order[i] = order;
    listAddHead(this.frames, this.freeArea, 2 * order, i);
    this.nrFree[order]++;
    this.freePages += 1 << order;
  }

  /** The zone's BUG_ONs, checked in debug runs and property tests. */
  checkInvariants(): void {
    const f = this.frames;
    let free = 0;
    const covered = new Uint8Array(this.pages);
    for (let o = 0; o < MAX_ORDER; o++) {
      let count = 0;
      let prev = -1;
      for (let i = this.freeArea[2 * o]; i >= 0; i = f.next[i]) {
        count++;
        invariant(f.prev[i] === prev, `free_area[${o}] of ${this.name} on node ${this.node}: broken back link at frame ${i}`);
        prev = i;
        const rel = i - this.start;
        invariant(rel >= 0 && rel < this.pages, `free_area[${o}] of ${this.name} holds frame ${i}, outside the zone`);
        invariant((f.flags[i] & PG_buddy) !== 0 && f.order[i] === o, `free block at ${i} is not marked as a buddy of order ${o}`);
        invariant((rel & ((1 << o) - 1)) === 0, `free block at ${i} of order ${o} is not aligned`);
        for (let k = rel; k < rel + (1 << o); k++) {
          invariant(covered[k] === 0, `frame ${this.start + k} is in two free blocks`);
          covered[k] = 1;
          const fl = f.flags[this.start + k];
          invariant((fl & (PG_inuse | PG_lru)) === 0 && f.mapcount[this.start + k] === 0, `frame ${this.start + k} is free and in use, on an LRU list or mapped`);
        }
        const buddy = this.start + (rel ^ (1 << o));
        if (o < MAX_ORDER - 1 && buddy - this.start + (1 << o) <= this.pages) {
          invariant(!((f.flags[buddy] & PG_buddy) !== 0 && f.order[buddy] === o), `free buddies ${i} and ${buddy} of order ${o} were not merged`);
        }
        free += 1 << o;
      }
      invariant(count === this.nrFree[o], `free_area[${o}] of ${this.name} on node ${this.node} lists ${count} blocks, nr_free says ${this.nrFree[o]}`);
    }
    invariant(free === this.freePages, `${this.name} on node ${this.node}: free lists hold ${free} pages, free_pages says ${this.freePages}`);
    let inUse = 0;
    for (let k = 0; k < this.pages; k++) {
      const fl = f.flags[this.start + k];
      if (fl & PG_inuse) inUse++;
      else invariant(covered[k] === 1, `frame ${this.start + k} is neither free nor in use: lost`);
    }
    invariant(inUse + free === this.pages, `${this.name} on node ${this.node}: ${inUse} in use + ${free} free ≠ ${this.pages} frames`);
  }
}
