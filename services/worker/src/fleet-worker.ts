/**
 * `numasim worker`: takes runs from the BullMQ queue and executes them on this host's own pool of
 * worker threads (the same engine code as the embedded mode), reporting progress through the job
 * and returning the report, which the control plane stores and then removes from Redis.
 *
 * Failures: a run that fails because of its input (found only while running) or that is
 * cancelled or times out fails for good (UnrecoverableError); anything else — a thread that died,
 * a process killed mid-run (BullMQ notices the lost lock, "stalled") — is retried, on whichever
 * worker takes it, up to the queue's attempts. The engine is deterministic, so a retried run gives
 * the same report.
 */
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { WorkloadConfig } from '@numasim/shared';
import { createPool, runOnPool } from './pool.js';
import { failureOf } from './failure.js';
import type { ProgressMessage, RunTaskResult } from './messages.js';
import type { RunGate } from './gate.js';
import { encodeFailure, queueNames, redisConnection, redisOptions, RESULT_TTL_SECONDS, resultKey, type QueueSettings, type RunJobData, type RunJobResult, type StoredResult } from './queue-protocol.js';

export interface FleetWorkerOptions extends QueueSettings {
  concurrency: number;
  workerHeapMb: number;
  workerNice: number;
  /** SCHED_IDLE for simulation threads (Linux); default true. */
  workerIdle?: boolean;
  /** Debug runs (NUMASIM_DEBUG): the model checks its lock order and invariants. */
  debug?: boolean;
  maxEvents: number;
  runTimeoutMs: number;
  /** Serve /metrics here; undefined: no server. */
  metricsPort?: number;
  metricsHost?: string;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Test-only: hold every run at a simulated time until released. */
  gate?: RunGate;
}

export interface FleetWorker {
  readonly id: string;
  /** Where /metrics is served, if it is. */
  readonly metricsUrl: string | undefined;
  /** Stops taking jobs, lets running ones finish, closes everything. */
  close(): Promise<void>;
}

const PROGRESS_EVERY_MS = 250;

