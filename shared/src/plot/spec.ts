/**
 * A Vega-Lite chart of one metric against one parameter, drawn to go in a mailing-list post:
 * replicates averaged with ±1 stddev error bars (or a 95% confidence band), series told apart by colour, marker and dash,
 * categorical parameters as grouped points (no line joins unordered values), units in the axis
 * label, and a y axis that leaves out zero when zero would squash the differences flat.
 * No vega import here: the browser bundles this file as it is.
 */
import type { TopLevelSpec } from 'vega-lite';
import { meanConfidenceHalfWidth, summarize } from '../compare/stats.js';
import { axisLabel, chooseUnit, metricWords } from './units.js';

/** One run's value: where it goes on x, which series it belongs to, the raw metric value. */
export interface PlotPoint {
  x: number | string | boolean;
  series?: string;
  y: number;
}

export interface PlotOptions {
  /** The report path plotted, e.g. `locks.bench_lock.conPercent` (units come from its name). */
  metric: string;
  /** Name of the x parameter. */
  x: string;
  /** Name of the parameter that splits the data into series. */
  series?: string;
  title?: string;
  /** Lines under the title: what was held fixed, how many replicates. */
  subtitle?: string | string[];
  xlabel?: string;
  ylabel?: string;
  width?: number;
  height?: number;
  /**
   * What the spread around each mean shows: ±1 standard deviation of the replicates (the
   * default), or the 95% confidence interval of the mean — drawn as a band along a numeric x.
   */
  spread?: PlotSpread;
}

export const PLOT_SPREADS = ['stddev', 'ci95'] as const;
export type PlotSpread = (typeof PLOT_SPREADS)[number];

export interface PlotDatum {
  x: number | string;
  series: string;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right', 'triangle-left'];
const DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [10, 4], [3, 5], [12, 3, 3, 3, 3, 3]];
// Okabe–Ito: told apart with any of the common colour-vision deficiencies.
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/** Means and their spread (±1 stddev, or the 95% confidence interval) per (x, series), scaled into the chosen unit, in first-seen order. */
export function aggregatePoints(points: readonly PlotPoint[], factor: number, spread: PlotSpread = 'stddev'): PlotDatum[] {
  const groups = new Map<string, { x: number | string; series: string; ys: number[] }>();
  for (const p of points) {
    if (!Number.isFinite(p.y)) continue;
    const x = typeof p.x === 'boolean' ? String(p.x) : p.x;
    const series = p.series ?? '';
    const id = JSON.stringify([x, series]);
    const g = groups.get(id) ?? { x, series, ys: [] };
    g.ys.push(p.y * factor);
    groups.set(id, g);
  }
  return [...groups.values()].map((g) => {
    const s = summarize(g.ys);
    const half = spread === 'ci95' ? meanConfidenceHalfWidth(g.ys) : s.stddev;
    const w = Number.isFinite(half) ? half : 0;
    return { x: g.x, series: g.series, mean: s.mean, lo: s.mean - w, hi: s.mean + w, n: s.n };
  });
}

/**
 * CPU counts and sizes are swept in doublings (1, 2, 4, … 64); on a linear axis the small ones
 * crowd into a corner. Such x values get a base-2 log axis.
 */
export function isDoublingSweep(xs: readonly number[]): boolean {
  if (xs.length < 3 || xs[0] <= 0) return false;
  for (let i = 1; i < xs.length; i++) if (xs[i] / xs[i - 1] < 1.5) return false;
  return xs[xs.length - 1] / xs[0] >= 8;
}

/** Zero belongs on the axis when the data reach down to within half their top; otherwise it hides the differences. */
export function includeZero(data: readonly PlotDatum[]): boolean {
  if (data.length === 0) return true;
  const lo = Math.min(...data.map((d) => d.lo));
  const hi = Math.max(...data.map((d) => d.hi));
  if (lo < 0) return hi > 0;
  return lo <= hi / 2;
}

