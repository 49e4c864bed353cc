/**
 * Events a partitioned kernel emitted for LPs that other threads run, kept with their full
 * ordering key (time, key = priority·2^24 + sourceLP, seq) until the next window boundary carries
 * them across. One lane per destination thread, each a Float64Array of eight numbers per event, so
 * a lane goes to its thread's mailbox with one `set`.
 */
export const EVENT_FIELDS = 8; // time, key, seq, dst, kind, a, b, c

export class Outbox {
  /** Per destination thread: its events, [i * 8 + field]. */
  readonly lanes: Float64Array[];
  readonly counts: Int32Array;

  /** `threadOf[lp]`: the thread that runs each LP. */
  constructor(
    private readonly threadOf: Int32Array,
    threads: number,
  ) {
    this.lanes = Array.from({ length: threads }, () => new Float64Array(64 * EVENT_FIELDS));
    this.counts = new Int32Array(threads);
  }

  push(time: number, key: number, seq: number, dst: number, kind: number, a: number, b: number, c: number): void {
    const t = this.threadOf[dst];
    let d = this.lanes[t];
    let o = this.counts[t]++ * EVENT_FIELDS;
    if (o === d.length) {
      const grown = new Float64Array(d.length * 2);
      grown.set(d);
      d = this.lanes[t] = grown;
    }
    d[o++] = time;
    d[o++] = key;
    d[o++] = seq;
    d[o++] = dst;
    d[o++] = kind;
    d[o++] = a;
    d[o++] = b;
    d[o] = c;
  }

  /** Earliest time among the events held for thread `t`; Infinity when none. */
  minTime(t: number): number {
    const d = this.lanes[t];
    let min = Infinity;
    for (let i = 0, n = this.counts[t] * EVENT_FIELDS; i < n; i += EVENT_FIELDS) if (d[i] < min) min = d[i];
    return min;
  }

  /** Drops the first `n` events of lane `t` (they were delivered); the rest wait for the next window. */
  shift(t: number, n: number): void {
    const left = this.counts[t] - n;
    if (left > 0) this.lanes[t].copyWithin(0, n * EVENT_FIELDS, this.counts[t] * EVENT_FIELDS);
    this.counts[t] = Math.max(0, left);
  }
}