export async function startFleetWorker(opts: FleetWorkerOptions): Promise<FleetWorker> {
  const id = `${hostname()}:${process.pid}`;
  const log = opts.log ?? (() => {});
  const names = queueNames(opts.queueName);
  const pool = createPool({ threads: opts.concurrency, workerHeapMb: opts.workerHeapMb, workerNice: opts.workerNice, workerIdle: opts.workerIdle, debug: opts.debug });
  const active = new Map<string, { controller: AbortController; reason?: 'cancel' | 'timeout' }>();

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const runs = new Counter({ name: 'numasim_worker_runs_total', help: 'Runs this worker finished, by outcome.', labelNames: ['outcome'], registers: [registry] });
  const events = new Counter({ name: 'numasim_engine_events_total', help: 'Simulation events handled by runs this worker completed.', registers: [registry] });
  const rate = new Gauge({ name: 'numasim_engine_events_per_second', help: 'Engine throughput of the last run this worker completed, events per wall-clock second.', registers: [registry] });
  new Gauge({ name: 'numasim_pool_utilization_ratio', help: 'Share of this worker\'s thread pool in use (0–1).', registers: [registry], collect() { this.set(pool.utilization); } });
  new Gauge({ name: 'numasim_runs_executing', help: 'Runs executing on this worker now.', registers: [registry], collect() { this.set(active.size); } });

  const results = redisConnection(opts.redisUrl);
  // Cancellations come on a pub/sub channel: the worker running the run aborts it.
  const sub = redisConnection(opts.redisUrl);
  await sub.subscribe(names.cancelChannel);
  sub.on('message', (_channel: string, runId: string) => {
    const a = active.get(runId);
    if (a) {
      a.reason = 'cancel';
      a.controller.abort();
    }
  });

  const processJob = async (job: Job<RunJobData, RunJobResult>): Promise<RunJobResult> => {
    const { runId } = job.data;
    const controller = new AbortController();
    const entry: { controller: AbortController; reason?: 'cancel' | 'timeout' } = { controller };
    active.set(runId, entry);
    const timer = setTimeout(() => {
      entry.reason = 'timeout';
      controller.abort();
    }, opts.runTimeoutMs);
    let lastSent = 0;
    let latest: ProgressMessage | undefined;
    let throttle: NodeJS.Timeout | undefined;
    const sendLatest = () => {
      throttle = undefined;
      if (!latest || !active.has(runId)) return;
      lastSent = Date.now();
      job.updateProgress({ ...latest, worker: id }).catch(() => {}); // best effort; the result is not
      latest = undefined;
    };
    log('run started', { runId, attempt: job.attemptsMade + 1 });
    let result: RunTaskResult | undefined;
    let err: unknown;
    try {
      // At most one progress update per PROGRESS_EVERY_MS through the queue: a message that comes
      // sooner waits for the end of the interval, replaced by any later one. Its lock figures are
      // cumulative, so a replaced message loses nothing; the run's last progress goes with its result.
      const onProgress = (m: ProgressMessage) => {
        if (m.final) return;
        latest = m;
        if (throttle) return;
        const wait = lastSent + PROGRESS_EVERY_MS - Date.now();
        if (wait <= 0) sendLatest();
        else throttle = setTimeout(sendLatest, wait);
      };
      result = await runOnPool(pool, job.data.config as WorkloadConfig, opts.maxEvents, controller.signal, onProgress, opts.gate);
    } catch (e) {
      err = e;
    } finally {
      clearTimeout(timer);
      clearTimeout(throttle);
      active.delete(runId);
    }
    if (result?.ok) {
      runs.inc({ outcome: 'succeeded' });
      events.inc(result.report.engine.events);
      rate.set(result.report.engine.eventsPerSecond);
      const stored: StoredResult = { report: result.report, series: result.series, last: result.last };
      await results.set(resultKey(opts.queueName, runId), JSON.stringify(stored), 'EX', RESULT_TTL_SECONDS);
      log('run succeeded', { runId });
      return { worker: id, events: result.report.engine.events, eventsPerSecond: result.report.engine.eventsPerSecond };
    }
    if (entry.reason === 'cancel') {
      runs.inc({ outcome: 'cancelled' });
      throw new UnrecoverableError(encodeFailure('NUMASIM_ERR_RUN_CANCELLED', 'the run was cancelled'));
    }
    const failure = failureOf(result, err, opts, entry.reason === 'timeout');
    const permanent = entry.reason === 'timeout' || (result !== undefined && !result.ok);
    runs.inc({ outcome: permanent ? 'failed' : 'crashed' });
    log('run failed', { runId, ...failure, retried: !permanent });
    if (permanent) throw new UnrecoverableError(encodeFailure(failure.code, failure.message));
    throw new Error(encodeFailure(failure.code, failure.message));
  };

  const worker = new Worker<RunJobData, RunJobResult>(names.runs, processJob, {
    connection: redisOptions(opts.redisUrl),
    concurrency: opts.concurrency,
    lockDuration: opts.lockMs,
    stalledInterval: opts.lockMs,
    maxStalledCount: opts.attempts,
  });
  worker.on('error', (e) => log('queue error', { error: e.message }));

  let server: Server | undefined;
  let metricsUrl: string | undefined;
  if (opts.metricsPort !== undefined) {
    server = createServer((req, res) => {
      if (req.url === '/metrics') {
        registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
          () => res.writeHead(500).end(),
        );
      } else if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"NUMASIM_ERR_API_NOT_FOUND","message":"only /metrics and /healthz here"}');
      }
    });
    await new Promise<void>((resolve) => server!.listen(opts.metricsPort, opts.metricsHost ?? '127.0.0.1', resolve));
    const a = server.address();
    metricsUrl = typeof a === 'object' && a ? `http://${opts.metricsHost ?? '127.0.0.1'}:${a.port}/metrics` : undefined;
  }
  log('worker ready', { id, queue: names.runs, concurrency: opts.concurrency, metrics: metricsUrl });

  return {
    id,
    metricsUrl,
    async close() {
      await worker.close();
      await sub.quit().catch(() => {});
      await results.quit().catch(() => {});
      await pool.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
