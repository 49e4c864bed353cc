import { describe, expect, it } from 'vitest';
import { DurationSampler, Rng } from '@numasim/node-sim';

const draws = (r: Rng, n: number) => Array.from({ length: n }, () => r.nextDouble());

describe('Rng', () => {
  it('repeats a stream for the same seed and stream id', () => {
    expect(draws(new Rng(42, 3), 100)).toEqual(draws(new Rng(42, 3), 100));
  });

  it('gives unrelated streams to neighbouring ids and seeds', () => {
    const a = draws(new Rng(42, 3), 100);
    expect(draws(new Rng(42, 4), 100)).not.toEqual(a);
    expect(draws(new Rng(43, 3), 100)).not.toEqual(a);
  });

  it('does not depend on how many other streams exist or in which order they were made', () => {
    const first = new Rng(7, 5);
    const expected = draws(first, 50);
    const others = [new Rng(7, 9), new Rng(7, 0), new Rng(7, 1)];
    others.forEach((o) => draws(o, 13));
    expect(draws(new Rng(7, 5), 50)).toEqual(expected);
  });

  it('draws uniformly in [0, 1)', () => {
    const r = new Rng(1, 0);
    const xs = draws(r, 200_000);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeCloseTo(0.5, 2);
    const buckets = new Array<number>(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]++;
    for (const b of buckets) expect(Math.abs(b - 20_000)).toBeLessThan(600); // > 4 σ
  });

  it('rejects seeds that are not safe non-negative integers', () => {
    expect(() => new Rng(-1, 0)).toThrow(RangeError);
    expect(() => new Rng(1.5, 0)).toThrow(RangeError);
  });
});

describe('DurationSampler', () => {
  const mean = (d: DurationSampler, n = 200_000) => {
    const r = new Rng(9, 1);
    let s = 0;
    for (let i = 0; i < n; i++) s += d.sample(r);
    return s / n;
  };

  it('samples whole nanoseconds with the configured means', () => {
    const r = new Rng(1, 1);
    const exp = new DurationSampler({ dist: 'exp', mean: 1000 });
    for (let i = 0; i < 1000; i++) expect(Number.isInteger(exp.sample(r))).toBe(true);
    expect(mean(exp) / 1000).toBeCloseTo(1, 1);
    expect(mean(new DurationSampler({ dist: 'uniform', min: 100, max: 300 })) / 200).toBeCloseTo(1, 2);
    expect(mean(new DurationSampler({ dist: 'lognormal', mean: 5000, cv: 1.5 })) / 5000).toBeCloseTo(1, 1);
    expect(new DurationSampler({ dist: 'const', value: 77 }).sample(r)).toBe(77);
  });
});
