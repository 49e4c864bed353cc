/**
 * Charts: Vega-Lite specs rendered to SVG in the page by vega's View (bundled, no CDN). The sweep
 * chart's spec comes from the shared builder; the time series' are drawn here, series told apart
 * by colour and dash.
 */
import { parse, View, changeset } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const CONFIG = {
  font: 'system-ui, sans-serif',
  axis: { labelFontSize: 12, titleFontSize: 12, grid: true, gridColor: '#e4e4e4' },
  legend: { labelFontSize: 12, titleFontSize: 12, orient: 'bottom' as const },
  title: { fontSize: 14, anchor: 'start' as const },
  view: { stroke: null },
  // Strong colours only: the default palette's pale ones vanish on a projector.
  range: { category: { scheme: 'dark2' } },
};


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
      // resize(): the axis labels grow with the data, and the chart re-lays itself out around them.
      pending = pending.then(() => view.change('points', changeset().insert(points)).resize().runAsync().then(() => undefined));
      return pending;
    },
  };
}
