/**
 * The pending-event set's contract, shared by the binary heap (the default) and the calendar
 * queue (kept for comparison; docs/PERFORMANCE.md has the measurements).
 *
 * An event is numbers only: its time, its ordering key, and a payload of destination LP, kind and
 * three integer arguments. Events leave in the total order (time, priority, sourceLP, sourceSeq):
 * `key` packs priority and sourceLP as `priority * 2^24 + sourceLP`, `seq` is sourceSeq. Every event
 * has a distinct (key, seq), so the order is total and never depends on insertion order.
 */

export const MAX_LPS = 1 << 24;
export const MAX_PRIORITY = 127;

export interface PendingSet {
  readonly size: number;
  /** Time of the earliest event. Only valid when size > 0. */
  minTime(): number;
  /** Copies the earliest event's payload into the `out*` fields; the event stays in the set. */
  loadMin(): void;
  /** Removes the earliest event. */
  removeMin(): void;
  /** Replaces the earliest event by a new one: pop and push fused, one sift instead of two. */
  replaceMin(time: number, key: number, seq: number, dst: number, kind: number, a: number, b: number, c: number): void;
  push(time: number, key: number, seq: number, dst: number, kind: number, a: number, b: number, c: number): void;
  /** Moves every event into `target` (in no particular order: the order is in the keys) and empties this set. */
  moveAllTo(target: PendingSet): void;
  outDst: number;
  outKind: number;
  outA: number;
  outB: number;
  outC: number;
}

/** Strict order on the tie-breaking part of two events with equal times. */
export function tieLess(keyX: number, seqX: number, keyY: number, seqY: number): boolean {
  return keyX < keyY || (keyX === keyY && seqX < seqY);
}

/** A copy of `src` in a larger typed array of the same kind (the growth step of every pending set). */
export function grown<T extends Float64Array | Int32Array>(src: T, capacity: number): T {
  const dst = (src instanceof Float64Array ? new Float64Array(capacity) : new Int32Array(capacity)) as T;
  dst.set(src);
  return dst;
}

/**
 * The free-slot stack after growing from `old` to `capacity` slots: every old slot is in use
 * (sets grow only when full), so the stack holds exactly the new ones, lowest on top.
 */
export function newFreeSlots(old: number, capacity: number): { free: Int32Array<ArrayBuffer>; count: number } {
  const free = new Int32Array(capacity);
  let count = 0;
  for (let s = capacity - 1; s >= old; s--) free[count++] = s;
  return { free, count };
}
