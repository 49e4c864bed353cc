/** `numasim run FILE|PRESET`: resolve a workload, simulate it, print the report. */
import { formatLockTable, LOCK_TABLE_FORMATS, NumasimError, overridesRecord, resolveWorkload, workloadSummaryLines, type Report } from '@numasim/shared';
import { closeDefaultNodePool, runWorkloadPlaced } from '@numasim/node-sim';
import { parseArgs } from 'node:util';
import { numberOption, parse } from '../args.js';
import { CliErrors } from '../errors.js';
import { choiceOption, loadWorkloadInput, writeOutput } from '../inputs.js';
import { progressBar, progressDetail } from '../progress.js';
import type { Io } from '../io.js';

export const RUN_USAGE = `usage: numasim run FILE|PRESET [--seed N] [--set path=value ...] [--json] [--out FILE]
                   [--format lockmeter|lock_stat|perf-lock|perf-cycles|csv|json] [--top N] [--lock TEXT]
                   [--instances] [--field-separator SEP]

  FILE|PRESET       a workload JSON file, or the name of a preset (numasim presets)
  --seed N          the seed of every random stream (same as --set seed=N)
  --set path=value  override a field of the workload: --set cpusPerNode=16, --set thinkNs.mean=3000
  --json            print the report as one JSON document instead of the lockmeter table
  --out FILE        also write the JSON report to FILE
  --format F        the lock table as lockmeter (default, with the workload's figures), lock_stat
                    (/proc/lock_stat), perf-lock (perf lock contention), perf-cycles (% of CPU
                    cycles spinning per lock and call path), csv or json
  --top N           only the N locks with the most contentions
  --lock TEXT       only locks whose name or class contains TEXT
  --instances       one row per lock instance (mm->page_table_lock[cpu3]) instead of per class
  --field-separator SEP   with --format perf-lock: perf's -x form, fields split by SEP, times in ns`;

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('run', () => parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
    seed: { type: 'string' },
    set: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    out: { type: 'string' },
    format: { type: 'string' },
    top: { type: 'string' },
    lock: { type: 'string' },
    instances: { type: 'boolean' },
    'field-separator': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } }));
  if (values.help) {
    io.stdout(`${RUN_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new NumasimError(CliErrors.USAGE, `run: expected one workload file or preset name (got ${positionals.length})\n${RUN_USAGE}`);
  const overrides = [...(values.set ?? [])];
  if (values.seed !== undefined) overrides.push(`seed=${numberOption('run', 'seed', values.seed, 0, 0, Number.MAX_SAFE_INTEGER, true)}`);
  const format = choiceOption('run', 'format', values.format, LOCK_TABLE_FORMATS, 'lockmeter');
  if (values.json && values.format !== undefined) {
    throw new NumasimError(CliErrors.USAGE, 'run: --json prints the whole report; give either --json or --format', [{ path: 'format', reason: 'not with --json' }]);
  }
  const separator = values['field-separator'];
  if (separator !== undefined && (format !== 'perf-lock' || separator.length === 0)) {
    throw new NumasimError(CliErrors.USAGE, 'run: --field-separator takes a non-empty separator and goes with --format perf-lock', [{ path: 'field-separator', reason: 'only with --format perf-lock, not empty' }]);
  }
  const top = values.top === undefined ? undefined : numberOption('run', 'top', values.top, 0, 1, 1_000_000, true);
  const input = loadWorkloadInput('run', positionals[0]);
  const config = resolveWorkload(input.doc, overrides);
  const bar = progressBar(io.stderrStream, config.kind);
  // placement (inline, threads, packed:K, auto) changes where the nodes run, never the report.
  let report;
  try {
    ({ report } = await runWorkloadPlaced(config, {
      debug: process.env.NUMASIM_DEBUG === '1', // the one place `numasim run` reads it; the model reads no environment
      onProgress: (p) => bar.update(p.progress.fraction, progressDetail(p)),
    }));
  } finally {
    await closeDefaultNodePool(); // idle node workers must not keep the command alive
  }
  bar.done();
  // Where the run came from, outside the engine's report (the service adds the same).
  const printed = { ...report, origin: { preset: input.preset, overrides: overridesRecord(overrides), label: null } };
  const json = `${JSON.stringify(printed, null, 2)}\n`;
  if (values.out !== undefined) writeOutput('run', values.out, json);
  if (values.json) {
    io.stdout(json);
    return 0;
  }
  const table = formatLockTable(report, { format, top, lock: values.lock, instances: values.instances, fieldSeparator: separator });
  // The default view keeps the run's heading and the workload's own figures under the table.
  io.stdout(values.format === undefined ? `${runHeading(report)}\n${table}${workloadSummaryLines(report).join('\n')}\n` : table);
  return 0;
}

function runHeading(r: Report): string {
  return `numasim ${r.engine.version}  ${r.run.kind}  seed ${r.run.seed}  config ${r.run.configHash.slice(0, 12)}  ${r.machine.nodes} node(s) × ${r.machine.cpus / r.machine.nodes} CPUs\n` +
    `simulated ${(r.run.simulatedNs / 1e9).toFixed(6)} s (last event ${(r.run.lastEventNs / 1e9).toFixed(6)} s), ` +
    `${r.engine.events} events in ${r.engine.wallSeconds.toFixed(2)} s wall (${(r.engine.eventsPerSecond / 1e6).toFixed(2)} M events/s)\n`;
}
