/**
 * Binary min-heap of events on typed arrays: the engine's pending-event set.
 *
 * Layout: the heap itself holds only (time, slot) pairs; an event's ordering key and payload stay
 * in a slot that never moves. A sift therefore moves two array entries per level instead of
 * eight, and ties on time (rare with nanosecond times) are the only comparisons that look into
 * the slots. `replaceMin` reuses the popped event's slot and sifts once: most events schedule
 * exactly one successor, which then costs one sift instead of a pop and a push.
 *
 * (Floyd's bottom-up sift-down was measured too: no faster here, so the textbook loop stays.)
 */
import type { PendingSet } from './pending-set.js';

const INITIAL_CAPACITY = 1024;

export class EventHeap implements PendingSet {
  size = 0;
  outDst = 0;
  outKind = 0;
  outA = 0;
  outB = 0;
  outC = 0;

  private capacity = 0;
  private hTime = new Float64Array(0);
  private hSlot = new Int32Array(0);
  private sKey = new Int32Array(0);
  private sSeq = new Float64Array(0);
  private sDst = new Int32Array(0);
  private sKind = new Int32Array(0);
  private sA = new Int32Array(0);
  private sB = new Int32Array(0);
  private sC = new Int32Array(0);
  private freeSlots = new Int32Array(0);
  private nFree = 0;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    this.grow(Math.max(16, initialCapacity));
  }

  minTime(): number {
    return this.hTime[0];
  }

  loadMin(): void {
    const slot = this.hSlot[0];
    this.outDst = this.sDst[slot];
    this.outKind = this.sKind[slot];
    this.outA = this.sA[slot];
    this.outB = this.sB[slot];
    this.outC = this.sC[slot];
  }

  push(time: number, key: number, seq: number, dst: number, kind: number, a: number, b: number, c: number): void {
    if (this.size === this.capacity) this.grow(this.capacity * 2);
    const slot = this.freeSlots[--this.nFree];
    this.writeSlot(slot, key, seq, dst, kind, a, b, c);
    this.siftUp(this.size++, time, slot);
  }

  removeMin(): void {
    this.freeSlots[this.nFree++] = this.hSlot[0];
    const last = --this.size;
    if (last > 0) this.siftDown(this.hTime[last], this.hSlot[last]);
  }

  replaceMin(time: number, key: number, seq: number, dst: number, kind: number, a: number, b: number, c: number): void {
    const slot = this.hSlot[0];
    this.writeSlot(slot, key, seq, dst, kind, a, b, c);
    this.siftDown(time, slot);
  }

  moveAllTo(target: PendingSet): void {
    for (let i = 0; i < this.size; i++) {
      const s = this.hSlot[i];
      target.push(this.hTime[i], this.sKey[s], this.sSeq[s], this.sDst[s], this.sKind[s], this.sA[s], this.sB[s], this.sC[s]);
      this.freeSlots[this.nFree++] = s;
    }
    this.size = 0;
  }

  private writeSlot(slot: number, key: number, seq: number, dst: number, kind: number, a: number, b: number, c: number): void {
    this.sKey[slot] = key;
    this.sSeq[slot] = seq;
    this.sDst[slot] = dst;
    this.sKind[slot] = kind;
    this.sA[slot] = a;
    this.sB[slot] = b;
    this.sC[slot] = c;
  }

  private siftUp(start: number, time: number, slot: number): void {
    const hTime = this.hTime;
    const hSlot = this.hSlot;
    let pos = start;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pt = hTime[parent];
      if (pt < time || (pt === time && this.slotBefore(hSlot[parent], slot))) break;
      hTime[pos] = hTime[parent];
      hSlot[pos] = hSlot[parent];
      pos = parent;
    }
    hTime[pos] = time;
    hSlot[pos] = slot;
  }

  /** Places (time, slot) into the hole at the root. */
  private siftDown(time: number, slot: number): void {
    const hTime = this.hTime;
    const hSlot = this.hSlot;
    const n = this.size;
    let pos = 0;
    let child = 1;
    while (child < n) {
      const right = child + 1;
      let ct = hTime[child];
      let cs = hSlot[child];
      if (right < n) {
        const rt = hTime[right];
        if (rt < ct || (rt === ct && this.slotBefore(hSlot[right], cs))) {
          child = right;
          ct = rt;
          cs = hSlot[right];
        }
      }
      if (time < ct || (time === ct && this.slotBefore(slot, cs))) break;
      hTime[pos] = ct;
      hSlot[pos] = cs;
      pos = child;
      child = 2 * pos + 1;
    }
    hTime[pos] = time;
    hSlot[pos] = slot;
  }

  /** Tie-break of two events with equal times: (priority, sourceLP), then sourceSeq. */
  private slotBefore(x: number, y: number): boolean {
    const kx = this.sKey[x];
    const ky = this.sKey[y];
    return kx < ky || (kx === ky && this.sSeq[x] < this.sSeq[y]);
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const copy = <T extends Float64Array | Int32Array>(src: T, make: (n: number) => T): T => {
      const dst = make(capacity);
      dst.set(src);
      return dst;
    };
    const f64 = (n: number) => new Float64Array(n);
    const i32 = (n: number) => new Int32Array(n);
    this.hTime = copy(this.hTime, f64);
    this.hSlot = copy(this.hSlot, i32);
    this.sKey = copy(this.sKey, i32);
    this.sSeq = copy(this.sSeq, f64);
    this.sDst = copy(this.sDst, i32);
    this.sKind = copy(this.sKind, i32);
    this.sA = copy(this.sA, i32);
    this.sB = copy(this.sB, i32);
    this.sC = copy(this.sC, i32);
    // Free slots are a stack; new slots go below the existing free ones (all of which are in use
    // when we grow, since size === capacity).
    const free = new Int32Array(capacity);
    let n = 0;
    for (let s = capacity - 1; s >= old; s--) free[n++] = s;
    this.freeSlots = free;
    this.nFree = n;
    this.capacity = capacity;
  }
}
