/**
 * Live metrics of the simulated machines, labelled by run: lock hold/wait histograms in simulated
 * seconds, acquisitions and contentions. Workers send cumulative snapshots; this keeps the latest
 * of each run (a snapshot older than the one held is ignored, so messages that arrive late or not
 * at all lose nothing) and exposes it through prom-client as ordinary histograms and counters.
 *
 * Cardinality is bounded: at most `maxRuns` runs carry series at once (a run that finds no room
 * is counted in numasim_metrics_runs_unlabelled_total instead), and a finished run's series are
 * dropped `ttlMs` after it ends. Worst case, with L lock classes × N nodes per run:
 *   maxRuns × L × N × (2 histograms × (22 buckets + sum + count) + 2 counters) series.
 */
import type { Registry } from 'prom-client';
import { Counter } from 'prom-client';
import { HIST_LE_NS, type LockSnapshot, type MemorySnapshot } from '@numasim/worker';
import type { TaskAreaReport } from '@numasim/shared';

interface Series {
  acquisitions: number;
  contentions: number;
  holdSum: number;
  waitSum: number;
  hold: Float64Array;
  wait: Float64Array;
}

interface RunSeries {
  /** Events of the run when `locks` was taken. */
  events: number;
  locks: Map<string, Series>;
  memory?: MemorySnapshot;
  endedAt?: number;
}

type MemoryMetric = (name: string, help: string, type: 'gauge' | 'counter', values: (run: string, m: MemorySnapshot) => MetricValue[]) => object;

/** The `memory.taskArea` figures (runs with the taskArea knob): where stacks and task_structs are, and what reaching them cost. */
function taskAreaMetrics(memory: MemoryMetric): object[] {
  const ta = (name: string, help: string, type: 'gauge' | 'counter', pick: (t: TaskAreaReport, run: string) => MetricValue[]) =>
    memory(name, help, type, (run, m) => (m.taskArea ? pick(m.taskArea, run) : []));
  const local = (run: string, l: number, r: number) => [
    { value: l, labels: { run, locality: 'local' } },
    { value: r, labels: { run, locality: 'remote' } },
  ];
  return [
    ta('numasim_task_area_pages_allocated_total', 'Simulated pages of kernel stacks, task_structs, task-area page tables and PGDs allocated, per run, node and kind.', 'counter', (t, run) =>
      t.perNode.flatMap((p) =>
        (
          [
            ['stack', p.stackPages],
            ['task_struct', p.taskStructPages],
            ['area_pt', p.areaPtPages],
            ['pgd', p.pgdPages],
          ] as const
        ).map(([kind, value]) => ({ value, labels: { run, node: p.node, kind } })),
      ),
    ),
    ta('numasim_task_area_task_structs_total', 'Simulated task_structs allocated, per run and node.', 'counter', (t, run) => t.perNode.map((p) => ({ value: p.taskStructs, labels: { run, node: p.node } }))),
    ta('numasim_task_area_current_accesses_total', 'Simulated dereferences of a task\'s own stack and task_struct (current), per run and locality to the CPU.', 'counter', (t, run) => local(run, t.currentLocal, t.currentRemote)),
    ta('numasim_task_area_alias_accesses_total', 'Simulated accesses by other tasks to a task\'s stack or task_struct (wake-ups, signals, the scheduler), per run and locality.', 'counter', (t, run) => local(run, t.aliasLocal, t.aliasRemote)),
    ta('numasim_task_area_access_seconds_total', 'Simulated time of those accesses\' cache misses, simulated seconds, per run and who (current or alias).', 'counter', (t, run) => [
      { value: t.currentNs / 1e9, labels: { run, who: 'current' } },
      { value: t.aliasNs / 1e9, labels: { run, who: 'alias' } },
    ]),
    ta('numasim_task_area_wakeups_total', 'Simulated wake-ups of a task asleep on a waitqueue whose entry is on its stack, per run.', 'counter', (t, run) => [{ value: t.wakeups, labels: { run } }]),
    ta('numasim_task_area_pgd_pages_total', 'Simulated page directories the design needs (per mm under lowmem, per task under per-task), per run.', 'counter', (t, run) => [{ value: t.pgdPages, labels: { run } }]),
    ta('numasim_task_area_switches_total', 'Simulated context switches that changed the per-task area, and the PGD loads a switch between threads added, per run and kind.', 'counter', (t, run) => [
      { value: t.areaSwitches, labels: { run, kind: 'area' } },
      { value: t.pgdSwitches, labels: { run, kind: 'pgd' } },
    ]),
    ta('numasim_task_area_cache_flushes_total', 'Simulated page flushes of a virtually indexed cache between the per-task mapping and the alias, per run.', 'counter', (t, run) => [{ value: t.cacheFlushes, labels: { run } }]),
    ta('numasim_task_area_cache_flush_seconds_total', 'Simulated time of those flushes, simulated seconds, per run.', 'counter', (t, run) => [{ value: t.cacheFlushNs / 1e9, labels: { run } }]),
    ta('numasim_task_area_overhead_pages', 'Most simulated pages the task-area design needed beyond 2.4\'s order-1 stack and task_struct at once, per run.', 'gauge', (t, run) => [{ value: t.overheadPages, labels: { run } }]),
  ];
}

