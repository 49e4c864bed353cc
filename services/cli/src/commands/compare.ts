/**
 * `numasim compare`: the runs of a sweep (or several reports) grouped by parameter, each metric's
 * mean ± stddev and CV per group, its change against a baseline group, and Welch's t-test.
 */
import { parseArgs } from 'node:util';
import { compareGroups, compareRowsToCsv, compareRowsToText, defaultMetrics, groupName, metricValue, NumasimError, type CompareGroup, type CompareRow } from '@numasim/shared';
import { numberOption, parse } from '../args.js';
import { CliErrors } from '../errors.js';
import { choiceOption } from '../inputs.js';
import { checkMetrics, loadRuns, paramValue, type LoadedRun } from '../sweep/runs.js';
import type { Io } from '../io.js';

export const COMPARE_USAGE = `usage: numasim compare SWEEP.json|REPORT.json ... [--by key] [--baseline value]
                       [--metrics m1,m2] [--alpha 0.05] [--format text|csv|json]

  --by key          the parameter compared (a grid key, or a workload field for reports);
                    the sweep's other parameters each get their own table
  --baseline value  the value of --by the others are measured against (default: the first)
  --metrics m1,m2   report paths, e.g. locks.bench_lock.conPercent,workload.operationsPerSecond
                    (default: each lock's CON, UTIL, mean wait and hold, and the throughput)
  --alpha p         significance level of Welch's t-test (default 0.05)
  --format F        text (a table for a mail), csv or json`;

const FORMATS = ['text', 'csv', 'json'] as const;

interface Slice {
  /** The values of the parameters not compared, e.g. `lock=tas`; empty when there are none. */
  name: string;
  groups: CompareGroup[];
}

function groupsOf(runs: readonly LoadedRun[], keys: readonly string[], metrics: readonly string[]): CompareGroup[] {
  const groups = new Map<string, { key: string; params: Record<string, unknown>; values: Record<string, number[]> }>();
  for (const run of runs) {
    const params = Object.fromEntries(keys.map((k) => [k, paramValue(run, k)]));
    const key = groupName(params, keys);
    const g = groups.get(key) ?? { key, params, values: Object.fromEntries(metrics.map((m) => [m, [] as number[]])) };
    groups.set(key, g);
    for (const m of metrics) {
      const v = metricValue(run.report, m);
      if (typeof v === 'number' && Number.isFinite(v)) g.values[m].push(v);
    }
  }
  return [...groups.values()];
}

export function compareCommand(argv: string[], io: Io): number {
  const { values, positionals } = parse('compare', () => parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
    by: { type: 'string' },
    baseline: { type: 'string' },
    metrics: { type: 'string' },
    alpha: { type: 'string' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } }));
  if (values.help) {
    io.stdout(`${COMPARE_USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new NumasimError(CliErrors.USAGE, `compare: expected a sweep file or report files\n${COMPARE_USAGE}`);
  const format = choiceOption('compare', 'format', values.format, FORMATS, 'text');
  const alpha = numberOption('compare', 'alpha', values.alpha, 0.05, 1e-6, 0.5);
  const { runs, sweeps, parameters } = loadRuns('compare', positionals);
  const metrics = values.metrics ? values.metrics.split(',').map((m) => m.trim()).filter(Boolean) : defaultMetrics(runs[0]?.report);
  checkMetrics('compare', 'metrics', runs, metrics, defaultMetrics(runs[0]?.report));

  const by = values.by;
  if (by !== undefined && sweeps.length > 0 && !parameters.includes(by)) {
    throw new NumasimError(CliErrors.PARAMETER_NOT_FOUND, `compare: --by ${by}: not a parameter of the sweep (${parameters.join(', ')})`, [{ path: 'by', reason: `must be one of ${parameters.join(', ')}` }]);
  }
  if (by !== undefined && sweeps.length === 0 && runs.some((r) => paramValue(r, by) === undefined)) {
    throw new NumasimError(CliErrors.PARAMETER_NOT_FOUND, `compare: --by ${by}: not a field of every report's workload (try a field such as cpusPerNode or lock)`, [{ path: 'by', reason: 'not a workload field of every report' }]);
  }
  const compared = by !== undefined ? [by] : parameters.length > 0 ? parameters : ['file'];
  const others = parameters.filter((k) => !compared.includes(k));
  const slices = new Map<string, LoadedRun[]>();
  for (const run of runs) {
    const name = groupName(Object.fromEntries(others.map((k) => [k, paramValue(run, k)])), others);
    slices.set(name, [...(slices.get(name) ?? []), run]);
  }
  const sliced: Slice[] = [...slices.entries()].map(([name, rs]) => ({ name, groups: groupsOf(rs, compared, metrics) }));

  const baselineOf = (groups: readonly CompareGroup[]): string => {
    if (values.baseline === undefined) return groups[0].key;
    const hit = groups.find((g) => g.key === values.baseline || (compared.length === 1 && String(g.params[compared[0]]) === values.baseline));
    if (!hit) {
      const allowed = groups.map((g) => (compared.length === 1 ? String(g.params[compared[0]]) : g.key));
      throw new NumasimError(CliErrors.PARAMETER_NOT_FOUND, `compare: --baseline ${values.baseline}: no group has it (values: ${allowed.join(', ')})`, [{ path: 'baseline', reason: `must be one of ${allowed.join(', ')}` }]);
    }
    return hit.key;
  };
  const tables = sliced.map((s) => {
    const baselineKey = baselineOf(s.groups);
    return { slice: s.name, baseline: baselineKey, rows: compareGroups({ groups: s.groups, baselineKey, alpha, metrics }) };
  });

  if (format === 'json') {
    io.stdout(`${JSON.stringify({ compared, alpha, tables }, null, 2)}\n`);
  } else if (format === 'csv') {
    const rows: CompareRow[] = tables.flatMap((t) => t.rows.map((r) => ({ ...r, params: { ...Object.fromEntries(others.map((k) => [k, paramValue(runsOfSlice(slices, t.slice)[0], k)])), ...r.params } })));
    io.stdout(compareRowsToCsv(rows));
  } else {
    const source = sweeps.length > 0 ? describeSweeps(sweeps) : `${runs.length} report(s)`;
    const texts = tables.map((t, i) => compareRowsToText(t.rows, { alpha, heading: `${source}${t.slice ? `; ${t.slice}` : ''}; baseline ${t.baseline}`, footnote: i === tables.length - 1 }));
    io.stdout(texts.join('\n'));
  }
  return 0;
}

function runsOfSlice(slices: Map<string, LoadedRun[]>, name: string): LoadedRun[] {
  return slices.get(name) ?? [];
}

function describeSweeps(sweeps: readonly { base: { input: string; set: string[] }; grid: Record<string, readonly unknown[]>; replicates: number }[]): string {
  return sweeps
    .map((s) => `${[s.base.input, ...s.base.set].join(' ')}: ${Object.entries(s.grid).map(([k, v]) => `${k} = ${v.map(String).join(', ')}`).join('; ')}; ${s.replicates} replicate(s)`)
    .join(' + ');
}
