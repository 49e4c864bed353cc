/**
 * Calendar queue (R. Brown, CACM 31(10), 1988) on typed arrays: an alternative pending-event set
 * kept to measure against the binary heap (docs/PERFORMANCE.md). Not the default.
 *
 * Events hash by time into `nb` buckets of `width` ns ("days" of a "year" of nb × width ns); each
 * bucket is a linked list, put in the full order (time, key, seq) when the scan reaches its day
 * (see `sorted`). Dequeue scans forward from the current day for an event of the current year. The bucket count doubles or halves with the
 * population and the width is re-estimated from the spacing of the earliest events each time, so
 * enqueue and dequeue stay O(1) on average when event spacing is stable.
 */
import { grown, newFreeSlots, tieLess, type PendingSet } from './pending-set.js';
import { NS_ZERO } from './time.js';

const MIN_BUCKETS = 16;
/** Int32 offsets in a slot's 16-byte record (its time is at Float64 offset 0). */
const F_KEY = 2;
const F_NEXT = 3;
/** Int32 offsets in a slot's 32-byte record (its seq is at Float64 offset 0). */
const F_DST = 2;
const F_KIND = 3;
const F_A = 4;
const F_B = 5;
const F_C = 6;
const WIDTH_SAMPLE = 25;

export class CalendarQueue implements PendingSet {
  size = 0;
  outDst = 0;
  outKind = 0;
  outA = 0;
  outB = 0;
  outC = 0;

  private capacity = 0;
  /**
   * Slots are two records, each seen through a Float64 and an Int32 view of one buffer. The hot
   * one, 16 bytes, holds what a list walk reads: time (Float64 index 2·slot), key and the list link
   * (Int32 index 4·slot + F_KEY, F_NEXT); a step of `insert`'s walk touches one cache line, and
   * the records of all pending events stay small enough for the core's L2 cache. The cold one,
   * 32 bytes, holds seq (read only on equal time and key: Float64 index 4·slot) and the payload
   * read once per event (Int32 index 8·slot + F_DST … F_C). Measured on PHOLD against one array
   * per field, a 32-byte hot record and a single 64-byte record: this layout was the fastest.
   */
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private c64 = new Float64Array(0);
  private c32 = new Int32Array(0);
  private freeSlots = new Int32Array(0);
  private nFree = 0;

  private head = new Int32Array(MIN_BUCKETS).fill(-1);
  /**
   * Whether a bucket's list is in order. Only the bucket being dequeued from has to be: an event
   * for another bucket is put at the front of its list in O(1), and a bucket is sorted, in one go,
   * when the scan reaches its day (`sortBucket`). That replaces a walk along a linked list — one
   * dependent cache miss per step — by gathering the slots and sorting them in a small array.
   */
  private sorted = new Uint8Array(MIN_BUCKETS);
  private sortBuf = new Int32Array(64);
  private mask = MIN_BUCKETS - 1;
  private width = 1;
  /**
   * 1 / width. An event's day is floor(time × perNs): a multiplication, not a division, on every
   * insert and dequeue. It may differ from floor(time / width) by rounding at a day's edge, but it
   * is the same monotone function everywhere, which is all the queue's order relies on.
   */
  private perNs = 1;
  /** Virtual day (floor(time × perNs)) the scan is at; never after the earliest event's day. */
  private day = 0;
  /** Bucket of the earliest event when `minValid`. */
  private minBucket = -1;
  private minValid = false;
  private lastTime = NS_ZERO;

  constructor(initialCapacity = 1024) {
    this.grow(Math.max(16, initialCapacity));
  }

  minTime(): number {
    if (!this.minValid) this.findMin();
    return this.f64[this.head[this.minBucket] << 1];
  }

  loadMin(): void {
    if (!this.minValid) this.findMin();
    const c32 = this.c32;
    const r = this.head[this.minBucket] << 3;
    this.outDst = c32[r + F_DST];
    this.outKind = c32[r + F_KIND];
    this.outA = c32[r + F_A];
    this.outB = c32[r + F_B];
    this.outC = c32[r + F_C];
  }

  removeMin(): void {
    if (!this.minValid) this.findMin();
    const slot = this.head[this.minBucket];
    this.unlinkMin(slot);
    this.freeSlots[this.nFree++] = slot;
    this.size--;
    if (this.size < (this.mask + 1) >> 1 && this.mask + 1 > MIN_BUCKETS) this.resize((this.mask + 1) >> 1);
  }

