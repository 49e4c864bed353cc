/**
 * What the API needs from whatever executes runs: the embedded worker-thread pool (executor.ts)
 * or the fleet behind a BullMQ queue (queue/queue-executor.ts). Both publish `run` events
 * (status changes and progress) that the SSE streams and the metrics follow.
 */
import type { EventEmitter } from 'node:events';
import type { RunProgressRecord, RunRecord } from '../store/runs-repo.js';

export interface RunExecutor extends EventEmitter {
  /** Runs executing now (embedded) or active jobs seen (queue). */
  readonly runningCount: number;
  /** Events handled by succeeded runs, and the engine rate of the last one. */
  readonly eventsTotal: number;
  readonly lastEventsPerSecond: number;
  /** Live progress of an executing run, fresher than the store's. */
  progressOf(id: string): RunProgressRecord | null | undefined;
  /** Runs were stored as queued (a sweep's children carry its id): start or enqueue them. */
  submitted(runs: readonly RunRecord[], sweepId?: string): void;
  /** Cancels a queued or running run; false when it had already finished. */
  cancel(id: string): boolean;
  /** Whether it can take runs (pool up, queue reachable). */
  ready(): Promise<boolean>;
  /** Share of execution capacity in use, 0–1 (embedded: the pool's). */
  utilization(): number;
  /** Worker threads (embedded) or 0 (queue: the workers have their own). */
  threads(): number;
  /** Starts whatever is already queued (at start-up). */
  start(): Promise<void>;
  shutdown(graceMs: number): Promise<void>;
}
