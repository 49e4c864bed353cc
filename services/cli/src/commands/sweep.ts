/**
 * `numasim sweep`: a grid of runs without the service. Grid expansion and replicate seeds are the
 * control plane's (both come from @numasim/shared), so the same sweep gives the same reports on
 * either; the runs go to worker threads on this machine.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import {
  gridPoints, gridSize, metricValue, NumasimError, parseSetOverride, parseSetPath, parseSetValue, replicateSeed, resolveWorkload,
  SWEEP_FILE_KIND, SWEEP_FILE_VERSION, type Grid, type Report, type SetOverride, type SweepFile, type WorkloadConfig,
} from '@numasim/shared';
import { numberOption, parse } from '../args.js';
import { CliErrors } from '../errors.js';
import { loadWorkloadInput, writeOutput } from '../inputs.js';
import { progressBar } from '../progress.js';
import { runOnWorkers } from '../sweep/pool.js';
import type { Io } from '../io.js';

export const SWEEP_USAGE = `usage: numasim sweep FILE|PRESET --grid key=v1,v2[,...] [--grid ...] [--replicates N]
                     [--set path=value ...] [--threads N] --out sweep.json

  --grid key=v1,v2   a workload field and the values to try (each read like --set's: 4, true, tas);
                     several --grid flags give every combination
  --replicates N     runs per combination, 1 to 100 (default 1); replicate 0 keeps the seed,
                     the others get seeds derived from it
  --set path=value   an override applied to every run
  --threads N        worker threads (default: the machine's cores, at most the number of runs)
  --out FILE         where to write the sweep (every run's parameters, seed and report);
                     read it with numasim compare and numasim plot`;

/** At most this many runs in one sweep: a typo in a grid should not start ten thousand runs. */
export const MAX_SWEEP_RUNS = 1000;

/** The grid as typed: each value as text, read as --set reads it once the workload's schema is known. */
function parseGrid(flags: readonly string[]): Record<string, string[]> {
  const grid: Record<string, string[]> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const key = eq > 0 ? flag.slice(0, eq).trim() : '';
    const values = eq > 0 ? flag.slice(eq + 1).split(',').map((v) => v.trim()) : [];
    if (key === '' || values.length === 0 || values.some((v) => v === '')) {
      throw new NumasimError(CliErrors.USAGE, `sweep: --grid ${JSON.stringify(flag)}: expected key=value1,value2,... with no empty value`, [
        { path: 'grid', reason: 'expected key=value1,value2,...' },
      ]);
    }
    parseSetPath(key);
    if (key in grid) throw new NumasimError(CliErrors.USAGE, `sweep: --grid ${key} is given twice; list all its values in one flag`, [{ path: `grid.${key}`, reason: 'given twice' }]);
    if (key === 'seed' || key === 'replicate') throw new NumasimError(CliErrors.USAGE, `sweep: --grid ${key}: use --replicates N for runs with different seeds`, [{ path: `grid.${key}`, reason: 'use --replicates' }]);
    grid[key] = values;
  }
  return grid;
}

/** Where a sweep's run came from, as `numasim run` and the service record it: the base and every override. */
function withOrigin(report: Report, preset: string | null, sets: readonly SetOverride[], grid: Grid, params: Record<string, unknown>): Report {
  const overrides = { ...Object.fromEntries(sets.map((s) => [s.path, s.value])), ...Object.fromEntries(Object.keys(grid).map((k) => [k, params[k]])) };
  return { ...report, origin: { preset, overrides, label: null } } as Report;
}

