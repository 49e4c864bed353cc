/**
 * `mem_map` of one node: the state of every 4 KiB page frame, struct-of-arrays.
 *
 * Follows Linux 2.4 include/linux/mm.h (struct page) for the fields the model needs; everything
 * else of struct page (mapping, count, virtual, wait queues) is left out. Budget: 16 bytes per
 * frame (flags 2, order 1, mapcount 1, two list links 4 + 4, index 4), so the 16 M frames of
 * numaq-64 take 256 MiB.
 *
 * `next`/`prev` link a frame into one list at a time, like the kernel's `page->list`/`page->lru`:
 * a free block's head frame sits on its zone's `free_area[order]` list, an in-use page on at most
 * one LRU list. The invariant checks in zone.ts hold the model to that.
 *
 * Frames are indexed by their node-local number (pfn − node_start_pfn): a node's LP owns its
 * mem_map and nobody else touches it (the engine's LP rule).
 */

/** Page flags (include/linux/mm.h, 2.4 numbering kept where it exists). */
export const PG_referenced = 1 << 0;
export const PG_lru = 1 << 1;
export const PG_active = 1 << 2;
/** Head of a free buddy block (later kernels' PG_buddy; 2.4 kept this in the free lists alone). */
export const PG_buddy = 1 << 3;
export const PG_highmem = 1 << 4;
/** A page-table page (accounted in its zone, never on an LRU list). */
export const PG_pagetable = 1 << 5;
/** Anonymous (swap-backed) rather than file-backed; the model's stand-in for page->mapping. */
export const PG_anon = 1 << 6;
/** Allocated and in use (the model's stand-in for page_count > 0). */
export const PG_inuse = 1 << 7;

/** Bytes of model state per frame (see the arrays below). */
export const BYTES_PER_FRAME = 2 + 1 + 1 + 4 + 4 + 4;

export class PageFrames {
  readonly flags: Uint16Array;
  /** Order of a free block, valid on a PG_buddy head. */
  readonly order: Int8Array;
  /** Number of page-table entries mapping the page (its pte_chain length under -rmap); capped at 255. */
  readonly mapcount: Uint8Array;
  /** List links by node-local frame number; -1 ends a list. */
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /**
   * `page->index` of a page-cache page: which page of its file it holds, so reclaim can drop it
   * from the cache (the model's files are a workload's own: −1 for a page no workload looks up).
   */
  readonly index: Int32Array;

  constructor(
    /** pfn of the node's first frame. */
    readonly startPfn: number,
    readonly count: number,
  ) {
    this.flags = new Uint16Array(count);
    this.order = new Int8Array(count);
    this.mapcount = new Uint8Array(count);
    this.next = new Int32Array(count).fill(-1);
    this.prev = new Int32Array(count).fill(-1);
    this.index = new Int32Array(count).fill(-1);
  }
}

/**
 * A doubly linked list threaded through a PageFrames' next/prev arrays: the kernel's
 * `struct list_head` for lists of pages. Head and tail live in a small Int32Array owned by the
 * structure that owns the list (a zone's free area, an LRU list), at `base` and `base + 1`.
 */
export function listAddHead(f: PageFrames, ends: Int32Array, base: number, i: number): void {
  const head = ends[base];
  f.prev[i] = -1;
  f.next[i] = head;
  if (head >= 0) f.prev[head] = i;
  else ends[base + 1] = i;
  ends[base] = i;
}

export function listAddTail(f: PageFrames, ends: Int32Array, base: number, i: number): void {
  const tail = ends[base + 1];
  f.next[i] = -1;
  f.prev[i] = tail;
  if (tail >= 0) f.next[tail] = i;
  else ends[base] = i;
  ends[base + 1] = i;
}

export function listDel(f: PageFrames, ends: Int32Array, base: number, i: number): void {
  const n = f.next[i];
  const p = f.prev[i];
  if (p >= 0) f.next[p] = n;
  else ends[base] = n;
  if (n >= 0) f.prev[n] = p;
  else ends[base + 1] = p;
  f.next[i] = -1;
  f.prev[i] = -1;
}
