/**
 * Lock statistics, lockmeter- and lock_stat-style, kept per (lock, caller) in typed arrays.
 *
 * Each LP keeps its own LockStats for the acquisitions its CPUs make; the report merges them
 * (sums, minima, maxima: the merge order cannot change the result). Hold and wait times also go
 * into a per-lock log-linear histogram (16 sub-buckets per power of two, so a bucket is at most
 * 6.25% wide) for percentiles and for Prometheus histograms.
 */

const SUB_BITS = 4;
const SUB = 1 << SUB_BITS; // 16 sub-buckets per octave
const MAX_OCTAVE = 40; // 2^41 ns ≈ 37 min: anything longer lands in the last bucket
export const HIST_BUCKETS = SUB + (MAX_OCTAVE - SUB_BITS + 1) * SUB;

/** Histogram bucket of a duration, ns. Values below 16 ns have a bucket each. */
export function histBucket(ns: number): number {
  if (ns < SUB) return ns < 0 ? 0 : Math.floor(ns);
  if (ns < 2147483648) {
    // The common case, in integer arithmetic: every hold and wait passes here.
    const octave = 31 - Math.clz32(ns);
    return SUB + (octave - SUB_BITS) * SUB + (ns >>> (octave - SUB_BITS)) - SUB;
  }
  let e = Math.floor(Math.log2(ns)); // may be off by one near a power of two: correct it exactly
  if (2 ** e > ns) e--;
  else if (2 ** (e + 1) <= ns) e++;
  if (e > MAX_OCTAVE) return HIST_BUCKETS - 1;
  const sub = Math.floor(ns / 2 ** (e - SUB_BITS)) - SUB;
  return SUB + (e - SUB_BITS) * SUB + sub;
}

/** Lower bound of a bucket, ns (inclusive). */
export function histBucketLow(i: number): number {
  if (i < SUB) return i;
  const e = SUB_BITS + Math.floor((i - SUB) / SUB);
  return (SUB + ((i - SUB) % SUB)) * 2 ** (e - SUB_BITS);
}

/** Upper bound of a bucket, ns (exclusive). */
export function histBucketHigh(i: number): number {
  if (i < SUB) return i + 1;
  const e = SUB_BITS + Math.floor((i - SUB) / SUB);
  return (SUB + ((i - SUB) % SUB) + 1) * 2 ** (e - SUB_BITS);
}

/** The q-quantile (0..1) of a histogram, as its bucket's midpoint clamped to [min, max]. */
export function histQuantile(h: Float64Array | undefined, q: number, min: number, max: number): number {
  if (!h) return 0;
  let total = 0;
  for (let i = 0; i < h.length; i++) total += h[i];
  if (total === 0) return 0;
  const target = q * total;
  let cum = 0;
  for (let i = 0; i < h.length; i++) {
    cum += h[i];
    if (cum >= target && h[i] > 0) {
      const mid = i < SUB ? i : Math.round((histBucketLow(i) + histBucketHigh(i) - 1) / 2);
      return Math.min(max, Math.max(min, mid));
    }
  }
  return max;
}

export class LockStats {
  readonly locks: number;
  readonly callers: number;
  // Per (lock, caller), index lock * callers + caller.
  readonly acquisitions: Float64Array;
  readonly contentions: Float64Array;
  readonly trylockFailures: Float64Array;
  readonly holdTotal: Float64Array;
  readonly holdMax: Float64Array;
  readonly holdMin: Float64Array;
  readonly holdCount: Float64Array;
  readonly waitTotal: Float64Array;
  readonly waitMax: Float64Array;
  readonly waitMin: Float64Array;
  readonly conBounces: Float64Array;
  readonly acqBounces: Float64Array;
  /** Per lock, allocated when the lock is first used by this LP. */
  readonly holdHist: (Float64Array | undefined)[];
  readonly waitHist: (Float64Array | undefined)[];
  /** Per lock: acquisitions asked for while the CPU already held another lock (nested inside it). */
  readonly nested: Float64Array;

  constructor(locks: number, callers: number) {
    this.locks = locks;
    this.callers = callers;
    const n = locks * callers;
    this.acquisitions = new Float64Array(n);
    this.contentions = new Float64Array(n);
    this.trylockFailures = new Float64Array(n);
    this.holdTotal = new Float64Array(n);
    this.holdMax = new Float64Array(n);
    this.holdMin = new Float64Array(n).fill(Infinity);
    this.holdCount = new Float64Array(n);
    this.waitTotal = new Float64Array(n);
    this.waitMax = new Float64Array(n);
    this.waitMin = new Float64Array(n).fill(Infinity);
    this.conBounces = new Float64Array(n);
    this.acqBounces = new Float64Array(n);
    this.holdHist = new Array<Float64Array | undefined>(locks).fill(undefined);
    this.waitHist = new Array<Float64Array | undefined>(locks).fill(undefined);
    this.nested = new Float64Array(locks);
  }

