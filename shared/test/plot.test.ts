import { describe, expect, it } from 'vitest';
import { axisLabel, buildPlotSpec, chooseUnit, includeZero, aggregatePoints, renderSvg, sweepSubtitle, type PlotPoint } from '@numasim/shared';

type Layer = { mark: { type: string }; encoding: Record<string, { field?: string; value?: unknown; scale?: { zero?: boolean } }> };

describe('units from metric names', () => {
  it('scales nanoseconds to a readable unit and reads %, /s and bytes from the suffix', () => {
    expect(chooseUnit('locks.x.waitMeanNs', 850)).toEqual({ label: 'ns', factor: 1 });
    expect(chooseUnit('locks.x.waitMeanNs', 29_302)).toEqual({ label: 'µs', factor: 1e-3 });
    expect(chooseUnit('workload.completionNs', 4_500_000)).toEqual({ label: 'ms', factor: 1e-6 });
    expect(chooseUnit('run.simulatedNs', 28.5e9)).toEqual({ label: 's', factor: 1e-9 });
    expect(chooseUnit('locks.x.conPercent', 55)).toEqual({ label: '%', factor: 1 });
    expect(chooseUnit('workload.operationsPerSecond', 1.38e6)).toEqual({ label: 'million/s', factor: 1e-6 });
    expect(chooseUnit('machine.cpus', 16)).toEqual({ label: '', factor: 1 });
    expect(axisLabel('locks.zone->lock[node0/Normal].waitMeanNs', chooseUnit('x.waitMeanNs', 2e4))).toBe('zone->lock[node0/Normal] mean wait (µs)');
    expect(axisLabel('workload.operationsPerSecond', { label: '/s', factor: 1 })).toBe('operations (/s)');
  });
});

