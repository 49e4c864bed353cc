/** The CLI's error catalogue: problems with the command line and the files it names. */
import type { ErrorSpec } from '@numasim/shared';

export const CliErrors = {
  USAGE: {
    code: 'NUMASIM_ERR_CLI_USAGE',
    status: 400,
    user: true,
    summary: 'The command line is not understood: an unknown command or option, a missing argument, or an option value of the wrong form.',
  },
  INPUT_NOT_FOUND: {
    code: 'NUMASIM_ERR_CLI_INPUT_NOT_FOUND',
    status: 404,
    user: true,
    summary: 'The workload argument is neither a readable file nor the name of a preset.',
  },
  INPUT_NOT_JSON: {
    code: 'NUMASIM_ERR_CLI_INPUT_NOT_JSON',
    status: 400,
    user: true,
    summary: 'The workload file is not valid JSON.',
  },
  OUTPUT_FAILED: {
    code: 'NUMASIM_ERR_CLI_OUTPUT_FAILED',
    status: 500,
    user: true,
    summary: 'The report could not be written to the file named by --out.',
  },
  INPUT_NOT_SWEEP: {
    code: 'NUMASIM_ERR_CLI_INPUT_NOT_SWEEP',
    status: 400,
    user: true,
    summary: 'A file given to compare or plot is neither a sweep file written by numasim sweep nor a report written by numasim run --json.',
  },
  METRIC_NOT_FOUND: {
    code: 'NUMASIM_ERR_CLI_METRIC_NOT_FOUND',
    status: 400,
    user: true,
    summary: 'No run has a number at the metric path given to --metric or --metrics (a misspelt lock or field name).',
  },
  PARAMETER_NOT_FOUND: {
    code: 'NUMASIM_ERR_CLI_PARAMETER_NOT_FOUND',
    status: 400,
    user: true,
    summary: 'The parameter given to --by, --x or --series is not one the sweep varied, or --baseline names a value it did not take.',
  },
  SWEEP_RUN_FAILED: {
    code: 'NUMASIM_ERR_CLI_SWEEP_RUN_FAILED',
    status: 500,
    user: true,
    summary: 'A run of the sweep stopped with an error; the message names the grid point and the cause.',
  },
} as const satisfies Record<string, ErrorSpec>;
