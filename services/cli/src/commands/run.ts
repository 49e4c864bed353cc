/** `numasim run FILE|PRESET`: resolve a workload, simulate it, print the report. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { findPreset, NumasimError, renderLockmeterText, resolveWorkload } from '@numasim/shared';
import { closeDefaultNodePool, runWorkloadPlaced } from '@numasim/node-sim';
import { parseArgs } from 'node:util';
import { numberOption, parse } from '../args.js';
import { CliErrors } from '../errors.js';
import { progressBar, progressDetail } from '../progress.js';
import type { Io } from '../io.js';

export const RUN_USAGE = `usage: numasim run FILE|PRESET [--seed N] [--set path=value ...] [--json] [--out FILE]

  FILE|PRESET       a workload JSON file, or the name of a preset (numasim presets)
  --seed N          the seed of every random stream (same as --set seed=N)
  --set path=value  override a field of the workload: --set cpusPerNode=16, --set thinkNs.mean=3000
  --json            print the report as one JSON document instead of the lockmeter table
  --out FILE        also write the JSON report to FILE`;

function loadInput(arg: string): unknown {
  if (existsSync(arg)) {
    let text: string;
    try {
      text = readFileSync(arg, 'utf8');
    } catch (e) {
      throw new NumasimError(CliErrors.INPUT_NOT_FOUND, `run: cannot read ${arg}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new NumasimError(CliErrors.INPUT_NOT_JSON, `run: ${arg} is not valid JSON: ${(e as Error).message}`);
    }
  }
  const preset = findPreset(arg);
  if (preset) return preset.workload;
  throw new NumasimError(CliErrors.INPUT_NOT_FOUND, `run: no file or preset named ${JSON.stringify(arg)} (numasim presets lists the presets)`, [
    { path: 'workload', reason: `no file or preset named ${JSON.stringify(arg)}` },
  ]);
}

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('run', () => parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
    seed: { type: 'string' },
    set: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } }));
  if (values.help) {
    io.stdout(`${RUN_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new NumasimError(CliErrors.USAGE, `run: expected one workload file or preset name (got ${positionals.length})\n${RUN_USAGE}`);
  const overrides = [...(values.set ?? [])];
  if (values.seed !== undefined) overrides.push(`seed=${numberOption('run', 'seed', values.seed, 0, 0, Number.MAX_SAFE_INTEGER, true)}`);
  const config = resolveWorkload(loadInput(positionals[0]), overrides);
  const bar = progressBar(io.stderrStream, config.kind);
  // placement (inline, threads, packed:K, auto) changes where the nodes run, never the report.
  let report;
  try {
    ({ report } = await runWorkloadPlaced(config, {
      onProgress: (p) => bar.update(p.progress.fraction, progressDetail(p)),
    }));
  } finally {
    await closeDefaultNodePool(); // idle node workers must not keep the command alive
  }
  bar.done();
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (values.out !== undefined) {
    try {
      writeFileSync(values.out, json);
    } catch (e) {
      throw new NumasimError(CliErrors.OUTPUT_FAILED, `run: cannot write ${values.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  io.stdout(values.json ? json : renderLockmeterText(report));
  return 0;
}