describe('buildPlotSpec', () => {
  const numeric: PlotPoint[] = [];
  for (const series of ['ticket', 'tas']) for (const x of [2, 4, 8]) for (const r of [0, 1, 2]) numeric.push({ x, series, y: 20_000 + 1000 * x + 100 * r });

  it('averages replicates and gives ±1 stddev in the chosen unit', () => {
    const data = aggregatePoints([{ x: 1, y: 1000 }, { x: 1, y: 3000 }, { x: 2, y: 5000 }], 1e-3);
    expect(data).toEqual([
      { x: 1, series: '', mean: 2, lo: 2 - Math.SQRT2, hi: 2 + Math.SQRT2, n: 2 },
      { x: 2, series: '', mean: 5, lo: 5, hi: 5, n: 1 },
    ]);
  });

  it('with spread ci95: the 95% confidence interval of the mean, a band along a numeric x and bars along a categorical one', () => {
    // Three replicates 1, 2, 3: mean 2, s = 1, t(0.975, 2) = 4.3027, half-width 4.3027 / √3 = 2.4841.
    const [d] = aggregatePoints([{ x: 1, y: 1 }, { x: 1, y: 2 }, { x: 1, y: 3 }], 1, 'ci95');
    expect(d.mean).toBe(2);
    expect(d.hi - d.mean).toBeCloseTo(2.4841, 3);
    expect(d.mean - d.lo).toBeCloseTo(2.4841, 3);
    const spec = buildPlotSpec(numeric, { metric: 'locks.bench_lock.waitMeanNs', x: 'cpusPerNode', series: 'lock', spread: 'ci95' }) as unknown as { layer: Layer[]; title: { subtitle: string } };
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['errorband', 'line', 'point']);
    expect(spec.title.subtitle).toMatch(/band: 95% confidence interval of the mean/);
    const categorical = buildPlotSpec([{ x: 'a', y: 1 }, { x: 'a', y: 2 }, { x: 'b', y: 3 }, { x: 'b', y: 4 }], { metric: 'workload.x', x: 'k', spread: 'ci95' }) as unknown as { layer: Layer[] };
    expect(categorical.layer[0].mark.type).toBe('errorbar');
  });

  it('numeric x: lines with dashes, markers and error bars, one series per value; axis labels with units', () => {
    const spec = buildPlotSpec(numeric, { metric: 'locks.bench_lock.waitMeanNs', x: 'cpusPerNode', series: 'lock' }) as unknown as { layer: Layer[]; encoding: { x: { type: string; title: string } }; title: { text: string } };
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['errorbar', 'line', 'point']);
    expect(spec.layer[1].encoding.strokeDash.field).toBe('series');
    expect(spec.layer[2].encoding.shape.field).toBe('series');
    expect(spec.layer[2].encoding.color.field).toBe('series');
    expect(spec.encoding.x).toMatchObject({ type: 'quantitative', title: 'cpusPerNode' });
    expect(spec.layer[2].encoding.y).toMatchObject({ title: 'bench_lock mean wait (µs)' });
    expect(spec.title.text).toBe('bench_lock mean wait by cpusPerNode and lock');
    // 22–28 µs: zero would flatten the differences, so the axis leaves it out.
    expect(spec.layer[2].encoding.y.scale?.zero).toBe(false);
  });

  it('categorical x: grouped points side by side, no line joining unordered values', () => {
    const points = numeric.map((p) => ({ ...p, x: `c${p.x}` }));
    const spec = buildPlotSpec(points, { metric: 'locks.bench_lock.conPercent', x: 'coherence', series: 'lock', title: 'T', xlabel: 'X', ylabel: 'Y' }) as unknown as { layer: Layer[]; encoding: { x: { type: string; title: string; sort: string[] } }; title: { text: string } };
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['errorbar', 'point']);
    expect(spec.layer[1].encoding.xOffset.field).toBe('series');
    expect(spec.encoding.x).toMatchObject({ type: 'nominal', title: 'X', sort: ['c2', 'c4', 'c8'] });
    expect(spec.layer[1].encoding.y).toMatchObject({ title: 'Y' });
    expect(spec.title.text).toBe('T');
  });

  it('keeps zero when the data come down near it, and draws no error bars for single runs', () => {
    expect(includeZero([{ x: 1, series: '', mean: 3, lo: 2, hi: 4, n: 3 }, { x: 2, series: '', mean: 50, lo: 49, hi: 51, n: 3 }])).toBe(true);
    expect(includeZero([{ x: 1, series: '', mean: 30, lo: 29, hi: 31, n: 3 }, { x: 2, series: '', mean: 50, lo: 49, hi: 51, n: 3 }])).toBe(false);
    const single = buildPlotSpec([{ x: 1, y: 1 }, { x: 2, y: 2 }], { metric: 'a', x: 'k' }) as unknown as { layer: Layer[] };
    expect(single.layer.map((l) => l.mark.type)).toEqual(['line', 'point']);
  });

  it('renders to a standalone SVG with the title, subtitle, labels and legend', async () => {
    const subtitle = sweepSubtitle({ base: 'lockbench-8', set: ['durationNs=5000000'], grid: { cpusPerNode: [2, 4, 8], lock: ['ticket', 'tas'], coherence: ['snoop'] }, replicates: 3 }, ['cpusPerNode', 'lock']);
    expect(subtitle).toEqual(['lockbench-8, durationNs=5000000, coherence=snoop', 'mean of 3 replicates per point (different seeds); error bars ±1 standard deviation']);
    const svg = await renderSvg(buildPlotSpec(numeric, { metric: 'locks.bench_lock.waitMeanNs', x: 'cpusPerNode', series: 'lock', subtitle }));
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const text of ['bench_lock mean wait by cpusPerNode and lock', 'lockbench-8, durationNs=5000000, coherence=snoop', 'bench_lock mean wait (µs)', '>cpusPerNode<', '>ticket<', '>tas<']) expect(svg).toContain(text);
    expect(svg).not.toContain('NaN');
  });
});

describe('doubling sweeps', () => {
  it('get a base-2 log x axis; evenly spaced or short ones stay linear', async () => {
    const { isDoublingSweep } = await import('@numasim/shared');
    expect(isDoublingSweep([1, 2, 4, 8])).toBe(true);
    expect(isDoublingSweep([4, 8, 16, 32, 64])).toBe(true);
    expect(isDoublingSweep([2, 4])).toBe(false);
    expect(isDoublingSweep([1, 2, 3, 4, 8])).toBe(false);
    expect(isDoublingSweep([0, 1, 2, 4, 8])).toBe(false);
    const spec = buildPlotSpec([1, 2, 4, 8].map((x) => ({ x, y: x })), { metric: 'm', x: 'cpus' }) as unknown as { encoding: { x: { scale: { type?: string; base?: number } } } };
    expect(spec.encoding.x.scale).toMatchObject({ type: 'log', base: 2 });
  });
});
