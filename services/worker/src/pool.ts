/**
 * The worker-thread pool that runs simulations, shared by the control plane's embedded executor
 * and the fleet worker: one piscina pool, one task per run, progress through a MessagePort.
 */
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { WorkloadConfig } from '@numasim/shared';
import type { ProgressMessage, RunTask, RunTaskResult } from './messages.js';
import type { RunGate } from './gate.js';

export interface PoolOptions {
  threads: number;
  workerHeapMb: number;
  workerNice: number;
  /** Simulation threads ask for SCHED_IDLE (Linux), falling back to the nice value; default true. */
  workerIdle?: boolean;
  /** Debug runs (RunOptions.debug), told to every simulation thread: threads read no environment. */
  debug?: boolean;
}

export function createPool(opts: PoolOptions): Piscina {
  return new Piscina({
    filename: fileURLToPath(new URL('./run-thread-entry.cjs', import.meta.url)),
    minThreads: 0,
    maxThreads: opts.threads,
    idleTimeout: 30_000,
    maxQueue: opts.threads, // callers queue runs themselves (the store, or the job queue)
    resourceLimits: { maxOldGenerationSizeMb: opts.workerHeapMb },
    workerData: { nice: opts.workerNice, idle: opts.workerIdle ?? true, debug: opts.debug ?? false },
  });
}

/**
 * Runs one simulation on the pool. `onProgress` sees progress messages while the run goes on and,
 * when it succeeds, its last progress (which comes with the result) before the promise settles.
 * Messages still on their way then are dropped: each carries cumulative figures, and the last one
 * supersedes them all. Rejects when the task is aborted or its thread dies.
 */
export async function runOnPool(
  pool: Piscina,
  config: WorkloadConfig,
  maxEvents: number,
  signal: AbortSignal,
  onProgress: (m: ProgressMessage) => void,
  gate?: RunGate,
): Promise<RunTaskResult> {
  const { port1, port2 } = new MessageChannel();
  port1.on('message', onProgress);
  try {
    const task: RunTask = { config, maxEvents, port: port2, ...(gate ? { gate: gate.handle } : {}) };
    const result = (await pool.run(task, { transferList: [port2], signal })) as RunTaskResult;
    port1.close();
    if (result.ok) onProgress(result.last);
    return result;
  } finally {
    port1.close();
  }
}
