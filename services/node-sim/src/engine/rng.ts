/**
 * Random streams: one per logical process, derived from the run seed and the LP's global id, so
 * what an LP draws never depends on how many other LPs exist, the order they were created in, or
 * which thread runs them.
 *
 * Generator: xoshiro128** (Blackman & Vigna, 2018): 128 bits of state, period 2^128 − 1, all
 * arithmetic in 32-bit integers (Math.imul), which V8 compiles to plain machine instructions.
 * Seeding: SplitMix64 over (seed, stream id), the seeding its authors recommend, so neighbouring
 * stream ids give unrelated states. Doubles take 53 random bits from two outputs.
 */

const MASK64 = (1n << 64n) - 1n;

function splitmix64(state: bigint): [next: bigint, output: bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

const TWO_POW_MINUS_53 = 1 / 9007199254740992;

/**
 * Tables of the ziggurat method for the unit exponential (Marsaglia & Tsang, "The Ziggurat Method
 * for Generating Random Variables", J. Stat. Software 5(8), 2000): 256 layers of equal area. About
 * 99% of draws cost one 32-bit output, one comparison and one multiplication — no logarithm.
 */
const ZIG_R = 7.697117470131487; // right edge of the base layer
const ZIG_V = 3.949659822581572e-3; // area of each layer
const ZIG_KE = new Uint32Array(256);
const ZIG_WE = new Float64Array(256);
const ZIG_FE = new Float64Array(256);
(() => {
  const m2 = 4294967296;
  let de = ZIG_R;
  let te = de;
  const q = ZIG_V / Math.exp(-de);
  ZIG_KE[0] = Math.floor((de / q) * m2);
  ZIG_KE[1] = 0;
  ZIG_WE[0] = q / m2;
  ZIG_WE[255] = de / m2;
  ZIG_FE[0] = 1;
  ZIG_FE[255] = Math.exp(-de);
  for (let i = 254; i >= 1; i--) {
    de = -Math.log(ZIG_V / de + Math.exp(-de));
    ZIG_KE[i + 1] = Math.floor((de / te) * m2);
    te = de;
    ZIG_FE[i] = Math.exp(-de);
    ZIG_WE[i] = de / m2;
  }
})();

export class Rng {
  /**
   * xoshiro128** state: four 32-bit words held as signed int32 fields of the object itself (small
   * integers to V8: no allocation on update, and no pointer to follow to a separate array).
   */
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** A stream for `(seed, stream)`: seed is the run seed, stream the LP's global id (or another fixed id). */
  constructor(seed: number, stream: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer (got ${seed})`);
    if (!Number.isSafeInteger(stream) || stream < 0) throw new RangeError(`stream must be a non-negative safe integer (got ${stream})`);
    let [state, a] = splitmix64(BigInt(seed));
    [state, a] = splitmix64(state ^ a ^ BigInt(stream));
    const [, b] = splitmix64(state);
    this.s0 = Number(a & 0xffffffffn) | 0;
    this.s1 = Number(a >> 32n) | 0;
    this.s2 = Number(b & 0xffffffffn) | 0;
    this.s3 = Number(b >> 32n) | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = (n3 << 11) | (n3 >>> 21);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits (two generator steps, inlined: this is the hot call). */
  nextDouble(): number {
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    let m = Math.imul(s1, 5);
    const hi = Math.imul((m << 7) | (m >>> 25), 9) >>> 5; // top 27 bits
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    m = Math.imul(s1, 5);
    const lo = Math.imul((m << 7) | (m >>> 25), 9) >>> 6; // top 26 bits
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return (hi * 67108864 + lo) * TWO_POW_MINUS_53;
  }

  /** Exponential with mean 1, by the ziggurat (see ZIG_* above). */
  nextExp(): number {
    let jz = this.nextUint32();
    let iz = jz & 255;
    if (jz < ZIG_KE[iz]) return jz * ZIG_WE[iz];
    for (;;) {
      // Outside the rectangle of layer iz: the base layer's tail, or the wedge's rejection test.
      if (iz === 0) return ZIG_R - Math.log(1 - this.nextDouble());
      const x = jz * ZIG_WE[iz];
      if (ZIG_FE[iz] + this.nextDouble() * (ZIG_FE[iz - 1] - ZIG_FE[iz]) < Math.exp(-x)) return x;
      jz = this.nextUint32();
      iz = jz & 255;
      if (jz < ZIG_KE[iz]) return jz * ZIG_WE[iz];
    }
  }

  /** Uniform integer in [0, n), n ≤ 2^32. Uses the multiply-shift mapping (bias below 2^-32·n). */
  nextInt(n: number): number {
    return Math.floor(this.nextDouble() * n);
  }

  /** A copy of the state, for tests and checkpoints. */
  snapshot(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }
}