const LE_SECONDS = HIST_LE_NS.map((ns) => ns / 1e9);

type MetricValue = { value: number; labels: Record<string, string | number>; metricName?: string };

export class SimMetrics {
  private readonly runs = new Map<string, RunSeries>();
  private readonly unlabelled: Counter;

  constructor(
    registry: Registry,
    private readonly maxRuns: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    const hist = (name: string, help: string, pick: (s: Series) => [Float64Array, number]) => ({
      name,
      help,
      type: 'histogram' as const,
      aggregator: 'sum' as const,
      get: () => ({ name, help, type: 'histogram' as const, aggregator: 'sum' as const, values: this.histValues(name, pick) }),
      reset: () => {},
    });
    const counter = (name: string, help: string, pick: (s: Series) => number) => ({
      name,
      help,
      type: 'counter' as const,
      aggregator: 'sum' as const,
      get: () => ({ name, help, type: 'counter' as const, aggregator: 'sum' as const, values: this.counterValues(pick) }),
      reset: () => {},
    });
    const metrics: object[] = [
      hist('numasim_lock_hold_seconds', 'Simulated lock hold time, simulated seconds, per lock class, home node and run.', (s) => [s.hold, s.holdSum]),
      hist('numasim_lock_wait_seconds', 'Simulated lock wait per acquisition (0 when uncontended), simulated seconds, per lock class, home node and run.', (s) => [s.wait, s.waitSum]),
      counter('numasim_lock_acquisitions_total', 'Simulated lock acquisitions, per lock class, home node and run.', (s) => s.acquisitions),
      counter('numasim_lock_contentions_total', 'Simulated lock acquisitions that found the lock held or queued, per lock class, home node and run.', (s) => s.contentions),
    ];
    const memory = (name: string, help: string, type: 'gauge' | 'counter', values: (run: string, m: MemorySnapshot) => MetricValue[]) => ({
      name,
      help,
      type,
      aggregator: 'sum' as const,
      get: () => ({ name, help, type, aggregator: 'sum' as const, values: this.memoryValues(values) }),
      reset: () => {},
    });
    metrics.push(
      memory('numasim_zone_free_pages', 'Free pages in a simulated zone, per run, node and zone.', 'gauge', (run, m) =>
        m.zones.map((z) => ({ value: z.freePages, labels: { run, node: z.node, zone: z.zone } })),
      ),
      memory('numasim_zone_watermark_pages', 'Watermarks of a simulated zone (min, low, high), per run, node and zone.', 'gauge', (run, m) =>
        m.zones.flatMap((z) => (['min', 'low', 'high'] as const).map((w) => ({ value: z[w], labels: { run, node: z.node, zone: z.zone, watermark: w } }))),
      ),
      memory('numasim_numa_allocations_total', 'Simulated page allocations by numastat outcome (hit, miss, foreign), per run and node.', 'counter', (run, m) =>
        m.numa.flatMap((n) => (['hit', 'miss', 'foreign'] as const).map((result) => ({ value: n[result], labels: { run, node: n.node, result } }))),
      ),
      memory('numasim_kswapd_wakeups_total', 'Simulated kswapd wake-ups, per run.', 'counter', (run, m) => [{ value: m.kswapdWakeups, labels: { run } }]),
      memory('numasim_kmap_global_flushes_total', 'Simulated wraps of the global kmap pool, each a TLB flush of every CPU (flush_all_zero_pkmaps), per run.', 'counter', (run, m) => [
        { value: m.kmapGlobalFlushes, labels: { run } },
      ]),
      ...taskAreaMetrics(memory),
    );
    // prom-client formats any object with get(); these keep their own totals.
    for (const m of metrics) registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
    this.unlabelled = new Counter({
      name: 'numasim_metrics_runs_unlabelled_total',
      help: 'Runs whose simulated-lock metrics were not exported because NUMASIM_METRICS_MAX_RUNS runs already were.',
      registers: [registry],
    });
  }

