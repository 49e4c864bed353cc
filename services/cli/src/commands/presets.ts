/** `numasim presets`: the built-in workloads, one line each. */
import { NumasimError, PRESETS } from '@numasim/shared';
import { parseArgs } from 'node:util';
import { parse } from '../args.js';
import { CliErrors } from '../errors.js';
import type { Io } from '../io.js';

export function presetsCommand(argv: string[], io: Io): number {
  const { values, positionals } = parse('presets', () => parseArgs({ args: argv, allowPositionals: true, strict: true, options: { json: { type: 'boolean' } } }));
  if (positionals.length > 0) throw new NumasimError(CliErrors.USAGE, `presets: takes no arguments (got ${positionals.join(' ')})`);
  if (values.json) {
    io.stdout(`${JSON.stringify(PRESETS, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...PRESETS.map((p) => p.name.length));
  io.stdout(PRESETS.map((p) => `${p.name.padEnd(width)}  ${p.summary}\n`).join(''));
  return 0;
}
