/** Command-line parsing on node:util's parseArgs, with errors a user can act on. */
import { NumasimError } from '@numasim/shared';
import { CliErrors } from './errors.js';

/** Runs node:util's parseArgs in strict mode, turning its errors into NUMASIM_ERR_CLI_USAGE. */
export function parse<R>(command: string, run: () => R): R {
  try {
    return run();
  } catch (e) {
    const message = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new NumasimError(CliErrors.USAGE, `${command}: ${message}`);
  }
}

/** A number option: present, finite, and within [min, max]. */
export function numberOption(command: string, name: string, raw: string | undefined, fallback: number, min: number, max: number, integer = false): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  const kind = integer ? 'a whole number' : 'a number';
  if (raw.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    throw new NumasimError(CliErrors.USAGE, `${command}: --${name} must be ${kind} from ${min} to ${max} (got ${JSON.stringify(raw)})`, [
      { path: name, reason: `must be ${kind} from ${min} to ${max}` },
    ]);
  }
  return v;
}