  /** A run starts: give it series if there is room (evicting expired and then the oldest finished runs). */
  start(runId: string): void {
    this.expire();
    if (this.runs.has(runId)) this.runs.delete(runId); // a re-run starts from zero, like its report
    if (this.runs.size >= this.maxRuns) {
      const finished = [...this.runs.entries()].filter(([, r]) => r.endedAt !== undefined).sort((a, b) => a[1].endedAt! - b[1].endedAt!);
      if (finished.length > 0) this.runs.delete(finished[0][0]);
    }
    if (this.runs.size >= this.maxRuns) {
      this.unlabelled.inc();
      return;
    }
    this.runs.set(runId, { events: -1, locks: new Map() });
  }

  /** A run's lock figures when it had handled `events` events: they replace older ones. */
  record(runId: string, events: number, snapshot: readonly LockSnapshot[]): void {
    const run = this.runs.get(runId);
    if (!run || events < run.events) return;
    run.events = events;
    run.locks = new Map(
      snapshot.map((d) => [
        `${d.lock}\u0000${d.node}`,
        { acquisitions: d.acquisitions, contentions: d.contentions, holdSum: d.holdSumNs / 1e9, waitSum: d.waitSumNs / 1e9, hold: Float64Array.from(d.holdBuckets), wait: Float64Array.from(d.waitBuckets) },
      ]),
    );
  }

  /** The latest memory figures of a run (gauges and running totals). */
  recordMemory(runId: string, m: MemorySnapshot | undefined): void {
    const run = this.runs.get(runId);
    if (run && m) run.memory = m;
  }

  /** A run ended (any outcome): its series stay for `ttlMs`. A re-queued run drops them. */
  end(runId: string, keep: boolean): void {
    const run = this.runs.get(runId);
    if (!run) return;
    if (keep) run.endedAt = this.now();
    else this.runs.delete(runId);
  }

  labelledRuns(): number {
    this.expire();
    return this.runs.size;
  }

  private expire(): void {
    const now = this.now();
    for (const [id, r] of this.runs) if (r.endedAt !== undefined && now - r.endedAt >= this.ttlMs) this.runs.delete(id);
  }

  private *each(): Generator<[Record<string, string | number>, Series]> {
    this.expire();
    for (const [run, r] of this.runs) {
      for (const [key, s] of r.locks) {
        const [lock, node] = key.split('\u0000');
        yield [{ lock, node, run }, s];
      }
    }
  }

  private histValues(name: string, pick: (s: Series) => [Float64Array, number]): MetricValue[] {
    const out: MetricValue[] = [];
    for (const [labels, s] of this.each()) {
      const [buckets, sum] = pick(s);
      let cum = 0;
      for (let i = 0; i < LE_SECONDS.length; i++) {
        cum += buckets[i];
        out.push({ value: cum, labels: { ...labels, le: LE_SECONDS[i] }, metricName: `${name}_bucket` });
      }
      cum += buckets[LE_SECONDS.length];
      out.push({ value: cum, labels: { ...labels, le: '+Inf' }, metricName: `${name}_bucket` });
      out.push({ value: sum, labels, metricName: `${name}_sum` });
      out.push({ value: cum, labels, metricName: `${name}_count` });
    }
    return out;
  }

  private memoryValues(values: (run: string, m: MemorySnapshot) => MetricValue[]): MetricValue[] {
    this.expire();
    const out: MetricValue[] = [];
    for (const [run, r] of this.runs) if (r.memory) out.push(...values(run, r.memory));
    return out;
  }

  private counterValues(pick: (s: Series) => number): MetricValue[] {
    return [...this.each()].map(([labels, s]) => ({ value: pick(s), labels }));
  }
}