  /** An acquisition of `lock` asked for with another lock held. */
  recordNested(lock: number): void {
    this.nested[lock]++;
  }

  /** A successful acquisition; `waitNs` counts only when `contended`. */
  recordAcquire(lock: number, caller: number, contended: boolean, waitNs: number, acqBounce: boolean): void {
    const i = lock * this.callers + caller;
    this.acquisitions[i]++;
    if (acqBounce) this.acqBounces[i]++;
    if (!contended) return;
    this.contentions[i]++;
    if (acqBounce) this.conBounces[i]++;
    this.waitTotal[i] += waitNs;
    if (waitNs > this.waitMax[i]) this.waitMax[i] = waitNs;
    if (waitNs < this.waitMin[i]) this.waitMin[i] = waitNs;
    let h = this.waitHist[lock];
    if (h === undefined) h = this.waitHist[lock] = new Float64Array(HIST_BUCKETS);
    h[histBucket(waitNs)]++;
  }

  recordTrylockFailure(lock: number, caller: number): void {
    this.trylockFailures[lock * this.callers + caller]++;
  }

  recordHold(lock: number, caller: number, holdNs: number): void {
    const i = lock * this.callers + caller;
    this.holdCount[i]++;
    this.holdTotal[i] += holdNs;
    if (holdNs > this.holdMax[i]) this.holdMax[i] = holdNs;
    if (holdNs < this.holdMin[i]) this.holdMin[i] = holdNs;
    let h = this.holdHist[lock];
    if (h === undefined) h = this.holdHist[lock] = new Float64Array(HIST_BUCKETS);
    h[histBucket(holdNs)]++;
  }

  /**
   * `n` acquisitions of a lock only one CPU ever takes (a process's own mmap_lock or ptl), each
   * uncontended and held `holdNs`, its line never moving: counted in one call so a batched path
   * pays no event and no loop per page.
   */
  recordPrivate(lock: number, caller: number, n: number, holdNs: number): void {
    if (n <= 0) return;
    const i = lock * this.callers + caller;
    this.acquisitions[i] += n;
    this.holdCount[i] += n;
    this.holdTotal[i] += n * holdNs;
    if (holdNs > this.holdMax[i]) this.holdMax[i] = holdNs;
    if (holdNs < this.holdMin[i]) this.holdMin[i] = holdNs;
    let h = this.holdHist[lock];
    if (h === undefined) h = this.holdHist[lock] = new Float64Array(HIST_BUCKETS);
    h[histBucket(holdNs)] += n;
  }

  /** Adds `other` into this. Sums, minima and maxima: the order of merging does not matter. */
  merge(other: LockStats): this {
    if (other.locks !== this.locks || other.callers !== this.callers) throw new Error('merging lock statistics of different shapes');
    const sum = (a: Float64Array, b: Float64Array) => {
      for (let i = 0; i < a.length; i++) a[i] += b[i];
    };
    const max = (a: Float64Array, b: Float64Array) => {
      for (let i = 0; i < a.length; i++) if (b[i] > a[i]) a[i] = b[i];
    };
    const min = (a: Float64Array, b: Float64Array) => {
      for (let i = 0; i < a.length; i++) if (b[i] < a[i]) a[i] = b[i];
    };
    sum(this.acquisitions, other.acquisitions);
    sum(this.contentions, other.contentions);
    sum(this.trylockFailures, other.trylockFailures);
    sum(this.holdTotal, other.holdTotal);
    max(this.holdMax, other.holdMax);
    min(this.holdMin, other.holdMin);
    sum(this.holdCount, other.holdCount);
    sum(this.waitTotal, other.waitTotal);
    max(this.waitMax, other.waitMax);
    min(this.waitMin, other.waitMin);
    sum(this.conBounces, other.conBounces);
    sum(this.acqBounces, other.acqBounces);
    sum(this.nested, other.nested);
    for (let l = 0; l < this.locks; l++) {
      for (const [mine, theirs] of [
        [this.holdHist, other.holdHist],
        [this.waitHist, other.waitHist],
      ] as const) {
        const t = theirs[l];
        if (t === undefined) continue;
        const m = mine[l] ?? (mine[l] = new Float64Array(HIST_BUCKETS));
        sum(m, t);
      }
    }
    return this;
  }
}