  /** Pop and push fused: the popped event's slot takes the new event; the size does not change. */
  replaceMin(time: number, key: number, seq: number, dst: number, kind: number, a: number, b: number, c: number): void {
    if (!this.minValid) this.findMin();
    const slot = this.head[this.minBucket];
    this.unlinkMin(slot);
    this.writeSlot(slot, time, key, seq, dst, kind, a, b, c);
    if (this.minValid && this.earlier(slot, this.head[this.minBucket])) this.minValid = false;
    this.insert(slot);
  }

  /**
   * Takes the earliest event (the head of `minBucket`) off its list. The bucket's next event is
   * then the earliest of all if it falls on the same day: every other bucket holds other days,
   * all of them later. That spares the scan of `findMin` most of the time.
   */
  private unlinkMin(slot: number): void {
    const next = this.i32[(slot << 2) + F_NEXT];
    this.head[this.minBucket] = next;
    this.lastTime = this.f64[slot << 1];
    this.minValid = next >= 0 && Math.floor(this.f64[next << 1] * this.perNs) <= this.day;
  }

  push(time: number, key: number, seq: number, dst: number, kind: number, a: number, b: number, c: number): void {
    if (this.size === this.capacity) this.grow(this.capacity * 2);
    const slot = this.freeSlots[--this.nFree];
    this.writeSlot(slot, time, key, seq, dst, kind, a, b, c);
    if (this.minValid) {
      const m = this.head[this.minBucket];
      if (this.earlier(slot, m)) this.minValid = false;
    }
    this.insert(slot);
    this.size++;
    if (this.size > 2 * (this.mask + 1)) this.resize(2 * (this.mask + 1));
  }

  private writeSlot(slot: number, time: number, key: number, seq: number, dst: number, kind: number, a: number, b: number, c: number): void {
    this.f64[slot << 1] = time;
    this.i32[(slot << 2) + F_KEY] = key;
    const c32 = this.c32;
    const r = slot << 3;
    this.c64[slot << 2] = seq;
    c32[r + F_DST] = dst;
    c32[r + F_KIND] = kind;
    c32[r + F_A] = a;
    c32[r + F_B] = b;
    c32[r + F_C] = c;
  }

  moveAllTo(target: PendingSet): void {
    for (let b = 0; b <= this.mask; b++) {
      for (let s = this.head[b]; s >= 0; s = this.i32[(s << 2) + F_NEXT]) {
        const c32 = this.c32;
        const r = s << 3;
        target.push(this.f64[s << 1], this.i32[(s << 2) + F_KEY], this.c64[s << 2], c32[r + F_DST], c32[r + F_KIND], c32[r + F_A], c32[r + F_B], c32[r + F_C]);
        this.freeSlots[this.nFree++] = s;
      }
      this.head[b] = -1;
    }
    this.size = 0;
    this.minValid = false;
  }

  private earlier(x: number, y: number): boolean {
    const f64 = this.f64;
    const tx = f64[x << 1];
    const ty = f64[y << 1];
    return tx < ty || (tx === ty && tieLess(this.i32[(x << 2) + F_KEY], this.c64[x << 2], this.i32[(y << 2) + F_KEY], this.c64[y << 2]));
  }

  private insert(slot: number): void {
    const b = Math.floor(this.f64[slot << 1] * this.perNs) & this.mask;
    if (this.sorted[b] === 0) {
      this.i32[(slot << 2) + F_NEXT] = this.head[b];
      this.head[b] = slot;
      return;
    }
    let prev = -1;
    let cur = this.head[b];
    while (cur >= 0 && this.earlier(cur, slot)) {
      prev = cur;
      cur = this.i32[(cur << 2) + F_NEXT];
    }
    this.i32[(slot << 2) + F_NEXT] = cur;
    if (prev < 0) this.head[b] = slot;
    else this.i32[(prev << 2) + F_NEXT] = slot;
  }

