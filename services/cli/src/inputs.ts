/** Reading what the commands are given: a workload file or preset name, a JSON document. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { findPreset, NumasimError } from '@numasim/shared';
import { CliErrors } from './errors.js';

export function readJsonFile(command: string, file: string, what = 'workload'): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NumasimError(CliErrors.INPUT_NOT_FOUND, `${command}: cannot read ${file}: ${code ?? (e as Error).message}`, [{ path: what, reason: `cannot read ${file}` }]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new NumasimError(CliErrors.INPUT_NOT_JSON, `${command}: ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** A workload document from a file, or a preset's by name; `preset` is set when it came from one. */
export function loadWorkloadInput(command: string, arg: string): { doc: unknown; preset: string | null } {
  if (existsSync(arg)) return { doc: readJsonFile(command, arg), preset: null };
  const preset = findPreset(arg);
  if (preset) return { doc: preset.workload, preset: preset.name };
  throw new NumasimError(CliErrors.INPUT_NOT_FOUND, `${command}: no file or preset named ${JSON.stringify(arg)} (numasim presets lists the presets)`, [
    { path: 'workload', reason: `no file or preset named ${JSON.stringify(arg)}` },
  ]);
}

export function writeOutput(command: string, file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new NumasimError(CliErrors.OUTPUT_FAILED, `${command}: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, [{ path: 'out', reason: `cannot write ${file}` }]);
  }
}

/** A flag whose value must be one of a list: NUMASIM_ERR_CLI_USAGE naming the flag and the choices. */
export function choiceOption<T extends string>(command: string, name: string, raw: string | undefined, choices: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new NumasimError(CliErrors.USAGE, `${command}: --${name} must be one of ${choices.join(', ')} (got ${JSON.stringify(raw)})`, [
      { path: name, reason: `must be one of ${choices.join(', ')}` },
    ]);
  }
  return raw as T;
}
