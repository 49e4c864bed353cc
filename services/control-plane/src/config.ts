/**
 * The service's configuration, from environment variables, checked at start-up: a bad value stops
 * the service with a message naming the variable.
 */
import { availableParallelism } from 'node:os';
import { bool, envReader, int, nonEmpty, oneOf, workerSettings, type WorkerSettings } from '@numasim/worker';

/** The service's settings; those of executing runs (limits, threads, the queue) are the worker package's. */
export interface Config extends WorkerSettings {
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
  /** How long a finished run keeps its labelled metric series, and how many runs may be labelled at once. */
  metricsRunTtlMs: number;
  metricsMaxRuns: number;
  /** On SIGTERM, how long running runs may go on before they are cancelled and re-queued. */
  shutdownGraceMs: number;
  bodyLimitBytes: number;
  /** Past this event-loop delay the service answers 503 with Retry-After (under-pressure); 0 turns the check off. */
  maxEventLoopDelayMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cores = availableParallelism();
  const get = envReader(env);
  const token = get<string | undefined>('NUMASIM_API_TOKEN', nonEmpty, undefined);
  return {
    ...workerSettings(env),
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
    metricsRunTtlMs: get('NUMASIM_METRICS_RUN_TTL_MS', int(0, 86_400_000), 15 * 60_000),
    metricsMaxRuns: get('NUMASIM_METRICS_MAX_RUNS', int(0, 1000), 20),
    shutdownGraceMs: get('NUMASIM_SHUTDOWN_GRACE_MS', int(0, 3_600_000), 10_000),
    bodyLimitBytes: get('NUMASIM_BODY_LIMIT_BYTES', int(1024, 64 * 1024 * 1024), 1024 * 1024),
    maxEventLoopDelayMs: get('NUMASIM_MAX_EVENT_LOOP_DELAY_MS', int(0, 60_000), 1000),
  };
}
