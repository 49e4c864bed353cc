/** The worker package's error catalogue: runs that fail on the way, whoever executes them, and bad settings. */
import type { ErrorSpec } from '@numasim/shared';

export const WorkerErrors = {
  CONFIG_INVALID: {
    code: 'NUMASIM_ERR_CONFIG_INVALID',
    status: 500,
    user: true,
    summary: 'An environment variable of the service or of `numasim worker` has a bad value; start-up stops and names it.',
  },
  RUN_TIMEOUT: {
    code: 'NUMASIM_ERR_RUN_TIMEOUT',
    status: 400,
    user: true,
    summary: 'The run took longer in wall-clock time than the service allows a run (NUMASIM_RUN_TIMEOUT_MS).',
  },
  RUN_WORKER_FAILED: {
    code: 'NUMASIM_ERR_RUN_WORKER_FAILED',
    status: 500,
    user: false,
    summary: 'The worker thread running the simulation failed (out of memory, crashed); the message says why.',
  },
} as const satisfies Record<string, ErrorSpec>;
