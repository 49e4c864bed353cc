/**
 * The service's configuration, from environment variables, checked at start-up: a bad value stops
 * the service with a message naming the variable.
 */
import { availableParallelism } from 'node:os';
import { NumasimError } from '@numasim/shared';
import { ApiErrors } from './errors.js';

export interface Config {
  port: number;
  host: string;
  dbPath: string;
  /** Runs executing at once (worker threads). */
  concurrency: number;
  /** Runs waiting beyond those executing; more are refused with 429. */
  queueLimit: number;
  logLevel: string;
  logPretty: boolean;
  apiToken: string | undefined;
  /** Per-run limits, checked at submission. */
  maxDurationNs: number;
  maxNodes: number;
  maxCpus: number;
  maxSweepRuns: number;
  /** Discovered while running: the run fails with NUMASIM_ERR_RUN_LIMIT_EXCEEDED / _TIMEOUT. */
  maxEvents: number;
  runTimeoutMs: number;
  /** Heap of one worker thread, MiB. */
  workerHeapMb: number;
  /** Nice value of simulation threads (0–19; Linux), so HTTP stays responsive when every core simulates. */
  workerNice: number;
  /** Simulation threads run under SCHED_IDLE (Linux, with util-linux's chrt): only on CPUs nothing else wants. */
  workerIdle: boolean;
  /** How long a finished run keeps its labelled metric series, and how many runs may be labelled at once. */
  metricsRunTtlMs: number;
  metricsMaxRuns: number;
  /** On SIGTERM, how long running runs may go on before they are cancelled and re-queued. */
  shutdownGraceMs: number;
  bodyLimitBytes: number;
  /** Past this event-loop delay the service answers 503 with Retry-After (under-pressure); 0 turns the check off. */
  maxEventLoopDelayMs: number;
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

interface Var {
  name: string;
  parse: (raw: string) => unknown;
}

const int = (min: number, max: number) => (raw: string) => {
  const v = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(v) || v < min || v > max) throw new Error(`must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  return v;
};
const bool = (raw: string) => {
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no', ''].includes(raw)) return false;
  throw new Error(`must be 1/true/yes or 0/false/no (got ${JSON.stringify(raw)})`);
};
const oneOf = (values: string[]) => (raw: string) => {
  if (!values.includes(raw)) throw new Error(`must be one of ${values.join(', ')} (got ${JSON.stringify(raw)})`);
  return raw;
};
const nonEmpty = (raw: string) => {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
};

const redisUrl = (raw: string) => {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`must be a redis:// or rediss:// URL (got ${JSON.stringify(raw)})`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`must be a redis:// or rediss:// URL (got ${JSON.stringify(raw)})`);
  return raw;
};
const queueName = (raw: string) => {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) throw new Error(`must be 1–64 letters, digits, _ or - (got ${JSON.stringify(raw)})`);
  return raw;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cores = availableParallelism();
  const get = <T>(name: string, parse: Var['parse'], fallback: T): T => {
    const raw = env[name];
    if (raw === undefined) return fallback;
    try {
      return parse(raw) as T;
    } catch (e) {
      throw new NumasimError(ApiErrors.CONFIG_INVALID, `${name} ${(e as Error).message}`, [{ path: name, reason: (e as Error).message }]);
    }
  };
  const token = get<string | undefined>('NUMASIM_API_TOKEN', nonEmpty, undefined);
  return {
    port: get('NUMASIM_PORT', int(0, 65535), 8080),
    host: get('NUMASIM_HOST', nonEmpty, '127.0.0.1'),
    dbPath: get('NUMASIM_DB_PATH', nonEmpty, './data/numasim.sqlite'),
    concurrency: get('NUMASIM_CONCURRENCY', int(1, 256), cores),
    queueLimit: get('NUMASIM_QUEUE_LIMIT', int(0, 100_000), 256),
    logLevel: get('NUMASIM_LOG_LEVEL', oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
    logPretty: get('NUMASIM_LOG_PRETTY', bool, false),
    apiToken: token,
    maxDurationNs: get('NUMASIM_MAX_DURATION_NS', int(1, Number.MAX_SAFE_INTEGER), 120_000_000_000),
    maxNodes: get('NUMASIM_MAX_NODES', int(1, 64), 64),
    maxCpus: get('NUMASIM_MAX_CPUS', int(1, 4096), 1024),
    maxSweepRuns: get('NUMASIM_MAX_SWEEP_RUNS', int(1, 10_000), 256),
    maxEvents: get('NUMASIM_MAX_EVENTS', int(1, Number.MAX_SAFE_INTEGER), 2_000_000_000),
    runTimeoutMs: get('NUMASIM_RUN_TIMEOUT_MS', int(100, 86_400_000), 600_000),
    workerHeapMb: get('NUMASIM_WORKER_HEAP_MB', int(64, 65_536), 2048),
    workerNice: get('NUMASIM_WORKER_NICE', int(0, 19), 10),
    workerIdle: get('NUMASIM_WORKER_IDLE', bool, true),
    metricsRunTtlMs: get('NUMASIM_METRICS_RUN_TTL_MS', int(0, 86_400_000), 15 * 60_000),
    metricsMaxRuns: get('NUMASIM_METRICS_MAX_RUNS', int(0, 1000), 20),
    shutdownGraceMs: get('NUMASIM_SHUTDOWN_GRACE_MS', int(0, 3_600_000), 10_000),
    bodyLimitBytes: get('NUMASIM_BODY_LIMIT_BYTES', int(1024, 64 * 1024 * 1024), 1024 * 1024),
    maxEventLoopDelayMs: get('NUMASIM_MAX_EVENT_LOOP_DELAY_MS', int(0, 60_000), 1000),
    redisUrl: get<string | undefined>('NUMASIM_REDIS_URL', redisUrl, undefined),
    queueName: get('NUMASIM_QUEUE', queueName, 'numasim'),
    queueAttempts: get('NUMASIM_QUEUE_ATTEMPTS', int(1, 100), 5),
    queueBackoffMs: get('NUMASIM_QUEUE_BACKOFF_MS', int(0, 3_600_000), 1000),
    queueLockMs: get('NUMASIM_QUEUE_LOCK_MS', int(500, 3_600_000), 30_000),
  };
}
