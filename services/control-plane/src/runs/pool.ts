/**
 * The worker-thread pool that runs simulations, shared by the embedded executor and the fleet
 * worker: one piscina pool, one task per run, progress through a MessagePort.
 */
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { WorkloadConfig } from '@numasim/shared';
import type { ProgressMessage, RunTask, RunTaskResult } from './messages.js';

export interface PoolOptions {
  threads: number;
  workerHeapMb: number;
  workerNice: number;
  /** Simulation threads ask for SCHED_IDLE (Linux), falling back to the nice value; default true. */
  workerIdle?: boolean;
}

export function createPool(opts: PoolOptions): Piscina {
  return new Piscina({
    filename: fileURLToPath(new URL('./worker.js', import.meta.url)),
    minThreads: 0,
    maxThreads: opts.threads,
    idleTimeout: 30_000,
    maxQueue: opts.threads, // callers queue runs themselves (the store, or the job queue)
    resourceLimits: { maxOldGenerationSizeMb: opts.workerHeapMb },
    workerData: { nice: opts.workerNice, idle: opts.workerIdle ?? true },
  });
}

/**
 * Runs one simulation on the pool. `onProgress` sees every progress message; the promise settles
 * only after the final one is in (messages and the result travel on different channels, and
 * closing the port drops what is unread). Rejects when the task is aborted or its thread dies.
 */
export async function runOnPool(
  pool: Piscina,
  config: WorkloadConfig,
  maxEvents: number,
  signal: AbortSignal,
  onProgress: (m: ProgressMessage) => void,
): Promise<RunTaskResult> {
  const { port1, port2 } = new MessageChannel();
  let finalSeen!: () => void;
  const finalReceived = new Promise<void>((resolve) => (finalSeen = resolve));
  port1.once('close', () => finalSeen()); // never wait for a message that cannot come
  port1.on('message', (m: ProgressMessage) => {
    if (m.final) finalSeen();
    onProgress(m);
  });
  try {
    const task: RunTask = { config, maxEvents, port: port2 };
    const result = (await pool.run(task, { transferList: [port2], signal })) as RunTaskResult;
    if (result.ok) await finalReceived;
    return result;
  } finally {
    port1.close();
  }
}
