/**
 * Active and inactive page lists, after Linux 2.4.17 mm/swap.c (`lru_cache_add`, `lru_cache_del`,
 * `activate_page`, `mark_page_accessed`) and mm/vmscan.c (`refill_inactive`, the scan of
 * `shrink_cache`).
 *
 * Locking rule: the lists and their counts are protected by the LRU lock of the variant in use —
 * the global `pagemap_lru_lock` (2.4, -rmap) or the zone's `zone->lru_lock` (2.5). Callers take
 * that lock (an event in the model) around every function here that says "lock held".
 *
 * Simplified: 2.4 had one global pair of lists; the model keeps one pair per node (each node's LP
 * owns its pages) while the lock stays global, which is what the lock measurements depend on.
 * A page's position relative to pages of other nodes is therefore not kept.
 */
import { bug, invariant } from '../errors.js';
import { listAddHead, listDel, PageFrames, PG_active, PG_buddy, PG_inuse, PG_lru, PG_referenced } from './page-frames.js';

const ACTIVE = 0;
const INACTIVE = 2;

export class LruLists {
  /** [active head, active tail, inactive head, inactive tail]. */
  readonly ends = new Int32Array(4).fill(-1);
  nrActive = 0;
  nrInactive = 0;

  constructor(readonly frames: PageFrames) {}

  /** `lru_cache_add` (lock held): a new page goes to the head of the inactive list. */
  add(i: number): void {
    const f = this.frames;
    if ((f.flags[i] & (PG_lru | PG_buddy)) !== 0 || (f.flags[i] & PG_inuse) === 0) bug(`lru_cache_add of frame ${i}, which is free or already on an LRU list`);
    f.flags[i] |= PG_lru;
    f.flags[i] &= ~PG_active;
    listAddHead(f, this.ends, INACTIVE, i);
    this.nrInactive++;
  }

  /** `lru_cache_del` (lock held): off whichever list the page is on. */
  del(i: number): void {
    const f = this.frames;
    if ((f.flags[i] & PG_lru) === 0) bug(`lru_cache_del of frame ${i}, which is on no LRU list`);
    if (f.flags[i] & PG_active) {
      listDel(f, this.ends, ACTIVE, i);
      this.nrActive--;
    } else {
      listDel(f, this.ends, INACTIVE, i);
      this.nrInactive--;
    }
    f.flags[i] &= ~(PG_lru | PG_active | PG_referenced);
  }

  /** `activate_page` (lock held): an inactive page moves to the head of the active list. */
  activate(i: number): void {
    const f = this.frames;
    if ((f.flags[i] & PG_lru) === 0 || (f.flags[i] & PG_active) !== 0) return;
    listDel(f, this.ends, INACTIVE, i);
    this.nrInactive--;
    f.flags[i] |= PG_active;
    listAddHead(f, this.ends, ACTIVE, i);
    this.nrActive++;
  }

  /**
   * `mark_page_accessed`: inactive+unreferenced → referenced; inactive+referenced → active and
   * unreferenced; active → referenced. Returns true when the page has to be activated, which
   * needs the LRU lock (the caller takes it, then calls `activate`); false when only a flag changed.
   */
  markPageAccessed(i: number): boolean {
    const f = this.frames;
    const fl = f.flags[i];
    if ((fl & PG_lru) !== 0 && (fl & PG_active) === 0 && (fl & PG_referenced) !== 0) {
      f.flags[i] &= ~PG_referenced;
      return true;
    }
    f.flags[i] |= PG_referenced;
    return false;
  }

  /**
   * `refill_inactive` (lock held): up to `nrPages` pages from the tail of the active list; a
   * referenced page loses the flag and goes back to the active head, others move to the inactive
   * list. Returns the pages scanned.
   */
  refillInactive(nrPages: number): number {
    const f = this.frames;
    let scanned = 0;
    while (nrPages-- > 0 && this.ends[ACTIVE + 1] >= 0) {
      const i = this.ends[ACTIVE + 1];
      scanned++;
      listDel(f, this.ends, ACTIVE, i);
      if (f.flags[i] & PG_referenced) {
        f.flags[i] &= ~PG_referenced;
        listAddHead(f, this.ends, ACTIVE, i);
        continue;
      }
      this.nrActive--;
      f.flags[i] &= ~PG_active;
      listAddHead(f, this.ends, INACTIVE, i);
      this.nrInactive++;
    }
    return scanned;
  }

  /** The page `shrink_cache` looks at next: the tail of the inactive list, or −1. */
  inactiveTail(): number {
    return this.ends[INACTIVE + 1];
  }

  /** `shrink_cache` rotates a page it cannot free yet to the inactive head (lock held). */
  rotateInactive(i: number): void {
    listDel(this.frames, this.ends, INACTIVE, i);
    listAddHead(this.frames, this.ends, INACTIVE, i);
  }

  /** The lists' BUG_ONs: counts match the lists, flags match the list a page is on. */
  checkInvariants(owner: string): void {
    const f = this.frames;
    for (const [base, want, expectActive] of [
      [ACTIVE, this.nrActive, true],
      [INACTIVE, this.nrInactive, false],
    ] as const) {
      let n = 0;
      let prev = -1;
      for (let i = this.ends[base]; i >= 0; i = f.next[i]) {
        invariant(f.prev[i] === prev, `${owner}: broken back link at frame ${i}`);
        prev = i;
        n++;
        invariant(n <= f.count, `${owner}: an LRU list loops`);
        const fl = f.flags[i];
        invariant((fl & PG_lru) !== 0 && (fl & PG_inuse) !== 0 && (fl & PG_buddy) === 0, `${owner}: frame ${i} is listed but not an in-use LRU page`);
        invariant(((fl & PG_active) !== 0) === expectActive, `${owner}: frame ${i} is on the ${expectActive ? 'active' : 'inactive'} list with PG_active ${expectActive ? 'clear' : 'set'}`);
      }
      invariant(prev === this.ends[base + 1], `${owner}: list tail does not match its last frame`);
      invariant(n === want, `${owner}: the ${expectActive ? 'active' : 'inactive'} list holds ${n} pages, its count says ${want}`);
    }
  }
}
