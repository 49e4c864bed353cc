/**
 * Queue mode: the control plane keeps its store and its API, and hands runs to `numasim worker`
 * processes on any number of hosts through BullMQ on Redis.
 *
 * The store stays the source of truth. A run is written as `queued` first, then enqueued as a job
 * whose id is the run's id (so enqueueing twice is harmless, and an idempotent resubmission finds
 * the same run and adds nothing). A sweep is a BullMQ flow: a parent job on the sweeps queue with
 * one child per run. Queue events bring status and progress back; a finished run's report is read
 * from where its worker left it, stored, and deleted from Redis. At start-up and every few seconds
 * the store and the queue are reconciled, so a control plane that was down, or a Redis that was
 * unreachable when a run was accepted, loses nothing.
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { FlowProducer, Job, Queue, QueueEvents, Worker, type JobsOptions } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import { decodeFailure, queueNames, redisConnection, redisOptions, resultKey, type ProgressMessage, type QueueSettings, type RunJobData, type RunJobResult, type StoredResult } from '@numasim/worker';
import type { SimMetrics } from '../metrics/sim-metrics.js';
import type { RunExecutor } from '../runs/run-executor.js';
import { RunLifecycle, type RunEvent } from '../runs/lifecycle.js';
import type { RunProgressRecord, RunRecord, RunsRepo } from '../store/runs-repo.js';

const RECONCILE_EVERY_MS = 5000;

export class QueueExecutor extends EventEmitter implements RunExecutor {
  stalledTotal = 0;
  retriedTotal = 0;
  private readonly names: ReturnType<typeof queueNames>;
  private readonly redis: Redis;
  private readonly queue: Queue<RunJobData, RunJobResult>;
  private readonly flow: FlowProducer;
  private readonly events: QueueEvents;
  private readonly sweepWorker: Worker;
  private readonly lifecycle: RunLifecycle;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly repo: RunsRepo,
    private readonly settings: QueueSettings,
    metrics: SimMetrics,
    private readonly log: FastifyBaseLogger,
  ) {
    super();
    this.setMaxListeners(0);
    this.lifecycle = new RunLifecycle(repo, metrics, (ev: RunEvent) => this.emit('run', ev), log);
    this.names = queueNames(settings.queueName);
    this.redis = redisConnection(settings.redisUrl);
    this.queue = new Queue(this.names.runs, { connection: redisOptions(settings.redisUrl) });
    this.flow = new FlowProducer({ connection: redisOptions(settings.redisUrl) });
    this.events = new QueueEvents(this.names.runs, { connection: redisOptions(settings.redisUrl) });
    // Sweep parents have nothing to do once their children are done but to complete.
    this.sweepWorker = new Worker(this.names.sweeps, async () => null, { connection: redisOptions(settings.redisUrl), concurrency: 4, removeOnComplete: { age: 3600 } });
    for (const c of [this.queue, this.flow, this.events, this.sweepWorker] as EventEmitter[]) c.on('error', (e: Error) => this.log.warn({ err: e.message }, 'queue connection error'));
  }

  get runningCount(): number {
    return this.lifecycle.runningCount;
  }

  get eventsTotal(): number {
    return this.lifecycle.eventsTotal;
  }

  get lastEventsPerSecond(): number {
    return this.lifecycle.lastEventsPerSecond;
  }

  progressOf(id: string): RunProgressRecord | null | undefined {
    return this.lifecycle.progressOf(id);
  }

  utilization(): number {
    return 0; // the pools are the workers': each exports numasim_pool_utilization_ratio
  }

  threads(): number {
    return 0;
  }

  async ready(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Job counts by state, for the metrics. */
  async jobCounts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children');
  }

  async start(): Promise<void> {
    this.events.on('active', ({ jobId }) => this.onActive(jobId));
    this.events.on('progress', ({ jobId, data }) => this.onProgress(jobId, data as unknown as ProgressMessage));
    this.events.on('completed', ({ jobId }) => void this.collect(jobId));
    this.events.on('failed', ({ jobId }) => void this.collect(jobId));
    this.events.on('stalled', ({ jobId }) => {
      this.stalledTotal++;
      this.log.warn({ runId: jobId }, 'run stalled: its worker was lost; BullMQ re-queues it');
      this.lifecycle.requeued(jobId, 'its worker was lost mid-run (stalled); re-queued');
    });
    await this.events.waitUntilReady();
    await this.reconcile();
    this.reconcileTimer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    this.reconcileTimer.unref();
  }

  submitted(runs: readonly RunRecord[], sweepId?: string): void {
    const add = sweepId
      ? this.flow.add({
          name: 'sweep',
          queueName: this.names.sweeps,
          data: { sweepId },
          opts: { jobId: sweepId, removeOnComplete: { age: 3600 } },
          children: runs.map((r) => ({ name: 'run', queueName: this.names.runs, data: { runId: r.id, config: r.config }, opts: this.jobOptions(r.id) })),
        })
      : this.queue.addBulk(runs.map((r) => ({ name: 'run', data: { runId: r.id, config: r.config }, opts: this.jobOptions(r.id) })));
    // The runs are in the store already: if Redis is unreachable now, reconciliation enqueues them later.
    add.catch((e: Error) => this.log.warn({ err: e.message, runs: runs.length }, 'enqueueing failed; will retry'));
  }

  cancel(id: string): boolean {
    const run = this.repo.get(id);
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return false;
    if (!this.lifecycle.cancelled(id, `cancelled while ${run.status}`)) return false;
    // Take it off the queue if it waits there; tell the worker running it otherwise.
    void this.queue.remove(id).catch(() => {});
    void this.redis.publish(this.names.cancelChannel, id).catch(() => {});
    return true;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    await this.reconciling;
    await Promise.allSettled([this.events.close(), this.sweepWorker.close(), this.flow.close(), this.queue.close()]);
    await this.redis.quit().catch(() => {});
  }

  private jobOptions(runId: string): JobsOptions {
    return {
      jobId: runId,
      attempts: this.settings.attempts,
      backoff: { type: 'exponential', delay: this.settings.backoffMs },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    };
  }

  private onActive(id: string): void {
    const run = this.repo.get(id);
    if (!run || run.status === 'running') return;
    if (this.lifecycle.started(run)) this.log.info({ runId: id, configHash: run.configHash }, 'run started on a worker');
  }

  private onProgress(id: string, m: ProgressMessage & { worker?: string }): void {
    if (!this.lifecycle.isLive(id)) this.onActive(id);
    this.lifecycle.progress(id, m);
  }

  /** A job finished (or failed an attempt): bring its outcome into the store. */
  private async collect(id: string): Promise<void> {
    const job = await Job.fromId<RunJobData, RunJobResult>(this.queue, id);
    if (!job) return;
    const state = await job.getState();
    const run = this.repo.get(id);
    if (!run) return;
    if ((state === 'completed' || state === 'failed') && run.status === 'queued') {
      // It ran while this control plane was not listening: record the start it missed.
      this.lifecycle.started(run, 'ran on a worker while the control plane was away');
    }
    if (state === 'completed') {
      const key = resultKey(this.settings.queueName, id);
      const json = await this.redis.get(key);
      if (json === null) {
        // Stored already by an earlier pass (or the key expired): nothing more to move.
        if (run.status === 'succeeded') await this.redis.del(key);
        return;
      }
      const stored = JSON.parse(json) as StoredResult;
      if (this.lifecycle.succeeded(id, stored, `on worker ${job.returnvalue?.worker ?? 'unknown'}, attempt ${job.attemptsMade}`)) {
        this.log.info({ runId: id, configHash: run.configHash, worker: job.returnvalue?.worker }, 'run succeeded');
      }
      await this.redis.del(key);
      return;
    }
    if (state === 'failed') {
      const { code, message } = decodeFailure(job.failedReason);
      if (code === 'NUMASIM_ERR_RUN_CANCELLED') {
        this.lifecycle.cancelled(id, 'cancelled on its worker');
        return;
      }
      const error = { code, message };
      if (this.lifecycle.failed(id, error)) this.log.warn({ runId: id, configHash: run.configHash, err: error, attempts: job.attemptsMade }, 'run failed');
      return;
    }
    // An attempt failed and BullMQ will try again after its backoff.
    if ((state === 'delayed' || state === 'waiting') && run.status === 'running') {
      this.retriedTotal++;
      this.lifecycle.requeued(id, `attempt ${job.attemptsMade} failed (${job.failedReason ?? 'worker lost'}); retrying`);
    }
  }

  /** Brings store and queue into agreement. */
  private reconcile(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.reconciling ??= this.reconcileOnce()
      .catch((e: Error) => this.log.warn({ err: e.message }, 'reconciling store and queue failed; will retry'))
      .finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    const missing: RunRecord[] = [];
    for (const run of this.repo.unfinished()) {
      const job = await this.queue.getJob(run.id);
      if (!job) {
        if (run.status === 'running') this.lifecycle.requeued(run.id, 'its job was gone from the queue; re-queued', false);
        missing.push(run);
        continue;
      }
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') await this.collect(run.id);
      else if (state === 'active' && run.status === 'queued') this.onActive(run.id);
      else if ((state === 'waiting' || state === 'delayed' || state === 'prioritized') && run.status === 'running') {
        this.lifecycle.requeued(run.id, 'waiting in the queue again');
      }
    }
    if (missing.length > 0) {
      await this.queue.addBulk(missing.map((r) => ({ name: 'run', data: { runId: r.id, config: r.config }, opts: this.jobOptions(r.id) })));
      this.log.info({ runs: missing.length }, 'enqueued runs the queue did not have');
    }
  }
}
