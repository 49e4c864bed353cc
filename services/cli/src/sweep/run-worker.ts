/** A worker thread of `numasim sweep`: runs the workloads it is sent, one at a time, inline. */
import { parentPort } from 'node:worker_threads';
import { runWorkload } from '@numasim/node-sim';
import { isNumasimError, type WorkloadConfig } from '@numasim/shared';

export interface SweepJob {
  index: number;
  config: WorkloadConfig;
  /** A debug run (NUMASIM_DEBUG, read by the sweep's main thread). */
  debug: boolean;
}

export type SweepWorkerMessage =
  | { type: 'progress'; index: number; fraction: number }
  | { type: 'done'; index: number; report: unknown }
  | { type: 'failed'; index: number; code: string | null; message: string };

const port = parentPort;
if (port) {
  port.on('message', (job: SweepJob) => {
    try {
      const report = runWorkload(job.config, {
        debug: job.debug,
        onProgress: (p) => port.postMessage({ type: 'progress', index: job.index, fraction: p.simulatedNs / p.durationNs } satisfies SweepWorkerMessage),
      });
      port.postMessage({ type: 'done', index: job.index, report } satisfies SweepWorkerMessage);
    } catch (e) {
      port.postMessage({ type: 'failed', index: job.index, code: isNumasimError(e) ? e.code : null, message: (e as Error).message } satisfies SweepWorkerMessage);
    }
  });
}
