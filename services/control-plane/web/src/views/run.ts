/**
 * A run: its status and progress (live over SSE), charts of its time series, the lock table,
 * memory and numastat tables, the workload's results, and the report's downloads.
 */
import { ApiError, getJson, postJson, type RunView } from '../api.js';
import { chart, timeSpec, type TimePoint } from '../charts.js';
import { clear, errorBox, h, ns, num, when } from '../dom.js';
import { lockTable } from './lock-table.js';
import { memorySection, resultsSection, type ReportLike } from './report-tables.js';
import { seriesCharts, type TimeSeriesLike } from './series-charts.js';
import { paramsText, statusBadge } from './runs.js';

/** Streams left open by the previous page. */
let openStream: EventSource | undefined;

export function closeRunStream(): void {
  openStream?.close();
  openStream = undefined;
}

function describe(run: RunView): HTMLElement {
  const rows: [string, Node | string][] = [
    ['Status', h('span', { id: 'run-status', 'data-status': run.status }, statusBadge(run.status))],
    ['Kind', run.kind],
  ];
  if (run.preset !== undefined) rows.push(['Preset', run.preset ?? 'inline workload']);
  if (run.label) rows.push(['Label', run.label]);
  if (run.overrides && Object.keys(run.overrides).length) rows.push(['Overrides', h('code', {}, paramsText(run.overrides))]);
  if (run.sweepId) rows.push(['Sweep', h('span', {}, h('a', { href: `#/sweeps/${run.sweepId}` }, h('code', {}, run.sweepId)), ' ', h('code', {}, paramsText(run.params)))]);
  rows.push(['Seed', String(run.seed)], ['Created', when(run.createdAt)], ['Updated', when(run.updatedAt)]);
  if (run.error) rows.push(['Error', h('span', { class: 'error' }, typeof run.error === 'string' ? run.error : `${run.error.code ?? ''} ${run.error.message ?? ''}`)]);
  return h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function progressLine(run: RunView): HTMLElement {
  const p = run.progress;
  if (!p) return h('p', { id: 'run-progress' });
  const eta = p.etaMs != null ? p.etaMs / 1000 : p.etaSeconds;
  // Kernbench counts jobs, shm-db processes; other workloads simulated time towards their end.
  const unit = p.unit && p.unit !== 'simulated-ns' && p.total ? ` (${num(p.done)} of ${num(p.total)} ${p.unit}, ${ns(p.simulatedNs)} simulated)` : ` (${ns(p.simulatedNs)} simulated)`;
  return h(
    'p',
    { id: 'run-progress' },
    h('progress', { max: 1, value: p.fraction }, `${Math.round(p.fraction * 100)}%`),
    ` ${Math.round(p.fraction * 100)}%${unit}, ${num(p.events)} events`,
    eta != null && !run.finished ? `, about ${num(eta)} s left` : '',
  );
}

export async function runView(root: HTMLElement, id: string): Promise<void> {
  closeRunStream();
  clear(root);
  let run: RunView;
  try {
    run = await getJson<RunView>(`/v1/runs/${id}`);
  } catch (e) {
    root.append(h('h1', {}, 'Run'), errorBox((e as Error).message));
    return;
  }
  const facts = h('div', {}, describe(run));
  // Every status the page has shown, in order: a reader (or a test) can tell it followed the run live.
  const progress = h('div', { id: 'run-live-state', 'data-seen': run.status }, progressLine(run));
  const live = h('section', { id: 'live', 'aria-label': 'progress while the run goes on' });
  const body = h('div', { id: 'run-body' });
  const cancel = h('button', { type: 'button', id: 'cancel' }, 'Cancel run');
  cancel.addEventListener('click', async () => {
    try {
      await postJson(`/v1/runs/${id}/cancel`, {});
    } catch (e) {
      progress.append(errorBox((e as ApiError).message));
    }
  });
  root.append(h('h1', {}, 'Run ', h('code', {}, id)), facts, progress, run.finished ? '' : h('p', {}, cancel), live, body);
  root.dataset.loaded = 'run';

  const update = (next: RunView) => {
    if (next.status !== run.status) progress.dataset.seen = `${progress.dataset.seen} ${next.status}`;
    run = next;
    facts.replaceChildren(describe(run));
    progress.replaceChildren(progressLine(run));
    if (run.finished) cancel.remove();
  };
  const finish = async () => {
    live.replaceChildren();
    await finishedBody(body, run);
  };
  if (run.finished) {
    await finish();
    return;
  }
  // Live: the event rate against simulated time, from the progress events.
  const rate = chart(timeSpec({ title: 'Events handled per simulated ms', yTitle: 'events / ms', points: [] }), 'live, from the run’s progress events');
  live.append(h('h2', {}, 'While it runs'), rate.figure);
  let last = { simulatedNs: run.progress?.simulatedNs ?? 0, events: run.progress?.events ?? 0 };
  const stream = new EventSource(`/v1/runs/${id}/events`);
  openStream = stream;
  stream.addEventListener('progress', (ev) => {
    const p = JSON.parse((ev as MessageEvent).data) as NonNullable<RunView['progress']> & { durationNs?: number };
    if (!p || !run.progress) return;
    const fraction = p.fraction ?? (p.durationNs ? Math.min(1, p.simulatedNs / p.durationNs) : run.progress.fraction);
    run = { ...run, progress: { ...run.progress, ...p, fraction } };
    progress.replaceChildren(progressLine(run));
    const dt = (p.simulatedNs - last.simulatedNs) / 1e6;
    if (dt > 0) void rate.add([{ tMs: p.simulatedNs / 1e6, value: (p.events - last.events) / dt, series: 'events' } satisfies TimePoint]);
    last = { simulatedNs: p.simulatedNs, events: p.events };
  });
  stream.addEventListener('status', (ev) => update(JSON.parse((ev as MessageEvent).data) as RunView));
  stream.addEventListener('end', () => {
    stream.close();
    void getJson<RunView>(`/v1/runs/${id}`).then(async (v) => {
      update(v);
      await finish();
    });
  });
  stream.onerror = () => {
    // The stream broke (a restart, a proxy): fall back to reading the run once more.
    if (stream.readyState === EventSource.CLOSED) void getJson<RunView>(`/v1/runs/${id}`).then((v) => (update(v), v.finished ? finish() : undefined));
  };
}

async function finishedBody(body: HTMLElement, run: RunView): Promise<void> {
  body.replaceChildren();
  if (run.status !== 'succeeded') {
    body.dataset.ready = 'true';
    return;
  }
  const [report, series] = await Promise.all([
    getJson<ReportLike>(`/v1/runs/${run.id}/report`),
    getJson<TimeSeriesLike>(`/v1/runs/${run.id}/timeseries`).catch(() => undefined),
  ]);
  const base = `/v1/runs/${run.id}/report`;
  body.append(
    h(
      'p',
      { class: 'downloads' },
      'Report: ',
      h('a', { href: `${base}?format=json`, download: `${run.id}.json` }, 'JSON'),
      ' · ',
      h('a', { href: `${base}?format=text` }, 'lockmeter text'),
      ' · ',
      h('a', { href: `${base}?format=csv`, download: `${run.id}-locks.csv` }, 'lock CSV'),
      ' · ',
      h('a', { href: `/v1/runs/${run.id}/timeseries`, download: `${run.id}-series.json` }, 'time series JSON'),
    ),
    h('h2', {}, 'Locks'),
    lockTable(report.locks),
    resultsSection(report),
    memorySection(report),
    h('details', {}, h('summary', {}, 'Resolved workload (feed it back to run the same simulation)'), h('pre', { id: 'config' }, JSON.stringify(report.config, null, 2))),
  );
  if (series && series.tNs.length > 1) body.append(h('h2', {}, 'Over time'), ...seriesCharts(series));
  body.dataset.ready = 'true';
}