  /** Scans one year of days from the current one; failing that, jumps to the earliest event. */
  private findMin(): void {
    const nb = this.mask + 1;
    let day = this.day;
    for (let n = 0; n < nb; n++) {
      const b = day & this.mask;
      let h = this.head[b];
      if (h >= 0) {
        if (this.sorted[b] === 0) h = this.sortBucket(b);
        if (Math.floor(this.f64[h << 1] * this.perNs) <= day) {
          this.day = day;
          this.minBucket = b;
          this.minValid = true;
          return;
        }
      }
      this.sorted[b] = 0; // the scan leaves this day: later events may again go to the front
      day++;
    }
    // Sparse: no event within a year. Direct search over the bucket heads.
    let best = -1;
    let bestBucket = -1;
    for (let b = 0; b < nb; b++) {
      const h = this.head[b] >= 0 && this.sorted[b] === 0 ? this.sortBucket(b) : this.head[b];
      if (h >= 0 && (best < 0 || this.earlier(h, best))) {
        best = h;
        bestBucket = b;
      }
    }
    this.day = Math.floor(this.f64[best << 1] * this.perNs);
    this.minBucket = bestBucket;
    this.minValid = true;
  }

  /** Rebuilds with `buckets` buckets and a width estimated from the earliest events' spacing. */
  private resize(buckets: number): void {
    const slots: number[] = [];
    for (let b = 0; b <= this.mask; b++) for (let s = this.head[b]; s >= 0; s = this.i32[(s << 2) + F_NEXT]) slots.push(s);
    const times = slots.map((s) => this.f64[s << 1]).sort((x, y) => x - y);
    this.width = estimateWidth(times);
    this.perNs = 1 / this.width;
    this.head = new Int32Array(buckets).fill(-1);
    this.sorted = new Uint8Array(buckets);
    this.mask = buckets - 1;
    // Re-insert latest first so each sorted insert finds its place at the head of its list.
    slots.sort((x, y) => (this.earlier(x, y) ? 1 : this.earlier(y, x) ? -1 : 0));
    for (const s of slots) {
      const b = Math.floor(this.f64[s << 1] * this.perNs) & this.mask;
      this.i32[(s << 2) + F_NEXT] = this.head[b];
      this.head[b] = s;
    }
    this.day = Math.floor((times.length > 0 ? Math.min(times[0], this.lastTime) : this.lastTime) * this.perNs);
    this.minValid = false;
  }

  /** Puts bucket `b`'s list in order and returns its new head. */
  private sortBucket(b: number): number {
    const i32 = this.i32;
    let n = 0;
    for (let s = this.head[b]; s >= 0; s = i32[(s << 2) + F_NEXT]) {
      if (n === this.sortBuf.length) this.sortBuf = grown(this.sortBuf, 2 * n);
      this.sortBuf[n++] = s;
    }
    const buf = this.sortBuf;
    if (n <= 32) {
      for (let i = 1; i < n; i++) {
        const s = buf[i];
        let j = i - 1;
        while (j >= 0 && this.earlier(s, buf[j])) {
          buf[j + 1] = buf[j];
          j--;
        }
        buf[j + 1] = s;
      }
    } else {
      const slots = Array.from(buf.subarray(0, n)).sort((x, y) => (this.earlier(x, y) ? -1 : this.earlier(y, x) ? 1 : 0));
      buf.set(slots);
    }
    for (let i = 0; i < n - 1; i++) i32[(buf[i] << 2) + F_NEXT] = buf[i + 1];
    i32[(buf[n - 1] << 2) + F_NEXT] = -1;
    this.head[b] = buf[0];
    this.sorted[b] = 1;
    return buf[0];
  }

  private grow(capacity: number): void {
    this.f64 = grown(this.f64, capacity * 2);
    this.i32 = new Int32Array(this.f64.buffer);
    this.c64 = grown(this.c64, capacity * 4);
    this.c32 = new Int32Array(this.c64.buffer);
    const { free, count } = newFreeSlots(this.capacity, capacity);
    this.freeSlots = free;
    this.nFree = count;
    this.capacity = capacity;
  }

}

/** Brown's rule: three times the mean gap between the earliest events, ignoring outlying gaps. */
function estimateWidth(sortedTimes: readonly number[]): number {
  const n = Math.min(sortedTimes.length, WIDTH_SAMPLE);
  if (n < 2) return 1;
  let sum = 0;
  for (let i = 1; i < n; i++) sum += sortedTimes[i] - sortedTimes[i - 1];
  const mean = sum / (n - 1);
  let kept = 0;
  let keptSum = 0;
  for (let i = 1; i < n; i++) {
    const gap = sortedTimes[i] - sortedTimes[i - 1];
    if (gap <= 2 * mean) {
      kept++;
      keptSum += gap;
    }
  }
  const gap = kept > 0 ? keptSum / kept : mean;
  return Math.max(1, Math.round(3 * gap));
}
