/**
 * Charts: Vega-Lite specs rendered to SVG in the page by vega's View (bundled, no CDN). Series are
 * told apart by colour and by dash and marker, so a chart survives a grey printer.
 */
import { parse, View, changeset } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { SweepPoint } from './types.js';

export type { SweepPoint } from './types.js';

const CONFIG = {
  font: 'system-ui, sans-serif',
  axis: { labelFontSize: 12, titleFontSize: 12, grid: true, gridColor: '#e4e4e4' },
  legend: { labelFontSize: 12, titleFontSize: 12, orient: 'bottom' as const },
  title: { fontSize: 14, anchor: 'start' as const },
  view: { stroke: null },
  // Strong colours only: the default palette's pale ones vanish on a projector.
  range: { category: { scheme: 'dark2' } },
};


/** A metric against a parameter: one line per series, the replicates' 95% interval as a band (error bars on a categorical axis). */
export function sweepSpec(o: { title: string; xTitle: string; yTitle: string; points: SweepPoint[] }): TopLevelSpec {
  const numericX = o.points.every((p) => typeof p.x === 'number');
  const x = { field: 'x', type: numericX ? 'quantitative' : 'ordinal', title: o.xTitle, ...(numericX ? { scale: { zero: false } } : {}) } as const;
  const y = { field: 'mean', type: 'quantitative', title: o.yTitle, scale: { zero: false } } as const;
  const series = { field: 'series', type: 'nominal', title: null } as const;
  const hasBand = o.points.some((p) => p.hi > p.lo);
  // The band colours itself through `fill` (or `stroke`), not `color`: a band layer on the color
  // scale would split the legend in two. Both scales take the same palette over the same sorted series.
  const layers: object[] = [];
  if (hasBand) {
    layers.push(
      numericX
        ? { mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, fill: { ...series, legend: null } } }
        : { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, stroke: { ...series, legend: null } } },
    );
  }
  layers.push({
    mark: { type: 'line', point: { filled: false, size: 60 }, strokeWidth: 2 },
    encoding: {
      x,
      y,
      color: { ...series, legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300 } },
      strokeDash: series,
      shape: { ...series, legend: null },
      tooltip: [
        { field: 'series', title: 'series' },
        { field: 'x', title: o.xTitle },
        { field: 'mean', title: 'mean', format: ',.4~g' },
        { field: 'lo', title: '95% low', format: ',.4~g' },
        { field: 'hi', title: '95% high', format: ',.4~g' },
        { field: 'n', title: 'replicates' },
      ],
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: 640,
    height: 320,
    data: { values: o.points },
    layer: layers,
    config: CONFIG,
  } as TopLevelSpec;
}

export interface TimePoint {
  tMs: number;
  value: number;
  series: string;
}

/** A value against simulated time; the data set `points` grows while a run goes on. */
export function timeSpec(o: { title: string; yTitle: string; points: TimePoint[] }): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: 640,
    height: 220,
    data: { name: 'points', values: o.points },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'tMs', type: 'quantitative', title: 'simulated time (ms)' },
      y: { field: 'value', type: 'quantitative', title: o.yTitle },
      color: { field: 'series', type: 'nominal', title: null, legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300 } },
      strokeDash: { field: 'series', type: 'nominal', title: null },
      tooltip: [
        { field: 'series' },
        { field: 'tMs', title: 'ms', format: ',.3~f' },
        { field: 'value', format: ',.4~g' },
      ],
    },
    config: CONFIG,
  } as TopLevelSpec;
}

/** A chart in a figure; `data-chart` turns "ready" once drawn (the browser tests wait on it). */
export interface Chart {
  figure: HTMLElement;
  /** Adds points to the chart's `points` data set. */
  add(points: TimePoint[]): Promise<void>;
}

export function chart(spec: TopLevelSpec, caption?: string): Chart {
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.dataset.chart = 'drawing';
  const holder = document.createElement('div');
  figure.append(holder);
  if (caption) {
    const c = document.createElement('figcaption');
    c.textContent = caption;
    figure.append(c);
  }
  const view = new View(parse(compile(spec).spec), { renderer: 'svg', container: holder, hover: true });
  let pending = view.runAsync().then(() => {
    figure.dataset.chart = 'ready';
  });
  pending.catch((e: Error) => {
    figure.dataset.chart = 'failed';
    figure.append(`chart failed: ${e.message}`);
  });
  return {
    figure,
    add(points) {
      pending = pending.then(() => view.change('points', changeset().insert(points)).runAsync().then(() => undefined));
      return pending;
    },
  };
}
