/** Why a run failed, as a code and a message, whoever executed it. */
import { WorkerErrors } from './errors.js';
import type { RunTaskResult } from './messages.js';

export interface RunFailure {
  code: string;
  message: string;
}

export function failureOf(
  result: RunTaskResult | undefined,
  err: unknown,
  limits: { runTimeoutMs: number; workerHeapMb: number },
  timedOut: boolean,
): RunFailure {
  if (timedOut) return { code: WorkerErrors.RUN_TIMEOUT.code, message: `the run took longer than ${limits.runTimeoutMs} ms of wall time (NUMASIM_RUN_TIMEOUT_MS)` };
  if (result && !result.ok) return { code: result.error.code, message: result.error.message };
  const e = err as (Error & { code?: string }) | undefined;
  const oom = e?.code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory|heap/i.test(e?.message ?? '');
  return {
    code: WorkerErrors.RUN_WORKER_FAILED.code,
    message: oom
      ? `the simulation ran out of memory (worker heap limit ${limits.workerHeapMb} MiB, NUMASIM_WORKER_HEAP_MB)`
      : `the simulation's worker thread failed: ${e?.message ?? String(err)}`,
  };
}
