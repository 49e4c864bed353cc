/** The report's workload results, memory zones and numastat as plain tables. */
import { h, ns, num } from '../dom.js';
import type { NumaStat, Report, ZoneReport } from '../shared-modules.js';

export interface ReportLike {
  run: { kind: string; seed: number; simulatedNs: number; configHash: string };
  machine: { nodes: number; cpus: number };
  engine: { events: number };
  locks: Report['locks'];
  workload: Record<string, unknown>;
  config: Record<string, unknown>;
  memory?: { layout: string; zones: ZoneReport[]; numastat: NumaStat[]; kswapdWakeups: number; reclaim?: Record<string, number> } & Record<string, unknown>;
}

function table(id: string, head: string[], rows: (string | number)[][]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { id },
      h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col', class: i === 0 ? '' : 'num' }, t)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, String(c)) : h('td', { class: 'num' }, typeof c === 'number' ? num(c) : c)))))),
    ),
  );
}

/** A latency summary ({mean, p50, p99, max}) reads as one cell. */
function isLatency(v: unknown): v is { mean: number; p50: number; p99: number; max: number } {
  return typeof v === 'object' && v !== null && 'p99' in v && 'mean' in v;
}

export function resultsSection(report: ReportLike): HTMLElement {
  const rows: [string, string][] = [
    ['simulated time', ns(report.run.simulatedNs)],
    ['machine', `${report.machine.nodes} nodes, ${report.machine.cpus} CPUs`],
    ['events handled', num(report.engine.events)],
  ];
  for (const [k, v] of Object.entries(report.workload)) {
    if (k === 'kind') continue;
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) rows.push([k, /Ns$/.test(k) ? ns(v) : num(v)]);
    else if (isLatency(v)) rows.push([k, `mean ${ns(v.mean)}, p50 ${ns(v.p50)}, p99 ${ns(v.p99)}, max ${ns(v.max)}`]);
  }
  return h('section', { 'aria-labelledby': 'results-h' }, h('h2', { id: 'results-h' }, `Results (${report.run.kind})`), h('dl', { class: 'facts', id: 'results' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
}

export function memorySection(report: ReportLike): HTMLElement | string {
  const m = report.memory;
  if (!m) return '';
  const zones = table(
    'zones',
    ['Node / zone', 'Pages', 'Free', 'min', 'low', 'high', 'Allocs', 'Frees', 'LRU active', 'LRU inactive', 'Scanned', 'Reclaimed'],
    m.zones.map((z) => [`${z.node} ${z.zone}`, z.pages, z.freePages, z.watermarks.min, z.watermarks.low, z.watermarks.high, z.allocations, z.frees, z.lruActive, z.lruInactive, z.pagesScanned, z.pagesReclaimed]),
  );
  const numastat = table(
    'numastat',
    ['Node', 'numa_hit', 'numa_miss', 'numa_foreign', 'local_node', 'other_node'],
    m.numastat.map((s) => [s.node, s.numaHit, s.numaMiss, s.numaForeign, s.localNode, s.otherNode]),
  );
  const reclaim = m.reclaim
    ? h('dl', { class: 'facts' }, Object.entries(m.reclaim).map(([k, v]) => [h('dt', {}, k), h('dd', {}, /Ns$/.test(k) ? ns(v) : num(v))]))
    : '';
  return h(
    'section',
    { 'aria-labelledby': 'memory-h' },
    h('h2', { id: 'memory-h' }, `Memory (${m.layout})`),
    h('p', {}, `kswapd wakeups: ${num(m.kswapdWakeups)}`),
    h('h3', {}, 'Zones at the end of the run'),
    zones,
    h('h3', {}, 'numastat'),
    numastat,
    m.reclaim ? [h('h3', {}, 'Reclaim'), reclaim] : '',
  );
}
