/**
 * Runs queued simulations on a piscina pool of worker threads, never on the main event loop.
 *
 * The queue is the store: a run is `queued` in SQLite until a thread is free, so queued runs
 * survive a restart. At most `concurrency` runs execute at once; each is bounded by an event
 * budget (in the engine) and a wall-clock timeout (here). Cancellation and timeouts abort the
 * task, which terminates its thread; piscina replaces it. Progress comes back through a
 * MessagePort and is published to listeners (SSE, metrics) and, every second, to the store.
 */
import { EventEmitter } from 'node:events';
import type { Piscina } from 'piscina';
import type { FastifyBaseLogger } from 'fastify';
import type { RunError, RunProgressRecord, RunRecord, RunsRepo, RunStatus } from '../store/runs-repo.js';
import type { ProgressMessage, RunTaskResult } from './messages.js';
import { createPool, runOnPool } from './pool.js';
import { failureOf } from './failure.js';
import type { SimMetrics } from '../metrics/sim-metrics.js';
import type { RunExecutor } from './run-executor.js';

export interface ExecutorOptions {
  concurrency: number;
  maxEvents: number;
  runTimeoutMs: number;
  workerHeapMb: number;
  /** Nice value of simulation threads (Linux): higher runs them behind the HTTP thread. */
  workerNice: number;
  /** SCHED_IDLE for simulation threads (Linux): they run only on CPUs nothing else wants. */
  workerIdle?: boolean;
}

export type RunEvent =
  | { type: 'status'; id: string; status: RunStatus; error?: RunError }
  | { type: 'progress'; id: string; progress: RunProgressRecord };

type AbortReason = 'cancel' | 'timeout' | 'shutdown';

interface Active {
  controller: AbortController;
  reason?: AbortReason;
  startedAt: number;
  progress: RunProgressRecord | null;
  timer: NodeJS.Timeout;
  done: Promise<void>;
}

const STORE_PROGRESS_EVERY_MS = 1000;

export class Executor extends EventEmitter implements RunExecutor {
  readonly pool: Piscina;
  private readonly active = new Map<string, Active>();
  private stopping = false;
  private pumping = false;
  /** Events handled by finished runs, for the engine throughput metric. */
  eventsTotal = 0;
  lastEventsPerSecond = 0;

  constructor(
    private readonly repo: RunsRepo,
    private readonly opts: ExecutorOptions,
    private readonly metrics: SimMetrics,
    private readonly log: FastifyBaseLogger,
  ) {
    super();
    this.setMaxListeners(0);
    this.pool = createPool({ threads: opts.concurrency, workerHeapMb: opts.workerHeapMb, workerNice: opts.workerNice, workerIdle: opts.workerIdle });
  }

  get runningCount(): number {
    return this.active.size;
  }

  /** Live progress of an executing run (fresher than the store's). */
  progressOf(id: string): RunProgressRecord | null | undefined {
    return this.active.get(id)?.progress;
  }

  submitted(): void {
    this.pump();
  }

  async start(): Promise<void> {
    this.pump();
  }

  async ready(): Promise<boolean> {
    return !this.stopping;
  }

  utilization(): number {
    return this.pool.utilization;
  }

  threads(): number {
    return this.pool.threads.length;
  }

