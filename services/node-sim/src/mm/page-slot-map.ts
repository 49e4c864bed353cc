/**
 * page → pkmap slot, the model's `page->virtual` for the pages a pool maps (highmem.ts). Follows
 * no kernel source (2.4 keeps the address in the struct page; the model has no struct page per
 * id): an open-addressing hash on typed arrays, linear probing, deletion by backward shift (no
 * tombstones), so a kmap costs no allocation and no boxed number. Keys are the model's page ids,
 * integers that may exceed 2^31 (kmapPageId tags them), hence Float64 keys.
 *
 * Invariant: at most `capacity / 2` keys (the pool's size), so a probe always ends at an empty cell.
 */
import { invariant } from '../errors.js';

const EMPTY = -1;

export class PageSlotMap {
  private readonly keys: Float64Array;
  private readonly vals: Int32Array;
  private readonly mask: number;
  /** 32 − log2(capacity): a hash's top bits pick the cell. */
  private readonly shift: number;
  size = 0;

  /** `maxKeys`: the most pages mapped at once (the pool's slots); a power of two. */
  constructor(private readonly maxKeys: number) {
    const capacity = maxKeys * 2;
    this.keys = new Float64Array(capacity).fill(EMPTY);
    this.vals = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    invariant(Number.isInteger(this.shift) && this.shift > 0 && this.shift < 32, `page->virtual: ${maxKeys} slots is not a power of two`);
  }

  /** The slot mapping `page`, or −1. */
  get(page: number): number {
    const keys = this.keys;
    for (let i = this.home(page); ; i = (i + 1) & this.mask) {
      const k = keys[i];
      if (k === page) return this.vals[i];
      if (k === EMPTY) return -1;
    }
  }

  /** Maps `page` (not yet mapped) to `slot`. */
  set(page: number, slot: number): void {
    invariant(this.size < this.maxKeys, `page->virtual holds ${this.size} pages, the pool has ${this.maxKeys} slots`);
    const keys = this.keys;
    let i = this.home(page);
    while (keys[i] !== EMPTY) i = (i + 1) & this.mask;
    keys[i] = page;
    this.vals[i] = slot;
    this.size++;
  }

  /** Forgets `page` (mapped). */
  delete(page: number): void {
    const keys = this.keys;
    const mask = this.mask;
    let i = this.home(page);
    while (keys[i] !== page) i = (i + 1) & mask;
    // Backward shift: pull later entries of the probe run into the hole unless they sit at or after their home.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j];
      if (k === EMPTY) break;
      const h = this.home(k);
      // Entry j may move to the hole i only if its home is not in (i, j] (cyclically).
      if (i <= j ? h > i && h <= j : h > i || h <= j) continue;
      keys[i] = k;
      this.vals[i] = this.vals[j];
      i = j;
    }
    keys[i] = EMPTY;
    this.size--;
  }

  private home(page: number): number {
    // Both halves of the integer, mixed (Fibonacci hashing).
    const lo = page >>> 0;
    const hi = (page / 4294967296) >>> 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }
}
