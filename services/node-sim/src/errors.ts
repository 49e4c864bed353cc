/**
 * The engine's error catalogue. These are faults of a model or of a run, not of user input
 * (input is checked by @numasim/shared before a run starts), except where `user` says so.
 */
import { NumasimError, type ErrorSpec } from '@numasim/shared';

export const EngineErrors = {
  LOOKAHEAD_VIOLATION: {
    code: 'NUMASIM_ERR_ENGINE_LOOKAHEAD_VIOLATION',
    status: 500,
    user: false,
    summary: 'A logical process sent an event to another one sooner than the lookahead allows: a bug in the model.',
  },
  TIME_INVALID: {
    code: 'NUMASIM_ERR_ENGINE_TIME_INVALID',
    status: 500,
    user: false,
    summary: 'An event was scheduled with a negative or fractional delay: a bug in the model.',
  },
  LP_INVALID: {
    code: 'NUMASIM_ERR_ENGINE_LP_INVALID',
    status: 500,
    user: false,
    summary: 'An event names a logical process that does not exist, or LPs were added after the run started.',
  },
  INVARIANT: {
    code: 'NUMASIM_ERR_ENGINE_INVARIANT',
    status: 500,
    user: false,
    summary: 'A model invariant failed (the simulator\'s BUG_ON): a bug in the model.',
  },
  EVENT_BUDGET_EXCEEDED: {
    code: 'NUMASIM_ERR_RUN_LIMIT_EXCEEDED',
    status: 400,
    user: true,
    summary: 'The run needed more events than its budget allows; shorten durationNs or raise the limit.',
  },
  NODE_FAILED: {
    code: 'NUMASIM_ERR_RUN_NODE_FAILED',
    status: 500,
    user: false,
    summary: 'A worker thread of a parallel run (placement threads or packed:K) threw or ran out of memory; the message names its nodes and the cause. The run\'s other workers were stopped.',
  },
  NODE_THREADS: {
    code: 'NUMASIM_ERR_RUN_PLACEMENT_THREADS',
    status: 400,
    user: true,
    summary: 'The placement asks for more worker threads at once than the node pool has; use packed:K with a smaller K.',
  },
  TIME_STANDS_STILL: {
    code: 'NUMASIM_ERR_RUN_TIME_STANDS_STILL',
    status: 400,
    user: true,
    summary:
      'Simulated time stood still: two million events in a row happened at one simulated instant, so the run could never end. The workload gives zero durations where time must pass (think, hold, hand-off or cost times); the message names the instant.',
  },
  CANCELLED: {
    code: 'NUMASIM_ERR_RUN_CANCELLED',
    status: 409,
    user: true,
    summary: 'The run was cancelled before it finished.',
  },
} as const satisfies Record<string, ErrorSpec>;

/** The simulator's BUG_ON: throws when `condition` is false. For checks off the hot path. */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) bug(message);
}

/**
 * The simulator's BUG(): `if (broken) bug(\`…\`)`. Hot-path checks use this form so that the
 * message, a template string, is built only when the check fails: as an argument of `invariant`
 * it would be built on every call until V8 optimizes the caller, and the first simulated second
 * runs mostly unoptimized code (docs/PERFORMANCE.md).
 */
export function bug(message: string): never {
  throw new NumasimError(EngineErrors.INVARIANT, `invariant failed: ${message}`);
}