  /** Starts queued runs while threads are free. Safe to call at any time. */
  pump(): void {
    if (this.stopping || this.pumping) return;
    this.pumping = true;
    try {
      while (this.active.size < this.opts.concurrency) {
        const next = this.repo.nextQueued(this.opts.concurrency + this.active.size).find((r) => !this.active.has(r.id));
        if (!next) break;
        this.startRun(next);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Cancels a queued or running run; returns false when it had already finished. */
  cancel(id: string): boolean {
    const a = this.active.get(id);
    if (a) {
      a.reason = 'cancel';
      a.controller.abort();
      return true;
    }
    const ok = this.repo.transition(id, 'cancelled', { detail: 'cancelled while queued' });
    if (ok) this.emitStatus(id, 'cancelled');
    return ok;
  }

  /**
   * Stops taking runs; lets running ones finish for up to `graceMs`, then aborts them and puts
   * them back in the queue (they run again at the next start). Closes the pool.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.stopping = true;
    const all = Promise.all([...this.active.values()].map((a) => a.done));
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    if ((await Promise.race([all.then(() => 'done' as const), timer])) === 'timeout') {
      for (const a of this.active.values()) {
        a.reason = 'shutdown';
        a.controller.abort();
      }
      await all;
    }
    await this.pool.destroy();
  }

  private startRun(run: RunRecord): void {
    if (!this.repo.transition(run.id, 'running')) return;
    this.emitStatus(run.id, 'running');
    this.metrics.start(run.id);
    const controller = new AbortController();
    const entry: Active = {
      controller,
      startedAt: performance.now(),
      progress: null,
      timer: setTimeout(() => {
        entry.reason = 'timeout';
        controller.abort();
      }, this.opts.runTimeoutMs),
      done: Promise.resolve(),
    };
    this.active.set(run.id, entry);
    let lastStored = 0;
    const onProgress = (m: ProgressMessage) => {
      entry.progress = { simulatedNs: m.simulatedNs, durationNs: m.durationNs, events: m.events };
      this.metrics.record(run.id, m.locks);
      this.metrics.recordMemory(run.id, m.memory);
      this.emit('run', { type: 'progress', id: run.id, progress: entry.progress } satisfies RunEvent);
      const now = Date.now();
      if (now - lastStored >= STORE_PROGRESS_EVERY_MS) {
        lastStored = now;
        this.repo.setProgress(run.id, entry.progress);
      }
    };
    this.log.info({ runId: run.id, configHash: run.configHash, kind: run.kind, attempt: run.attempts + 1 }, 'run started');
    entry.done = runOnPool(this.pool, run.config, this.opts.maxEvents, controller.signal, onProgress)
      .then(
        (result: RunTaskResult) => this.finish(run, entry, result, undefined),
        (err: unknown) => this.finish(run, entry, undefined, err),
      )
      .finally(() => {
        clearTimeout(entry.timer);
        this.active.delete(run.id);
        setImmediate(() => this.pump());
      });
  }

  private finish(run: RunRecord, entry: Active, result: RunTaskResult | undefined, err: unknown): void {
    const wallMs = Math.round(performance.now() - entry.startedAt);
    const fields = { runId: run.id, configHash: run.configHash, durationMs: wallMs };
    if (result?.ok) {
      if (this.repo.succeed(run.id, result.report, result.series)) {
        this.eventsTotal += result.report.engine.events;
        this.lastEventsPerSecond = result.report.engine.eventsPerSecond;
        this.metrics.end(run.id, true);
        this.emitStatus(run.id, 'succeeded');
        this.log.info({ ...fields, events: result.report.engine.events }, 'run succeeded');
      }
      return;
    }
    if (entry.reason === 'shutdown') {
      this.repo.transition(run.id, 'queued', { detail: 'service shut down while running; re-queued' });
      this.metrics.end(run.id, false);
      this.log.warn(fields, 'run re-queued at shutdown');
      return;
    }
    if (entry.reason === 'cancel') {
      this.repo.transition(run.id, 'cancelled', { detail: 'cancelled while running' });
      this.metrics.end(run.id, true);
      this.emitStatus(run.id, 'cancelled');
      this.log.info(fields, 'run cancelled');
      return;
    }
    const error = failureOf(result, err, this.opts, entry.reason === 'timeout');
    this.repo.transition(run.id, 'failed', { error });
    this.metrics.end(run.id, true);
    this.emitStatus(run.id, 'failed', error);
    this.log.warn({ ...fields, err: error }, 'run failed');
  }

  private emitStatus(id: string, status: RunStatus, error?: RunError): void {
    this.emit('run', (error ? { type: 'status', id, status, error } : { type: 'status', id, status }) satisfies RunEvent);
  }
}
