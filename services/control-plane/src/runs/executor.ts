/**
 * Runs queued simulations on a piscina pool of worker threads, never on the main event loop.
 *
 * The queue is the store: a run is `queued` in SQLite until a thread is free, so queued runs
 * survive a restart. At most `concurrency` runs execute at once; each is bounded by an event
 * budget (in the engine) and a wall-clock timeout (here). Cancellation and timeouts abort the
 * task, which terminates its thread; piscina replaces it. The run's life (statuses, progress,
 * result, metrics) goes through the lifecycle shared with queue mode (lifecycle.ts).
 */
import { EventEmitter } from 'node:events';
import type { Piscina } from 'piscina';
import type { FastifyBaseLogger } from 'fastify';
import { createPool, failureOf, runOnPool, type RunGate, type RunTaskResult } from '@numasim/worker';
import type { RunProgressRecord, RunRecord, RunsRepo } from '../store/runs-repo.js';
import type { SimMetrics } from '../metrics/sim-metrics.js';
import type { RunExecutor } from './run-executor.js';
import { RunLifecycle, type RunEvent } from './lifecycle.js';

export type { RunEvent } from './lifecycle.js';

export interface ExecutorOptions {
  concurrency: number;
  maxEvents: number;
  runTimeoutMs: number;
  workerHeapMb: number;
  /** Nice value of simulation threads (Linux): higher runs them behind the HTTP thread. */
  workerNice: number;
  /** SCHED_IDLE for simulation threads (Linux): they run only on CPUs nothing else wants. */
  workerIdle?: boolean;
  /** Debug runs (NUMASIM_DEBUG): the model checks its lock order and invariants. */
  debug?: boolean;
  /** Test-only: hold every run at a simulated time until released. */
  gate?: RunGate;
}

type AbortReason = 'cancel' | 'timeout' | 'shutdown';

interface Active {
  controller: AbortController;
  reason?: AbortReason;
  startedAt: number;
  timer: NodeJS.Timeout;
  done: Promise<void>;
}

export class Executor extends EventEmitter implements RunExecutor {
  readonly pool: Piscina;
  private readonly active = new Map<string, Active>();
  private readonly lifecycle: RunLifecycle;
  private stopping = false;
  private pumping = false;

  constructor(
    private readonly repo: RunsRepo,
    private readonly opts: ExecutorOptions,
    metrics: SimMetrics,
    private readonly log: FastifyBaseLogger,
  ) {
    super();
    this.setMaxListeners(0);
    this.lifecycle = new RunLifecycle(repo, metrics, (ev: RunEvent) => this.emit('run', ev), log);
    this.pool = createPool({ threads: opts.concurrency, workerHeapMb: opts.workerHeapMb, workerNice: opts.workerNice, workerIdle: opts.workerIdle, debug: opts.debug });
  }

  get runningCount(): number {
    return this.active.size;
  }

  get eventsTotal(): number {
    return this.lifecycle.eventsTotal;
  }

  get lastEventsPerSecond(): number {
    return this.lifecycle.lastEventsPerSecond;
  }

  /** Live progress of an executing run (fresher than the store's). */
  progressOf(id: string): RunProgressRecord | null | undefined {
    return this.lifecycle.progressOf(id);
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
    return this.lifecycle.cancelled(id, 'cancelled while queued');
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
    if (!this.lifecycle.started(run)) return;
    const controller = new AbortController();
    const entry: Active = {
      controller,
      startedAt: performance.now(),
      timer: setTimeout(() => {
        entry.reason = 'timeout';
        controller.abort();
      }, this.opts.runTimeoutMs),
      done: Promise.resolve(),
    };
    this.active.set(run.id, entry);
    this.log.info({ runId: run.id, configHash: run.configHash, kind: run.kind, attempt: run.attempts + 1 }, 'run started');
    entry.done = runOnPool(this.pool, run.config, this.opts.maxEvents, controller.signal, (m) => this.lifecycle.progress(run.id, m), this.opts.gate)
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
    const fields = { runId: run.id, configHash: run.configHash, durationMs: Math.round(performance.now() - entry.startedAt) };
    if (result?.ok) {
      if (this.lifecycle.succeeded(run.id, result)) this.log.info({ ...fields, events: result.report.engine.events }, 'run succeeded');
      return;
    }
    if (entry.reason === 'shutdown') {
      this.lifecycle.requeued(run.id, 'service shut down while running; re-queued', false);
      return;
    }
    if (entry.reason === 'cancel') {
      if (this.lifecycle.cancelled(run.id, 'cancelled while running')) this.log.info(fields, 'run cancelled');
      return;
    }
    const error = failureOf(result, err, this.opts, entry.reason === 'timeout');
    if (this.lifecycle.failed(run.id, error)) this.log.warn({ ...fields, err: error }, 'run failed');
  }
}
