/**
 * The control plane's error catalogue: what the HTTP API answers when a request cannot be served.
 * Runs that fail while executing, and bad settings, have the worker package's codes (@numasim/worker).
 */
import type { ErrorSpec } from '@numasim/shared';

export const ApiErrors = {
  BODY_MALFORMED: {
    code: 'NUMASIM_ERR_API_BODY_MALFORMED',
    status: 400,
    user: true,
    summary: 'The request body is not valid JSON (or is empty).',
  },
  BODY_INVALID: {
    code: 'NUMASIM_ERR_API_BODY_INVALID',
    status: 400,
    user: true,
    summary: 'The request body, query or headers do not match the endpoint\'s schema; `issues` lists the offending paths.',
  },
  BODY_TOO_LARGE: {
    code: 'NUMASIM_ERR_API_BODY_TOO_LARGE',
    status: 413,
    user: true,
    summary: 'The request body is larger than the service accepts.',
  },
  CONTENT_TYPE_UNSUPPORTED: {
    code: 'NUMASIM_ERR_API_CONTENT_TYPE_UNSUPPORTED',
    status: 415,
    user: true,
    summary: 'The request body is not application/json.',
  },
  URL_INVALID: {
    code: 'NUMASIM_ERR_API_URL_INVALID',
    status: 400,
    user: true,
    summary: 'The URL cannot be routed: malformed percent-encoding, or a path segment longer than the service accepts.',
  },
  NOT_FOUND: {
    code: 'NUMASIM_ERR_API_NOT_FOUND',
    status: 404,
    user: true,
    summary: 'No such endpoint.',
  },
  RUN_NOT_FOUND: {
    code: 'NUMASIM_ERR_API_RUN_NOT_FOUND',
    status: 404,
    user: true,
    summary: 'No run has that id.',
  },
  SWEEP_NOT_FOUND: {
    code: 'NUMASIM_ERR_API_SWEEP_NOT_FOUND',
    status: 404,
    user: true,
    summary: 'No sweep has that id.',
  },
  RUN_STATE_CONFLICT: {
    code: 'NUMASIM_ERR_API_RUN_STATE_CONFLICT',
    status: 409,
    user: true,
    summary: 'The run is not in a state that allows this (e.g. deleting a run that has not finished, fetching the report of a run that has none).',
  },
  IDEMPOTENCY_MISMATCH: {
    code: 'NUMASIM_ERR_API_IDEMPOTENCY_MISMATCH',
    status: 422,
    user: true,
    summary: 'The Idempotency-Key was used before with a different request body.',
  },
  LIMIT_EXCEEDED: {
    code: 'NUMASIM_ERR_API_LIMIT_EXCEEDED',
    status: 400,
    user: true,
    summary: 'The workload asks for more than the service\'s per-run limits allow (simulated time, nodes, CPUs, sweep size); the message names the limit.',
  },
  QUEUE_FULL: {
    code: 'NUMASIM_ERR_API_QUEUE_FULL',
    status: 429,
    user: true,
    summary: 'The run queue is full; retry after the number of seconds in Retry-After.',
  },
  UNAUTHORIZED: {
    code: 'NUMASIM_ERR_API_UNAUTHORIZED',
    status: 401,
    user: true,
    summary: 'This endpoint needs `Authorization: Bearer <token>` with the service\'s API token.',
  },
  OVERLOADED: {
    code: 'NUMASIM_ERR_API_OVERLOADED',
    status: 503,
    user: false,
    summary: 'The service is under pressure (event-loop lag or memory) or shutting down; retry after Retry-After.',
  },
  STORE_UNAVAILABLE: {
    code: 'NUMASIM_ERR_API_STORE_UNAVAILABLE',
    status: 503,
    user: false,
    summary: 'The run store could not be written (disk full, read-only); nothing was accepted.',
  },
  INTERNAL: {
    code: 'NUMASIM_ERR_API_INTERNAL',
    status: 500,
    user: false,
    summary: 'An unexpected fault in the service; the log has the details under the request id.',
  },
  METRIC_UNKNOWN: {
    code: 'NUMASIM_ERR_API_METRIC_UNKNOWN',
    status: 400,
    user: true,
    summary: 'A metric of compare or plot names no number in the runs\' reports (misspelt, or a text field); the message names it and the nearest paths that are numbers.',
  },
  BODY_FORBIDDEN_KEY: {
    code: 'NUMASIM_ERR_API_BODY_FORBIDDEN_KEY',
    status: 400,
    user: true,
    summary: 'The request body has a key named __proto__, constructor or prototype, which no numasim input uses; the message gives its path.',
  },
  SHUTTING_DOWN: {
    code: 'NUMASIM_ERR_API_SHUTTING_DOWN',
    status: 503,
    user: false,
    summary: 'The service is shutting down and accepts no new runs.',
  },
} as const satisfies Record<string, ErrorSpec>;
