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
} as const satisfies Record<string, ErrorSpec>;
