/**
 * A sweep: its runs, and a chart of any metric against any grid parameter, one series per value
 * of the other parameters, replicates as their mean with a 95% band.
 */
import { getJson, type SweepCompare, type SweepView } from '../api.js';
import { chart } from '../charts.js';
import { buildPlotSpec } from '../shared-modules.js';
import { clear, errorBox, h } from '../dom.js';
import { go } from '../nav.js';
import { metricsOf, plotPoints } from '../sweep-data.js';
import { statusBadge } from './runs.js';

let poll: ReturnType<typeof setTimeout> | undefined;

export function stopSweepPolling(): void {
  if (poll !== undefined) clearTimeout(poll);
  poll = undefined;
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'partial']);

export async function sweepView(root: HTMLElement, id: string, query: URLSearchParams): Promise<void> {
  stopSweepPolling();
  clear(root);
  let sweep: SweepView;
  try {
    sweep = await getJson<SweepView>(`/v1/sweeps/${id}`);
  } catch (e) {
    root.append(h('h1', {}, 'Sweep'), errorBox((e as Error).message));
    return;
  }
  const keys = Object.keys(sweep.request.grid);
  const x = keys.includes(query.get('x') ?? '') ? query.get('x')! : keys[0];
  const firstDone = sweep.children.find((c) => c.status === 'succeeded');
  const metrics = firstDone ? metricsOf(await getJson(`/v1/runs/${firstDone.id}/report`)) : [];
  const metric = metrics.includes(query.get('metric') ?? '') ? query.get('metric')! : (metrics.find((m) => m.startsWith('workload.') && /PerSecond|completionNs/.test(m)) ?? metrics[0]);

  const done = sweep.children.filter((c) => FINISHED.has(c.status)).length;
  root.append(
    h('h1', {}, 'Sweep ', h('code', {}, id)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Status'),
      h('dd', {}, h('span', { id: 'sweep-status', 'data-status': sweep.status }, statusBadge(sweep.status)), ` ${done} of ${sweep.children.length} runs finished`),
      (sweep.label ?? sweep.request.label) ? [h('dt', {}, 'Label'), h('dd', {}, (sweep.label ?? sweep.request.label)!)] : '',
      h('dt', {}, 'Base'),
      h('dd', {}, h('code', {}, sweep.request.base.preset ?? 'inline workload'), sweep.request.base.set ? [' with ', h('code', {}, JSON.stringify(sweep.request.base.set))] : ''),
      h('dt', {}, 'Grid'),
      h('dd', {}, h('code', {}, keys.map((k) => `${k} ∈ {${sweep.request.grid[k].map((v) => JSON.stringify(v)).join(', ')}}`).join('  ×  '))),
      h('dt', {}, 'Replicates'),
      h('dd', {}, String(sweep.request.replicates)),
    ),
  );
  const chartBox = h('section', { id: 'sweep-chart', 'aria-label': 'chart' });
  root.append(chartBox);
  if (metric) {
    const metricSelect = h('select', { name: 'metric', id: 'metric' }, metrics.map((m) => h('option', { value: m, selected: m === metric }, m)));
    const xSelect = h('select', { name: 'x', id: 'x' }, keys.map((k) => h('option', { value: k, selected: k === x }, k)));
    const controls = h('form', { class: 'filters' }, h('label', {}, 'Metric ', metricSelect), h('label', {}, 'against ', xSelect));
    controls.addEventListener('change', () => go(`#/sweeps/${id}?${new URLSearchParams({ metric: metricSelect.value, x: xSelect.value })}`));
    chartBox.append(controls);
    try {
      const cmp = await getJson<SweepCompare>(`/v1/sweeps/${id}/compare?metrics=${encodeURIComponent(metric)}`);
      // The shared chart builder, as the service's plot.svg and `numasim plot` draw it.
      const { points, series } = plotPoints(cmp.rows, metric, x, keys);
      // Replicates as their mean with the 95% confidence interval of that mean (a band along a numeric x).
      const figure = chart(buildPlotSpec(points, { metric, x, spread: 'ci95', ...(series ? { series } : {}) })).figure;
      figure.dataset.metric = metric;
      chartBox.append(figure);
      const others = keys.filter((k) => k !== x);
      const svgUrl = `/v1/sweeps/${id}/plot.svg?${new URLSearchParams({ metric, x, spread: 'ci95', ...(others.length === 1 ? { series: others[0] } : {}) })}`;
      chartBox.append(h('p', { class: 'downloads' }, 'The same data: ', h('a', { href: svgUrl }, 'SVG from the server'), ' · ', h('a', { href: `/v1/sweeps/${id}/compare?metrics=${encodeURIComponent(metric)}` }, 'compare JSON')));
    } catch (e) {
      chartBox.append(errorBox((e as Error).message));
    }
  } else {
    chartBox.append(h('p', { class: 'empty' }, 'The chart appears when the first run has succeeded.'));
  }
  root.append(h('h2', {}, 'Runs'), h('p', {}, h('a', { href: `#/compare?sweep=${id}` }, 'Compare the grid points side by side')), childrenTable(sweep));
  root.dataset.loaded = 'sweep';
  if (!FINISHED.has(sweep.status)) poll = setTimeout(() => void sweepView(root, id, query), 2000);
}

function showParam(v: unknown): string {
  return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

function childrenTable(sweep: SweepView): HTMLElement {
  const selected = new Set<string>();
  const button = h('button', { type: 'button', disabled: true }, 'Compare selected runs');
  button.addEventListener('click', () => go(`#/compare?runs=${[...selected].join(',')}`));
  const keys = Object.keys(sweep.request.grid);
  return h(
    'div',
    {},
    h('p', {}, button),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { id: 'sweep-runs' },
        h('thead', {}, h('tr', {}, ['', 'Run', ...keys, 'replicate', 'Seed', 'Status'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          sweep.children.map((c) => {
            const box = h('input', { type: 'checkbox', 'aria-label': `select ${c.id}`, disabled: c.status !== 'succeeded' });
            box.addEventListener('change', () => {
              if (box.checked) selected.add(c.id);
              else selected.delete(c.id);
              button.disabled = selected.size < 2;
            });
            return h(
              'tr',
              {},
              h('td', {}, box),
              h('td', {}, h('a', { href: `#/runs/${c.id}` }, h('code', {}, c.id))),
              [...keys, 'replicate'].map((k) => h('td', {}, h('code', {}, showParam(c.params?.[k])))),
              h('td', { class: 'num' }, String(c.seed)),
              h('td', {}, statusBadge(c.status)),
            );
          }),
        ),
      ),
    ),
  );
}