export async function sweepCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('sweep', () => parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
    grid: { type: 'string', multiple: true },
    replicates: { type: 'string' },
    set: { type: 'string', multiple: true },
    threads: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } }));
  if (values.help) {
    io.stdout(`${SWEEP_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new NumasimError(CliErrors.USAGE, `sweep: expected one workload file or preset name (got ${positionals.length})\n${SWEEP_USAGE}`);
  if (values.out === undefined) throw new NumasimError(CliErrors.USAGE, 'sweep: --out FILE is required (the sweep file that compare and plot read)', [{ path: 'out', reason: 'required' }]);
  if (!values.grid || values.grid.length === 0) throw new NumasimError(CliErrors.USAGE, 'sweep: at least one --grid key=v1,v2 is required', [{ path: 'grid', reason: 'required' }]);
  const rawGrid = parseGrid(values.grid);
  const replicates = numberOption('sweep', 'replicates', values.replicates, 1, 1, 100, true);
  const threads = numberOption('sweep', 'threads', values.threads, availableParallelism(), 1, 256, true);
  const size = gridSize(rawGrid, replicates);
  if (size > MAX_SWEEP_RUNS) {
    throw new NumasimError(CliErrors.USAGE, `sweep: the grid has ${size} runs; at most ${MAX_SWEEP_RUNS} are allowed`, [{ path: 'grid', reason: `${size} runs, at most ${MAX_SWEEP_RUNS}` }]);
  }
  const input = loadWorkloadInput('sweep', positionals[0]);
  const sets: SetOverride[] = (values.set ?? []).map(parseSetOverride);
  const base = resolveWorkload(input.doc, sets);
  const keys = Object.keys(rawGrid);
  const rawPoints = gridPoints(rawGrid, replicates);
  // A grid value is read like a --set value against the schema (`lru=2.4` is the string "2.4");
  // the sweep file records it as the resolved workload holds it.
  const typed = new Map<string, unknown>();
  // Every point is resolved before any runs, so a bad value fails at once, naming its point.
  const configs: WorkloadConfig[] = rawPoints.map((p) => {
    const gridSets = keys.map((k) => parseSetOverride(`${k}=${String(p.params[k])}`));
    try {
      const config = resolveWorkload(input.doc, [...sets, ...gridSets, { path: 'seed', segments: ['seed'], value: replicateSeed(base.seed, p.replicate) }]);
      for (const k of keys) {
        const resolved = metricValue(config, k);
        typed.set(`${k}=${String(p.params[k])}`, resolved ?? parseSetValue(String(p.params[k])));
      }
      return config;
    } catch (e) {
      if (e instanceof NumasimError) throw new NumasimError({ code: e.code, status: e.status, user: e.user, summary: '' }, `sweep point ${keys.map((k) => `${k}=${String(p.params[k])}`).join(' ')}: ${e.message}`, e.issues);
      throw e;
    }
  });
  const typedOf = (k: string, raw: unknown) => typed.get(`${k}=${String(raw)}`);
  const grid: Grid = Object.fromEntries(keys.map((k) => [k, rawGrid[k].map((raw) => typedOf(k, raw))]));
  const points = rawPoints.map((p) => ({ ...p, params: { ...Object.fromEntries(keys.map((k) => [k, typedOf(k, p.params[k])])), replicate: p.replicate } }));
  const bar = progressBar(io.stderrStream, 'sweep');
  const reports = await runOnWorkers(configs, {
    debug: process.env.NUMASIM_DEBUG === '1',
    threads,
    describe: (i) => JSON.stringify(points[i].params),
    onProgress: (done, fraction) => bar.update(fraction, `${done}/${configs.length} runs`),
  });
  bar.done();
  const sweep: SweepFile = {
    kind: SWEEP_FILE_KIND,
    schemaVersion: SWEEP_FILE_VERSION,
    base: { input: positionals[0], preset: input.preset, set: values.set ?? [] },
    grid,
    replicates,
    runs: points.map((p, i) => ({ params: p.params, seed: configs[i].seed, report: withOrigin(reports[i], input.preset, sets, grid, p.params) })),
  };
  writeOutput('sweep', values.out, `${JSON.stringify(sweep)}\n`);
  io.stderr(`sweep: ${configs.length} runs (${Object.entries(grid).map(([k, v]) => `${k} × ${v.length}`).join(', ')}, ${replicates} replicate(s)) written to ${values.out}\n`);
  return 0;
}