export function buildPlotSpec(points: readonly PlotPoint[], options: PlotOptions): TopLevelSpec {
  const largest = Math.max(0, ...points.filter((p) => Number.isFinite(p.y)).map((p) => Math.abs(p.y)));
  const unit = chooseUnit(options.metric, largest);
  const spread = options.spread ?? 'stddev';
  const data = aggregatePoints(points, unit.factor, spread);
  const numericX = data.length > 0 && data.every((d) => typeof d.x === 'number');
  const xValues = [...new Set(data.map((d) => d.x))];
  if (numericX) (xValues as number[]).sort((a, b) => a - b);
  const seriesNames = [...new Set(data.map((d) => d.series))];
  const hasSeries = options.series !== undefined && seriesNames.length > 0;
  const replicated = data.some((d) => d.n > 1);
  const ylabel = options.ylabel ?? axisLabel(options.metric, unit);
  const xlabel = options.xlabel ?? options.x;
  const title = options.title ?? `${metricWords(options.metric)} by ${options.x}${options.series ? ` and ${options.series}` : ''}`;
  const y = { field: 'mean', type: 'quantitative' as const, title: ylabel, scale: { zero: includeZero(data), nice: true } };
  const x = numericX
    ? { field: 'x', type: 'quantitative' as const, title: xlabel, scale: { ...(isDoublingSweep(xValues as number[]) ? { type: 'log' as const, base: 2 } : { zero: false }), nice: false, padding: 24 }, axis: xValues.length <= 12 ? { values: xValues as number[], grid: false } : { grid: false } }
    : { field: 'x', type: 'nominal' as const, title: xlabel, sort: xValues.map(String), axis: { labelAngle: 0 } };
  const legendTitle = options.series ?? '';
  const seriesScale = { domain: seriesNames };
  const colour = hasSeries
    ? { field: 'series', type: 'nominal' as const, title: legendTitle, scale: { ...seriesScale, range: COLOURS } }
    : { value: COLOURS[0] };
  const shape = hasSeries ? { field: 'series', type: 'nominal' as const, title: legendTitle, scale: { ...seriesScale, range: SHAPES } } : { value: 'circle' };
  const dash = hasSeries ? { field: 'series', type: 'nominal' as const, title: legendTitle, scale: { ...seriesScale, range: DASHES } } : { value: [1, 0] };
  // One legend: colour and marker merged; a dash drawn over a marker symbol would blur it.
  const offset = !numericX && hasSeries ? { xOffset: { field: 'series', type: 'nominal' as const, scale: { ...seriesScale, paddingOuter: 0.6 } } } : {};
  const tooltip = [
    { field: 'x', title: xlabel },
    ...(hasSeries ? [{ field: 'series', title: legendTitle }] : []),
    { field: 'mean', title: `mean ${unit.label}`.trim(), format: '.4~g' },
    { field: 'n', title: 'runs' },
  ];
  const layers: object[] = [];
  // A confidence interval along a numeric x reads best as a band; elsewhere, and for ±1 stddev, bars.
  const band = replicated && spread === 'ci95' && numericX;
  if (band) {
    layers.push({
      transform: [{ filter: 'datum.n > 1' }],
      mark: { type: 'errorband', opacity: 0.18 },
      encoding: { y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color: colour },
    });
  } else if (replicated) {
    layers.push({
      transform: [{ filter: 'datum.n > 1' }],
      mark: { type: 'errorbar', ticks: { size: 8 }, thickness: 1.5 },
      encoding: { y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color: colour, ...offset },
    });
  }
  if (numericX) layers.push({ mark: { type: 'line', strokeWidth: 2 }, encoding: { y, color: colour, strokeDash: dash } });
  layers.push({ mark: { type: 'point', filled: true, size: 80, opacity: 1 }, encoding: { y, color: colour, shape, tooltip, ...offset } });
  const spreadWords = spread === 'ci95' ? `${band ? 'band' : 'error bars'}: 95% confidence interval of the mean` : 'error bars: ±1 standard deviation';
  const subtitle = options.subtitle ?? (replicated ? `points: mean of the replicates; ${spreadWords}` : undefined);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: options.width ?? 560,
    height: options.height ?? 340,
    background: 'white',
    padding: 16,
    title: { text: title, ...(subtitle ? { subtitle } : {}), anchor: 'start', offset: 14 },
    data: { values: data },
    encoding: { x },
    layer: layers,
    resolve: { scale: { y: 'shared' } },
    config: {
      font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
      title: { fontSize: 16, fontWeight: 'bold', subtitleFontSize: 12, subtitleColor: '#555', subtitlePadding: 6 },
      axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', titlePadding: 10, gridColor: '#e6e6e6', domainColor: '#444', tickColor: '#444' },
      legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal', symbolStrokeWidth: 0, symbolSize: 120, symbolOpacity: 1, orient: 'right' },
      view: { stroke: null },
    },
  } as TopLevelSpec;
}
