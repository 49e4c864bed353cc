/**
 * Settings from environment variables, checked at start-up: a bad value stops the process with a
 * message naming the variable. The control plane's configuration reads its variables with these
 * too; `workerSettings` is what a process that executes runs needs, and nothing of the HTTP side.
 */
import { availableParallelism } from 'node:os';
import { NumasimError } from '@numasim/shared';
import { WorkerErrors } from './errors.js';

export type EnvParse<T> = (raw: string) => T;

export const int = (min: number, max: number): EnvParse<number> => (raw) => {
  const v = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(v) || v < min || v > max) throw new Error(`must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  return v;
};
export const bool: EnvParse<boolean> = (raw) => {
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no', ''].includes(raw)) return false;
  throw new Error(`must be 1/true/yes or 0/false/no (got ${JSON.stringify(raw)})`);
};
export const oneOf = (values: string[]): EnvParse<string> => (raw) => {
  if (!values.includes(raw)) throw new Error(`must be one of ${values.join(', ')} (got ${JSON.stringify(raw)})`);
  return raw;
};
export const nonEmpty: EnvParse<string> = (raw) => {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
};
export const redisUrl: EnvParse<string> = (raw) => {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`must be a redis:// or rediss:// URL (got ${JSON.stringify(raw)})`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`must be a redis:// or rediss:// URL (got ${JSON.stringify(raw)})`);
  return raw;
};
export const queueName: EnvParse<string> = (raw) => {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) throw new Error(`must be 1–64 letters, digits, _ or - (got ${JSON.stringify(raw)})`);
  return raw;
};

/** Reads one variable: its parsed value, or `fallback` when unset; NUMASIM_ERR_CONFIG_INVALID naming it when malformed. */
export function envReader(env: NodeJS.ProcessEnv) {
  return <T>(name: string, parse: EnvParse<unknown>, fallback: T): T => {
    const raw = env[name];
    if (raw === undefined) return fallback;
    try {
      return parse(raw) as T;
    } catch (e) {
      throw new NumasimError(WorkerErrors.CONFIG_INVALID, `${name} ${(e as Error).message}`, [{ path: name, reason: (e as Error).message }]);
    }
  };
}

/** What executing runs takes: limits, the simulation threads' heap and priority, and the queue. */
export interface WorkerSettings {
  /** Discovered while running: the run fails with NUMASIM_ERR_RUN_LIMIT_EXCEEDED / _TIMEOUT. */
  maxEvents: number;
  runTimeoutMs: number;
  /** Heap of one worker thread, MiB. */
  workerHeapMb: number;
  /** Nice value of simulation threads (0–19; Linux), so HTTP stays responsive when every core simulates. */
  workerNice: number;
  /** Simulation threads run under SCHED_IDLE (Linux, with util-linux's chrt): only on CPUs nothing else wants. */
  workerIdle: boolean;
  /** NUMASIM_DEBUG: runs check the model's lock order and invariants (slower; same reports). */
  debug: boolean;
  /** Queue mode: runs go to worker processes through BullMQ on this Redis; unset: embedded. */
  redisUrl: string | undefined;
  /** BullMQ queue name, so deployments can share a Redis. */
  queueName: string;
  /** Attempts of a run that fails for a reason other than its input (a worker died), with exponential backoff. */
  queueAttempts: number;
  queueBackoffMs: number;
  /** How long a worker's lock on a job lasts without renewal: a killed worker's run is retried after about this long. */
  queueLockMs: number;
}

export function workerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const get = envReader(env);
  return {
    maxEvents: get('NUMASIM_MAX_EVENTS', int(1, Number.MAX_SAFE_INTEGER), 2_000_000_000),
    runTimeoutMs: get('NUMASIM_RUN_TIMEOUT_MS', int(100, 86_400_000), 600_000),
    workerHeapMb: get('NUMASIM_WORKER_HEAP_MB', int(64, 65_536), 2048),
    workerNice: get('NUMASIM_WORKER_NICE', int(0, 19), 10),
    workerIdle: get('NUMASIM_WORKER_IDLE', bool, true),
    debug: get('NUMASIM_DEBUG', bool, false),
    redisUrl: get<string | undefined>('NUMASIM_REDIS_URL', redisUrl, undefined),
    queueName: get('NUMASIM_QUEUE', queueName, 'numasim'),
    queueAttempts: get('NUMASIM_QUEUE_ATTEMPTS', int(1, 100), 5),
    queueBackoffMs: get('NUMASIM_QUEUE_BACKOFF_MS', int(0, 3_600_000), 1000),
    queueLockMs: get('NUMASIM_QUEUE_LOCK_MS', int(500, 3_600_000), 30_000),
  };
}

/** Threads (runs at once) when nothing says otherwise: one per core. */
export function defaultConcurrency(): number {
  return availableParallelism();
}
