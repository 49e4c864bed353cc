/**
 * Queue names and Redis connections for queue mode. BullMQ needs `maxRetriesPerRequest: null` on
 * connections that block (workers, queue events); every BullMQ object gets a connection of its own.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Report, TimeSeries } from '@numasim/shared';
import type { ProgressMessage } from './messages.js';
import { WorkerErrors } from './errors.js';

export interface QueueSettings {
  redisUrl: string;
  queueName: string;
  attempts: number;
  backoffMs: number;
  lockMs: number;
}

/** The queue of runs, the queue of sweep parents (BullMQ flows), and the channel cancellations go on. */
export function queueNames(base: string) {
  return { runs: base, sweeps: `${base}-sweeps`, cancelChannel: `numasim:${base}:cancel` };
}

/**
 * Where a worker leaves a finished run's report and series for the control plane, which moves
 * them into its store and deletes the key. The TTL only matters if no control plane ever comes
 * back for them.
 */
export function resultKey(base: string, runId: string): string {
  return `numasim:${base}:result:${runId}`;
}
export const RESULT_TTL_SECONDS = 7 * 24 * 3600;

/** What waits under `resultKey`: the report, the series, and the run's last progress (its final lock figures for the metrics). */
export interface StoredResult {
  report: Report;
  series: TimeSeries;
  last: ProgressMessage;
}

/**
 * Connection options for BullMQ objects. Given options (not a client), each BullMQ object makes its
 * own connection and closes it when closed, so a stopped worker or control plane leaves nothing
 * open behind it.
 */
export function redisOptions(url: string): RedisOptions {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** A client of our own (results, pub/sub, pings): the caller quits it. */
export function redisConnection(url: string): Redis {
  return new Redis(redisOptions(url));
}

/** Job failure reasons carry the error code first: "NUMASIM_ERR_…: message". */
export function encodeFailure(code: string, message: string): string {
  return `${code}: ${message}`;
}

export function decodeFailure(reason: string | undefined): { code: string; message: string } {
  const m = /^(NUMASIM_ERR_[A-Z_]+): ([\s\S]*)$/.exec(reason ?? '');
  return m ? { code: m[1], message: m[2] } : { code: WorkerErrors.RUN_WORKER_FAILED.code, message: reason ?? 'the job failed' };
}

export interface RunJobData {
  runId: string;
  config: unknown;
}

/** A job's return value stays small: the report itself waits under `resultKey`. */
export interface RunJobResult {
  worker: string;
  events: number;
  eventsPerSecond: number;
}
