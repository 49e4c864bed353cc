/**
 * Two or more runs, or the points of a sweep, side by side: `#/compare?runs=a,b` (each run a group)
 * or `#/compare?sweep=<id>` (each grid point a group of its replicates).
 */
import { getJson, serverFeatures, type SweepCompare, type SweepView } from '../api.js';
import { compareCells, compareText, type Group } from '../compare-table.js';
import { formatChange } from '../shared-modules.js';
import { clear, errorBox, h, num } from '../dom.js';
import { metricValue } from '../metric.js';
import { go } from '../nav.js';
import { metricsOf } from '../sweep-data.js';

type ReportLike = { locks: { name: string }[]; workload: Record<string, unknown> };

/** Metrics compared by default: the workload's numbers and the busiest locks' main figures. */
function defaultMetrics(report: ReportLike): string[] {
  const all = metricsOf(report);
  const lockNames = report.locks.slice(0, 8).map((l) => `locks.${l.name}.`);
  return all.filter((m) => m.startsWith('workload.') || (lockNames.some((p) => m.startsWith(p)) && /conPercent|utilPercent|waitMeanNs|holdMeanNs/.test(m)));
}

async function runGroups(ids: string[]): Promise<{ groups: Group[]; metrics: string[] }> {
  const reports = await Promise.all(ids.map((id) => getJson<ReportLike>(`/v1/runs/${id}/report`)));
  const metrics = defaultMetrics(reports[0]);
  const groups = ids.map((id, i) => ({ key: id, params: {}, values: Object.fromEntries(metrics.map((m) => [m, [metricValue(reports[i], m)].filter((v): v is number => v !== undefined)])) }));
  return { groups, metrics };
}

async function sweepGroups(id: string): Promise<{ groups: Group[]; metrics: string[] }> {
  const sweep = await getJson<SweepView>(`/v1/sweeps/${id}`);
  const first = sweep.children.find((c) => c.status === 'succeeded');
  if (!first) throw new Error(`no run of sweep ${id} has succeeded yet`);
  const metrics = defaultMetrics(await getJson<ReportLike>(`/v1/runs/${first.id}/report`));
  const cmp = await getJson<SweepCompare>(`/v1/sweeps/${id}/compare?metrics=${encodeURIComponent(metrics.join(','))}`);
  const byPoint = new Map<string, Group>();
  for (const r of cmp.rows) {
    const key = Object.entries(r.params ?? {})
      .filter(([k]) => k !== 'replicate')
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const params = Object.fromEntries(Object.entries(r.params ?? {}).filter(([k]) => k !== 'replicate'));
    const values: Record<string, number[]> = Object.fromEntries(metrics.map((m) => [m, []]));
    const g = byPoint.get(key) ?? { key, params, values };
    for (const m of metrics) if (typeof r.values[m] === 'number') (g.values[m] as number[]).push(r.values[m] as number);
    byPoint.set(key, g);
  }
  return { groups: [...byPoint.values()], metrics };
}

export async function compareView(root: HTMLElement, query: URLSearchParams): Promise<void> {
  clear(root);
  root.append(h('h1', {}, 'Compare'));
  const ids = (query.get('runs') ?? '').split(',').filter(Boolean);
  const sweep = query.get('sweep');
  if (!sweep && ids.length < 2) {
    root.append(h('p', { class: 'empty' }, 'Pick two or more finished runs on the run list (or a sweep’s points on its page), then press Compare.'));
    root.dataset.loaded = 'compare';
    return;
  }
  let data: { groups: Group[]; metrics: string[] };
  try {
    data = sweep ? await sweepGroups(sweep) : await runGroups(ids);
  } catch (e) {
    root.append(errorBox((e as Error).message));
    root.dataset.loaded = 'compare';
    return;
  }
  const { groups, metrics } = data;
  const baseline = groups.some((g) => g.key === query.get('baseline')) ? query.get('baseline')! : groups[0].key;
  const cells = compareCells(groups, metrics, baseline);
  const baseSelect = h('select', { id: 'baseline' }, groups.map((g) => h('option', { value: g.key, selected: g.key === baseline }, g.key)));
  baseSelect.addEventListener('change', () => {
    const q = new URLSearchParams(query);
    q.set('baseline', baseSelect.value);
    go(`#/compare?${q}`);
  });
  const features = await serverFeatures();
  // The service's own exports of the same comparison: per-run CSV, statistics CSV, plain text.
  const serverUrl = (format: string) =>
    sweep
      ? `/v1/sweeps/${sweep}/compare?${new URLSearchParams({ metrics: metrics.join(','), format })}`
      : `/v1/compare?${new URLSearchParams({ runs: ids.join(','), metrics: metrics.join(','), baseline, format })}`;
  const csv =
    features.compare || sweep
      ? h('span', { class: 'downloads' }, 'From the service: ', h('a', { href: serverUrl('csv') }, 'CSV per run'), ' · ', h('a', { href: serverUrl('stats-csv') }, 'statistics CSV'), ' · ', h('a', { href: serverUrl('text') }, 'text'))
      : '';
  root.append(
    h('p', {}, sweep ? ['Points of sweep ', h('a', { href: `#/sweeps/${sweep}` }, h('code', {}, sweep)), ' (mean ± standard deviation over replicates). '] : '', h('label', {}, 'Baseline ', baseSelect)),
    h('p', {}, csv),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { id: 'compare' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Metric'), groups.map((g) => h('th', { scope: 'col', class: 'num group' }, sweep ? g.key : h('a', { href: `#/runs/${g.key}` }, h('code', {}, g.key)))))),
        h(
          'tbody',
          {},
          metrics.map((m) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, h('code', {}, m)),
              cells.get(m)!.map((c) =>
                h(
                  'td',
                  { class: 'num' },
                  c.n === 0 ? '–' : num(c.mean),
                  c.n > 1 ? h('span', { class: 'spread' }, ` ±${num(c.stddev)}`) : '',
                  c.changePercent === null ? '' : h('span', { class: 'change', title: c.p === null ? null : `Welch's p = ${c.p.toPrecision(3)}` }, formatChange(c.changePercent), c.significant ? h('strong', { class: 'significant' }, ' *') : ''),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
    h('p', { class: 'hint' }, `Changes are against the baseline; * marks a difference Welch's t-test finds significant (two-sided p < 0.05; hover a change for its p). A group needs two or more runs for the test.`),
    h('details', {}, h('summary', {}, 'As text, for an email'), h('pre', { id: 'compare-text' }, compareText(cells))),
  );
  root.dataset.loaded = 'compare';
}
