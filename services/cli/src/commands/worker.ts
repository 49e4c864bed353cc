/**
 * `numasim worker`: a queue-mode worker process. It takes runs from the BullMQ queue on
 * NUMASIM_REDIS_URL and executes them on its own worker threads until SIGTERM or SIGINT, when it
 * stops taking jobs and lets the running ones finish.
 */
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { NumasimError } from '@numasim/shared';
import { startFleetWorker, workerSettings } from '@numasim/worker';
import { numberOption, parse } from '../args.js';
import { CliErrors } from '../errors.js';
import type { Io } from '../io.js';

export const WORKER_USAGE = `usage: numasim worker [--concurrency N] [--metrics-port P] [--metrics-host H]

  Needs NUMASIM_REDIS_URL (e.g. redis://127.0.0.1:6379); NUMASIM_QUEUE names the queue (default
  numasim). --concurrency: runs at once, one worker thread each (default: cores). --metrics-port:
  serve /metrics and /healthz there (default: none; 0 picks a free port). Logs are JSON lines.`;

export async function workerCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('worker', () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { concurrency: { type: 'string' }, 'metrics-port': { type: 'string' }, 'metrics-host': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }),
  );
  if (values.help) {
    io.stdout(`${WORKER_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new NumasimError(CliErrors.USAGE, `worker: takes no arguments (got ${positionals.join(' ')})`);
  const config = workerSettings(process.env);
  if (!config.redisUrl) {
    throw new NumasimError(CliErrors.USAGE, 'worker: set NUMASIM_REDIS_URL to the Redis the control plane uses (e.g. redis://127.0.0.1:6379)', [
      { path: 'NUMASIM_REDIS_URL', reason: 'is required by numasim worker' },
    ]);
  }
  const log = (msg: string, fields: Record<string, unknown> = {}) => io.stdout(`${JSON.stringify({ time: Date.now(), pid: process.pid, msg, ...fields })}\n`);
  const metricsPort = values['metrics-port'] === undefined ? undefined : numberOption('worker', 'metrics-port', values['metrics-port'], 0, 0, 65535, true);
  const worker = await startFleetWorker({
    redisUrl: config.redisUrl,
    queueName: config.queueName,
    attempts: config.queueAttempts,
    backoffMs: config.queueBackoffMs,
    lockMs: config.queueLockMs,
    concurrency: numberOption('worker', 'concurrency', values.concurrency, availableParallelism(), 1, 256, true),
    workerHeapMb: config.workerHeapMb,
    workerNice: config.workerNice,
    workerIdle: config.workerIdle,
    debug: config.debug,
    maxEvents: config.maxEvents,
    runTimeoutMs: config.runTimeoutMs,
    metricsPort,
    metricsHost: values['metrics-host'],
    log,
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log('stopping', { signal });
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await worker.close();
  log('stopped');
  return 0;
}
