/**
 * A run's life in the service, whoever executes it (the embedded pool, executor.ts, or the fleet
 * behind the queue, queue/queue-executor.ts): the status transitions in the store, the events the
 * SSE streams and the cache follow, the live progress and how often it is stored, the live
 * metrics, and the result stored with the final status. Both executors call these and nothing
 * else, so a run moves the same way in both modes.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Report, TimeSeries } from '@numasim/shared';
import type { ProgressMessage, RunFailure } from '@numasim/worker';
import type { SimMetrics } from '../metrics/sim-metrics.js';
import type { RunError, RunProgressRecord, RunRecord, RunsRepo, RunStatus } from '../store/runs-repo.js';

export type RunEvent =
  | { type: 'status'; id: string; status: RunStatus; error?: RunError }
  | { type: 'progress'; id: string; progress: RunProgressRecord };

/** Live progress reaches the store at most this often per run (and always with the final status). */
export const STORE_PROGRESS_EVERY_MS = 1000;

export function progressRecord(m: ProgressMessage): RunProgressRecord {
  return { simulatedNs: m.simulatedNs, durationNs: m.durationNs, events: m.events, ...m.progress };
}

export class RunLifecycle {
  /** Events handled by succeeded runs, and the engine rate of the last one. */
  eventsTotal = 0;
  lastEventsPerSecond = 0;
  private readonly live = new Map<string, RunProgressRecord>();
  private readonly lastStored = new Map<string, number>();

  constructor(
    private readonly repo: RunsRepo,
    private readonly metrics: SimMetrics,
    private readonly emit: (ev: RunEvent) => void,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Runs started and not yet finished or re-queued. */
  get runningCount(): number {
    return this.live.size;
  }

  isLive(id: string): boolean {
    return this.live.has(id);
  }

  progressOf(id: string): RunProgressRecord | undefined {
    return this.live.get(id);
  }

  /** queued → running; false when the run was not queued (cancelled meanwhile, or already running). */
  started(run: RunRecord, detail?: string): boolean {
    if (!this.repo.transition(run.id, 'running', detail === undefined ? {} : { detail })) return false;
    this.metrics.start(run.id);
    this.live.set(run.id, { simulatedNs: 0, durationNs: run.config.durationNs, events: 0 });
    this.emitStatus(run.id, 'running');
    return true;
  }

  /** A progress message of a running run: published now, stored every STORE_PROGRESS_EVERY_MS. */
  progress(id: string, m: ProgressMessage): void {
    if (!this.live.has(id)) return; // finished, cancelled or re-queued meanwhile
    const p = progressRecord(m);
    this.live.set(id, p);
    this.metrics.record(id, m.events, m.locks);
    this.metrics.recordMemory(id, m.memory);
    this.emit({ type: 'progress', id, progress: p });
    const now = Date.now();
    if (now - (this.lastStored.get(id) ?? 0) >= STORE_PROGRESS_EVERY_MS) {
      this.lastStored.set(id, now);
      this.repo.setProgress(id, p);
    }
  }

  /** Stores the result with the status, after the run's last progress; false when the run was no longer running. */
  succeeded(id: string, result: { report: Report; series: TimeSeries; last: ProgressMessage }, detail?: string): boolean {
    this.metrics.record(id, result.last.events, result.last.locks);
    this.metrics.recordMemory(id, result.last.memory);
    if (!this.repo.succeed(id, result.report, result.series, detail, progressRecord(result.last))) return false;
    this.eventsTotal += result.report.engine.events;
    this.lastEventsPerSecond = result.report.engine.eventsPerSecond;
    this.ended(id, true);
    this.emitStatus(id, 'succeeded');
    return true;
  }

  failed(id: string, error: RunFailure, detail?: string): boolean {
    if (!this.repo.transition(id, 'failed', detail === undefined ? { error } : { error, detail })) return false;
    this.ended(id, true);
    this.emitStatus(id, 'failed', error);
    return true;
  }

  cancelled(id: string, detail: string): boolean {
    if (!this.repo.transition(id, 'cancelled', { detail })) return false;
    this.ended(id, true);
    this.emitStatus(id, 'cancelled');
    return true;
  }

  /** running → queued (a lost worker, a retry, a shutdown): the run starts again from zero, metrics too. */
  requeued(id: string, detail: string, announce = true): boolean {
    if (!this.repo.transition(id, 'queued', { detail })) return false;
    this.ended(id, false);
    if (announce) this.emitStatus(id, 'queued');
    this.log.info({ runId: id, detail }, 'run re-queued');
    return true;
  }

  private ended(id: string, keepMetrics: boolean): void {
    this.live.delete(id);
    this.lastStored.delete(id);
    this.metrics.end(id, keepMetrics);
  }

  private emitStatus(id: string, status: RunStatus, error?: RunError): void {
    this.emit(error ? { type: 'status', id, status, error } : { type: 'status', id, status });
  }
}
