/**
 * The service's own metrics: HTTP request durations, runs by status, queue depth, pool
 * utilisation, engine throughput, and prom-client's default process metrics. Values that live in
 * the store or the pool are read when Prometheus scrapes, so they are never stale.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { RUN_STATUSES, type RunsRepo } from '../store/runs-repo.js';
import type { RunExecutor } from '../runs/run-executor.js';
import type { QueueExecutor } from '../queue/queue-executor.js';
import { openStreamBufferedBytes, openStreamCount } from '../http/sse.js';

export function registerServiceMetrics(registry: Registry, app: FastifyInstance, repo: RunsRepo, executor: () => RunExecutor | undefined): void {
  collectDefaultMetrics({ register: registry });
  renameGaugesEndingInTotal(registry);
  const http = new Histogram({
    name: 'numasim_http_request_duration_seconds',
    help: 'HTTP request durations, by method, route and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    http.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  new Gauge({
    name: 'numasim_runs',
    help: 'Runs in the store, by status.',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const counts = repo.countByStatus();
      for (const s of RUN_STATUSES) this.set({ status: s }, counts[s]);
    },
  });
  new Gauge({
    name: 'numasim_queue_depth',
    help: 'Runs waiting for a worker thread.',
    registers: [registry],
    collect() {
      this.set(repo.countByStatus().queued);
    },
  });
  new Gauge({
    name: 'numasim_pool_utilization_ratio',
    help: 'Share of the worker pool\'s capacity in use (piscina utilization, 0–1).',
    registers: [registry],
    collect() {
      this.set(executor()?.utilization() ?? 0);
    },
  });
  new Gauge({
    name: 'numasim_runs_executing',
    help: 'Runs executing on worker threads now.',
    registers: [registry],
    collect() {
      this.set(executor()?.runningCount ?? 0);
    },
  });
  countedFrom(registry, 'numasim_engine_events_total', 'Simulation events handled by runs that succeeded.', () => executor()?.eventsTotal ?? 0);
  new Gauge({
    name: 'numasim_sse_streams',
    help: 'Open Server-Sent Events streams.',
    registers: [registry],
    collect() {
      this.set(openStreamCount());
    },
  });
  new Gauge({
    name: 'numasim_sse_buffered_bytes',
    help: 'Bytes waiting in the open event streams\' socket buffers (bounded: a slow client misses progress events).',
    registers: [registry],
    collect() {
      this.set(openStreamBufferedBytes());
    },
  });
  new Gauge({
    name: 'numasim_engine_events_per_second',
    help: 'Engine throughput of the last run that succeeded, events per wall-clock second.',
    registers: [registry],
    collect() {
      this.set(executor()?.lastEventsPerSecond ?? 0);
    },
  });
}

/** Queue mode: the BullMQ queue as the control plane sees it. */
export function registerQueueMetrics(registry: Registry, q: QueueExecutor): void {
  new Gauge({
    name: 'numasim_queue_jobs',
    help: 'Jobs in the BullMQ run queue, by state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      try {
        for (const [state, n] of Object.entries(await q.jobCounts())) this.set({ state }, n);
      } catch {
        // Redis unreachable: leave the last values; /readyz says so
      }
    },
  });
  countedFrom(registry, 'numasim_queue_stalled_total', 'Runs whose worker was lost mid-run (BullMQ stalled jobs), re-queued.', () => q.stalledTotal);
  countedFrom(registry, 'numasim_queue_retries_total', 'Failed run attempts that were retried.', () => q.retriedTotal);
}

/**
 * prom-client exports three gauges named like counters (`nodejs_active_handles_total`,
 * `…_requests_total`, `…_resources_total`: counts of what is open now, which go down as well as
 * up), which `promtool check metrics` rejects. They are exported as `…_all` instead (all open
 * handles, whatever their type; the per-type gauges keep their names), read from the originals.
 */
function renameGaugesEndingInTotal(registry: Registry): void {
  for (const found of registry.getMetricsAsArray()) {
    const metric = found as unknown as Gauge & { name: string; help: string; type: string };
    const { name, help } = metric;
    if (!name.endsWith('_total') || metric.type !== 'gauge') continue;
    registry.removeSingleMetric(name);
    new Gauge({
      name: `${name.slice(0, -'_total'.length)}_all`,
      help,
      registers: [registry],
      async collect() {
        const { values } = await metric.get();
        this.set(values.reduce((sum, v) => sum + v.value, 0));
      },
    });
  }
}

/** A counter that follows a running total kept elsewhere, read at each scrape. */
function countedFrom(registry: Registry, name: string, help: string, read: () => number): Counter {
  let seen = 0;
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = now;
    },
  });
}
