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
import { grown, newFreeSlots, type PendingSet } from './pending-set.js';

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
    this.hTime = grown(this.hTime, capacity);
    this.hSlot = grown(this.hSlot, capacity);
    this.sKey = grown(this.sKey, capacity);
    this.sSeq = grown(this.sSeq, capacity);
    this.sDst = grown(this.sDst, capacity);
    this.sKind = grown(this.sKind, capacity);
    this.sA = grown(this.sA, capacity);
    this.sB = grown(this.sB, capacity);
    this.sC = grown(this.sC, capacity);
    const { free, count } = newFreeSlots(this.capacity, capacity);
    this.freeSlots = free;
    this.nFree = count;
    this.capacity = capacity;
  }

}
