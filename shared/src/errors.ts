/**
 * Errors every numasim package throws, and this package's own catalogue.
 *
 * Each package keeps one catalogue of codes (`NUMASIM_ERR_<AREA>_<WHAT>`); a code is never
 * reused for another meaning. docs/ERRORS.md lists every code and a test keeps the two equal.
 * A `NumasimError` carries what a user needs to fix the problem: the code, the HTTP status an
 * API would answer with, and, for bad input, the offending fields with a reason each.
 */

/** One problem with one field of the input, e.g. `{ path: "cpusPerNode", reason: "must be at most 64 (got 100)" }`. */
export interface FieldIssue {
  /** Dotted path of the field, `""` for the whole document. */
  readonly path: string;
  readonly reason: string;
}

export interface ErrorSpec {
  readonly code: string;
  /** HTTP status an API answers with. */
  readonly status: number;
  /** True when the error is the user's to fix (bad input); false for a fault of the software or machine. */
  readonly user: boolean;
  /** One sentence for the documentation table. */
  readonly summary: string;
}

export class NumasimError extends Error {
  readonly code: string;
  readonly status: number;
  readonly user: boolean;
  readonly issues: readonly FieldIssue[];

  constructor(spec: ErrorSpec, message: string, issues: readonly FieldIssue[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NumasimError';
    this.code = spec.code;
    this.status = spec.status;
    this.user = spec.user;
    this.issues = issues;
  }

  /** The plain-data form an API puts in a response body. */
  toJSON(): { code: string; message: string; issues?: FieldIssue[] } {
    return this.issues.length > 0
      ? { code: this.code, message: this.message, issues: [...this.issues] }
      : { code: this.code, message: this.message };
  }
}

export function isNumasimError(e: unknown): e is NumasimError {
  return e instanceof NumasimError;
}

/** Builds a message naming each field and its reason, on one line. */
export function describeIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => (i.path === '' ? i.reason : `${i.path}: ${i.reason}`)).join('; ');
}

/** Codes of the shared package: problems with a workload, a preset or an override. */
export const SharedErrors = {
  WORKLOAD_INVALID: {
    code: 'NUMASIM_ERR_WORKLOAD_INVALID',
    status: 400,
    user: true,
    summary: 'The workload does not match its schema: a field is missing, unknown, of the wrong type or out of range.',
  },
  WORKLOAD_INCONSISTENT: {
    code: 'NUMASIM_ERR_WORKLOAD_INCONSISTENT',
    status: 400,
    user: true,
    summary: 'Each field is valid alone but some fields contradict each other (e.g. a distance matrix of the wrong size).',
  },
  WORKLOAD_KIND_UNKNOWN: {
    code: 'NUMASIM_ERR_WORKLOAD_KIND_UNKNOWN',
    status: 400,
    user: true,
    summary: 'The workload names a kind the simulator does not have.',
  },
  PRESET_UNKNOWN: {
    code: 'NUMASIM_ERR_PRESET_UNKNOWN',
    status: 404,
    user: true,
    summary: 'No built-in preset has that name.',
  },
  SET_SYNTAX: {
    code: 'NUMASIM_ERR_SET_SYNTAX',
    status: 400,
    user: true,
    summary: 'An override is not of the form path=value.',
  },
  SET_PATH_INVALID: {
    code: 'NUMASIM_ERR_SET_PATH_INVALID',
    status: 400,
    user: true,
    summary: 'An override path is malformed, crosses a value that is not an object, or uses a reserved name such as __proto__.',
  },
  WORKLOAD_ZERO_TIME: {
    code: 'NUMASIM_ERR_WORKLOAD_ZERO_TIME',
    status: 400,
    user: true,
    summary: 'Simulated time could never advance: every duration the workload\'s loop spends time in is zero (a lockbench with zero think, hold and same-node hand-off times). `issues` names the fields; make one of them non-zero.',
  },
} as const satisfies Record<string, ErrorSpec>;
