/**
 * Runs a sweep's workloads on worker threads, a few at a time, and hands back the reports in the
 * order of the jobs (whichever thread finishes first). A failed run stops the sweep.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { NumasimError, type Report, type WorkloadConfig } from '@numasim/shared';
import { CliErrors } from '../errors.js';
import type { SweepJob, SweepWorkerMessage } from './run-worker.js';

// The compiled worker, found from the package root so this works from src/ (tests) and dist/.
const WORKER_FILE = fileURLToPath(new URL('../../dist/sweep/run-worker.js', import.meta.url));

export interface PoolOptions {
  threads: number;
  /** Called as runs advance: finished runs plus the fractions of those under way, over all runs. */
  onProgress?: (runsDone: number, fraction: number) => void;
  /** Names a job in an error message. */
  describe: (index: number) => string;
  /** Debug runs (RunOptions.debug), told to each thread with its job. */
  debug?: boolean;
}

export async function runOnWorkers(configs: readonly WorkloadConfig[], options: PoolOptions): Promise<Report[]> {
  const reports: Report[] = new Array(configs.length);
  const partial = new Map<number, number>();
  const debug = options.debug ?? false;
  let next = 0;
  let done = 0;
  const workers: Worker[] = [];
  const report = () => {
    let f = done;
    for (const v of partial.values()) f += v;
    options.onProgress?.(done, configs.length === 0 ? 1 : f / configs.length);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      if (configs.length === 0) return resolve();
      const feed = (w: Worker) => {
        if (next < configs.length) {
          partial.set(next, 0);
          w.postMessage({ index: next, config: configs[next], debug } satisfies SweepJob);
          next++;
        }
      };
      const threads = Math.max(1, Math.min(options.threads, configs.length));
      for (let i = 0; i < threads; i++) {
        const w = new Worker(WORKER_FILE);
        workers.push(w);
        w.on('message', (m: SweepWorkerMessage) => {
          if (m.type === 'progress') {
            partial.set(m.index, Math.min(1, m.fraction));
            report();
          } else if (m.type === 'done') {
            reports[m.index] = m.report as Report;
            partial.delete(m.index);
            done++;
            report();
            if (done === configs.length) resolve();
            else feed(w);
          } else {
            reject(new NumasimError(CliErrors.SWEEP_RUN_FAILED, `sweep: run ${options.describe(m.index)} failed: ${m.code ? `${m.code}: ` : ''}${m.message}`));
          }
        });
        w.on('error', (e) => reject(new NumasimError(CliErrors.SWEEP_RUN_FAILED, `sweep: a worker thread stopped: ${e.message}`)));
        w.on('exit', (code) => {
          if (done < configs.length) reject(new NumasimError(CliErrors.SWEEP_RUN_FAILED, `sweep: a worker thread exited (code ${code}) before the sweep finished`));
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return reports;
}
