/**
 * numasim's Grafana dashboards, typed against the schema of the Grafana they target: Grafana 13
 * (`@grafana/schema` 13.x), so `npm run typecheck` fails when a dashboard stops fitting it.
 * The JSON files beside this one are what Grafana loads; `npm run dashboards` writes them from
 * here, and deploy/test/grafana.test.ts fails when they differ.
 */
import type { Dashboard, DataSourceRef, Panel, VariableModel } from '@grafana/schema';

type Target = { refId: string; datasource: DataSourceRef; expr: string; legendFormat: string; instant?: boolean; format?: string };

export const DATASOURCE_UID = 'numasim-prometheus';
const ds: DataSourceRef = { type: 'prometheus', uid: DATASOURCE_UID };
let id = 0;
const grid = (x: number, y: number, w: number, h: number) => ({ x, y, w, h });
const target = (expr: string, legendFormat: string): Target => ({ refId: 'A', datasource: ds, expr, legendFormat });
interface PanelOptions {
  defaults?: Record<string, unknown>;
  options?: Record<string, unknown>;
  description?: string;
}

function panel(type: string, title: string, gridPos: Panel['gridPos'], targets: Target[], opts: PanelOptions = {}): Panel {
  return { id: ++id, type, title, gridPos, datasource: ds, targets: targets.map((t, i) => ({ ...t, refId: String.fromCharCode(65 + i) })), fieldConfig: { defaults: opts.defaults ?? {}, overrides: [] }, options: opts.options ?? {}, ...(opts.description ? { description: opts.description } : {}) };
}
const variable = (name: string, label: string, query: string, multi = true): VariableModel => ({
  name, label, type: 'query', datasource: ds, query: { query, refId: `${name}-var` }, refresh: 2, includeAll: true, multi, allValue: '.*', current: { text: 'All', value: '$__all' }, options: [], sort: 1,
});
function dashboard(uid: string, title: string, description: string, panels: Panel[], variables: VariableModel[]): Dashboard {
  return {
    uid, title, description, tags: ['numasim'], editable: true, graphTooltip: 1, schemaVersion: 39, version: 1, refresh: '5s',
    time: { from: 'now-30m', to: 'now' }, timepicker: {}, timezone: 'browser', fiscalYearStartMonth: 0, liveNow: false,
    annotations: { list: [] }, links: [], templating: { list: variables }, panels,
  };
}
const sel = 'run=~"$run", lock=~"$lock", node=~"$node"';
id = 0;
export const lockContention = dashboard('numasim-locks', 'numasim: lock contention', 'Simulated kernel spinlocks, lockmeter-style: hold and wait (simulated seconds), acquisitions, contention.', [
  panel('timeseries', 'Hold time p50 / p99 (simulated)', grid(0, 0, 12, 8), [
    target(`numasim:lock_hold_seconds:p50_1m{${sel}}`, '{{lock}} node {{node}} p50'),
    target(`numasim:lock_hold_seconds:p99_1m{${sel}}`, '{{lock}} node {{node}} p99'),
  ], { defaults: { unit: 's' } }),
  panel('timeseries', 'Wait time p50 / p99 (simulated, per acquisition)', grid(12, 0, 12, 8), [
    target(`numasim:lock_wait_seconds:p50_1m{${sel}}`, '{{lock}} node {{node}} p50'),
    target(`numasim:lock_wait_seconds:p99_1m{${sel}}`, '{{lock}} node {{node}} p99'),
  ], { defaults: { unit: 's' } }),
  panel('heatmap', 'Wait time distribution', grid(0, 8, 12, 9), [
    { ...target(`sum by (le) (rate(numasim_lock_wait_seconds_bucket{${sel}}[$__rate_interval]))`, '{{le}}'), format: 'heatmap' },
  ], { options: { calculate: false, yAxis: { unit: 's' } } }),
  panel('timeseries', 'Acquisitions per second (wall clock)', grid(12, 8, 12, 9), [
    target(`sum by (lock, node) (rate(numasim_lock_acquisitions_total{${sel}}[$__rate_interval]))`, '{{lock}} node {{node}}'),
  ], { defaults: { unit: 'ops' } }),
  panel('timeseries', 'Contention (CON): contended / acquisitions', grid(0, 17, 12, 8), [
    target(`numasim:lock_contention:ratio1m{${sel}}`, '{{lock}} node {{node}}'),
  ], { defaults: { unit: 'percentunit', max: 1, min: 0 } }),
  panel('table', 'Lockmeter table (whole run so far)', grid(12, 17, 12, 8), [
    { ...target(`sum by (lock, node) (numasim_lock_acquisitions_total{${sel}})`, 'TOTAL'), instant: true, format: 'table' },
    { ...target(`sum by (lock, node) (numasim_lock_contentions_total{${sel}}) / sum by (lock, node) (numasim_lock_acquisitions_total{${sel}})`, 'CON'), instant: true, format: 'table' },
    { ...target(`sum by (lock, node) (numasim_lock_hold_seconds_sum{${sel}}) / sum by (lock, node) (numasim_lock_hold_seconds_count{${sel}})`, 'HOLD MEAN'), instant: true, format: 'table' },
    { ...target(`sum by (lock, node) (numasim_lock_wait_seconds_sum{${sel}}) / sum by (lock, node) (numasim_lock_contentions_total{${sel}})`, 'WAIT MEAN'), instant: true, format: 'table' },
  ], { options: { showHeader: true }, description: 'Per lock and home node: TOTAL acquisitions, CON (share contended), HOLD MEAN and WAIT MEAN (over contended acquisitions) in simulated seconds, as lockmeter defines them.' }),
], [
  variable('run', 'Run', 'label_values(numasim_lock_acquisitions_total, run)'),
  variable('lock', 'Lock', 'label_values(numasim_lock_acquisitions_total{run=~"$run"}, lock)'),
  variable('node', 'Node', 'label_values(numasim_lock_acquisitions_total{run=~"$run"}, node)'),
]);
id = 0;
const msel = 'run=~"$run", node=~"$node"';
export const numaMemory = dashboard('numasim-memory', 'numasim: NUMA memory', 'Simulated zones, watermarks, NUMA placement and kswapd, per run and node.', [
  panel('timeseries', 'Free pages per zone, with watermarks', grid(0, 0, 24, 9), [
    target(`numasim_zone_free_pages{${msel}}`, 'node {{node}} {{zone}} free'),
    target(`numasim_zone_watermark_pages{${msel}, watermark=~"min|high"}`, 'node {{node}} {{zone}} {{watermark}}'),
  ], { defaults: { unit: 'short' } }),
  panel('timeseries', 'NUMA allocations: hit / miss / foreign per second', grid(0, 9, 12, 8), [
    target(`sum by (node, result) (rate(numasim_numa_allocations_total{${msel}}[$__rate_interval]))`, 'node {{node}} {{result}}'),
  ], { defaults: { unit: 'ops' } }),
  panel('stat', 'Local allocation share (numa_hit / all)', grid(12, 9, 6, 8), [
    target(`sum(numasim_numa_allocations_total{${msel}, result="hit"}) / clamp_min(sum(numasim_numa_allocations_total{${msel}, result=~"hit|miss"}), 1)`, 'hit share'),
  ], { defaults: { unit: 'percentunit' } }),
  panel('timeseries', 'kswapd wake-ups per second', grid(18, 9, 6, 8), [
    target(`sum by (run) (rate(numasim_kswapd_wakeups_total{run=~"$run"}[$__rate_interval]))`, '{{run}}'),
  ], { defaults: { unit: 'ops' } }),
  panel('timeseries', 'kmap global flushes per second (flush_all_zero_pkmaps → flush_tlb_all, an IPI to every CPU)', grid(0, 17, 24, 8), [
    target(`sum by (run) (rate(numasim_kmap_global_flushes_total{run=~"$run"}[$__rate_interval]))`, '{{run}}'),
  ], { defaults: { unit: 'ops' } }),
], [
  variable('run', 'Run', 'label_values(numasim_zone_free_pages, run)'),
  variable('node', 'Node', 'label_values(numasim_zone_free_pages{run=~"$run"}, node)'),
]);
id = 0;
export const service = dashboard('numasim-service', 'numasim: service', 'The control plane: HTTP, runs, queue, worker pool, engine throughput, event loop.', [
  panel('timeseries', 'Requests per second by route and status', grid(0, 0, 12, 8), [target('numasim:http_requests:rate5m', '{{route}} {{status_code}}')], { defaults: { unit: 'reqps' } }),
  panel('timeseries', 'Request latency p99', grid(12, 0, 12, 8), [target('numasim:http_request_duration_seconds:p99_5m', 'p99')], { defaults: { unit: 's' } }),
  panel('timeseries', 'Runs by status', grid(0, 8, 8, 8), [target('sum by (status) (numasim_runs)', '{{status}}')]),
  panel('timeseries', 'Queue depth and executing runs', grid(8, 8, 8, 8), [target('numasim_queue_depth', 'queued'), target('numasim_runs_executing', 'executing')]),
  panel('timeseries', 'Worker pool utilisation', grid(16, 8, 8, 8), [target('numasim_pool_utilization_ratio', '{{instance}}')], { defaults: { unit: 'percentunit', min: 0, max: 1 } }),
  panel('timeseries', 'Engine events per second', grid(0, 16, 12, 8), [
    target('sum(rate(numasim_engine_events_total[$__rate_interval]))', 'all runs'),
    target('numasim_engine_events_per_second', 'last run, {{instance}}'),
  ], { defaults: { unit: 'ops' } }),
  panel('timeseries', 'Event-loop lag p99', grid(12, 16, 12, 8), [target('nodejs_eventloop_lag_p99_seconds', '{{instance}}')], { defaults: { unit: 's' } }),
], []);

/** File name (without .json) → dashboard. */
export const DASHBOARDS: Record<string, Dashboard> = {
  'lock-contention': lockContention,
  'numa-memory': numaMemory,
  service,
};
