import { describe, expect, it } from 'vitest';
import { compareGroups, compareRowsToCsv, compareRowsToText, meanConfidenceHalfWidth, summarize, tQuantile, welch } from '@numasim/shared';

describe('summarize', () => {
  it('gives the sample standard deviation (n − 1) and the CV in percent', () => {
    // Σ(x − 5)² = 32 over 8 values: variance 32/7, stddev 2.1381, CV 42.76 %.
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s).toMatchObject({ n: 8, mean: 5, min: 2, max: 9 });
    expect(s.stddev).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(s.cv).toBeCloseTo(42.7618, 4);
  });

  it('has no spread for one value and no mean for none', () => {
    expect(summarize([3])).toMatchObject({ n: 1, mean: 3, stddev: 0, cv: 0 });
    expect(Number.isNaN(summarize([]).mean)).toBe(true);
  });
});

describe("Welch's t-test", () => {
  it('matches the worked example by hand: {1,2,3} against {4,5,6}', () => {
    // Means 2 and 5, variances 1 and 1: se = √(1/3 + 1/3), t = −3/se = −3.6742;
    // df = (2/3)² / ((1/3)²/2 · 2) = 4; two-sided p for |t| = 3.6742 on 4 df is 0.0213.
    const w = welch([1, 2, 3], [4, 5, 6]);
    expect(w.t).toBeCloseTo(-3 / Math.sqrt(2 / 3), 10);
    expect(w.df).toBeCloseTo(4, 10);
    expect(w.p).toBeCloseTo(0.021312, 5);
  });

  it('matches the textbook example with unequal variances (t −2.46, df 25.0, p 0.021)', () => {
    const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const w = welch(a, b);
    expect(w.t).toBeCloseTo(-2.455356, 5);
    expect(w.df).toBeCloseTo(24.98853, 4);
    expect(w.p).toBeCloseTo(0.021378, 5);
    expect(welch(b, a).p).toBeCloseTo(w.p, 12); // two-sided: symmetric
  });

  it('finds no difference between shifted samples with much spread', () => {
    expect(welch([10, 11, 12, 13], [10.5, 11.5, 12.5, 13.5]).p).toBeCloseTo(0.603645, 5);
  });

  it('treats samples without spread exactly, and refuses samples of one', () => {
    expect(welch([5, 5, 5], [5, 5])).toMatchObject({ t: 0, p: 1 });
    expect(welch([5, 5, 5], [6, 6, 6])).toMatchObject({ t: -Infinity, p: 0 });
    expect(Number.isNaN(welch([1], [2, 3]).p)).toBe(true);
  });
});

describe('compareGroups and its text and CSV', () => {
  const groups = [
    { key: 'cpus=2', params: { cpus: 2 }, values: { con: [1, 2, 3], ops: [100, 100, 100] } },
    { key: 'cpus=4', params: { cpus: 4 }, values: { con: [4, 5, 6], ops: [101, 99, 100] } },
  ];

  it('gives each metric and group its mean, stddev, CV, % change and significance against the baseline', () => {
    const rows = compareGroups({ groups, baselineKey: 'cpus=2' });
    expect(rows.map((r) => [r.metric, r.key])).toEqual([['con', 'cpus=2'], ['con', 'cpus=4'], ['ops', 'cpus=2'], ['ops', 'cpus=4']]);
    expect(rows[0]).toMatchObject({ baseline: true, changePercent: null, p: null, significant: false, mean: 2, stddev: 1, cv: 50 });
    expect(rows[1]).toMatchObject({ baseline: false, changePercent: 150, significant: true, mean: 5 });
    expect(rows[1].p).toBeCloseTo(0.021312, 5);
    expect(rows[3]).toMatchObject({ changePercent: 0, significant: false });
    expect(rows[3].p).toBeCloseTo(1, 10);
    // A stricter level turns the mark off.
    expect(compareGroups({ groups, baselineKey: 'cpus=2', alpha: 0.01 })[1].significant).toBe(false);
    // Another baseline: the change is measured from it.
    expect(compareGroups({ groups, baselineKey: 'cpus=4' })[0].changePercent).toBeCloseTo(-60, 10);
  });

  it('prints mean ± stddev, CV, the change and a mark on the significant line only', () => {
    const text = compareRowsToText(compareGroups({ groups }), { heading: 'two groups' });
    const lines = text.split('\n');
    expect(lines[0]).toBe('two groups');
    expect(text).toMatch(/^ {2}cpus=2\s+3\s+2\.000 ± 1\.000\s+50\.00%\s+baseline$/m);
    expect(text).toMatch(/^ {2}cpus=4\s+3\s+5\.000 ± 1\.000\s+20\.00%\s+\+150\.00% \*\s+0\.0213$/m);
    expect(text).toMatch(/^ {2}cpus=4\s+3\s+100\.00 ± 1\.00\s+1\.00%\s+0\.00%\s+1\.0000$/m);
    expect(text).toMatch(/Welch's t-test .* p < 0\.05/);
    const missing = compareRowsToText(compareGroups({ groups: [groups[0], { key: 'cpus=8', params: { cpus: 8 }, values: { con: [] } }], metrics: ['con'] }));
    expect(missing).toMatch(/^ {2}cpus=8\s+0 {2}\(no value at this path in these runs\)$/m);
  });

  it('writes one CSV line per metric and group with the parameters as columns', () => {
    const csv = compareRowsToCsv(compareGroups({ groups })).trim().split('\n');
    expect(csv[0]).toBe('metric,group,n,mean,stddev,cv,min,max,changePercent,p,significant,baseline,cpus');
    expect(csv[1]).toBe('con,cpus=2,3,2,1,50,1,3,,,false,true,2');
    expect(csv[2]).toMatch(/^con,cpus=4,3,5,1,20,4,6,150,0\.0213\d+,true,false,4$/);
  });
});

describe('t quantiles and confidence intervals', () => {
  it('inverts the t distribution as printed tables give it', () => {
    // Two-sided 95% critical values: df 1 → 12.706, 2 → 4.303, 10 → 2.228, 30 → 2.042.
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706, 3);
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.303, 3);
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.228, 3);
    expect(tQuantile(0.975, 30)).toBeCloseTo(2.042, 3);
    expect(tQuantile(0.5, 7)).toBeCloseTo(0, 9);
    expect(tQuantile(1, 3)).toBeNaN();
  });

  it('gives the half-width of the mean\'s interval, and nothing for a single value', () => {
    // 10, 12, 14: s = 2, n = 3 → 4.303 × 2 / √3 = 4.968.
    expect(meanConfidenceHalfWidth([10, 12, 14])).toBeCloseTo(4.968, 2);
    expect(meanConfidenceHalfWidth([5])).toBeNaN();
  });
});
