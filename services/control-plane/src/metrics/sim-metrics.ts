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
