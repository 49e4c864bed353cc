/**
 * A comparison as plain data: one row per run (what it came from, its parameters, each metric's
 * value), and the same values grouped by configuration, the form a statistics function takes
 * (replicates of one configuration — runs that differ only in seed — form one group).
 */
import { compareGroups, compareRowsToCsv, compareRowsToText, type CompareRow as StatisticsRow, type Report } from '@numasim/shared';
import type { RunRecord, RunStatus } from '../store/runs-repo.js';
import { metricValue } from '../sweeps/grid.js';

export interface CompareRow {
  id: string;
  status: RunStatus;
  preset: string | null;
  label: string | null;
  sweepId: string | null;
  seed: number;
  /** The run's parameters: its overrides and, for a sweep's run, its grid point. */
  params: Record<string, unknown>;
  /** Each metric's value; null where this run's report has no number there (or no report yet). */
  values: Record<string, number | null>;
}

export interface CompareTable {
  metrics: string[];
  /** Every parameter any row has, in first-seen order: the table's parameter columns. */
  parameters: string[];
  rows: CompareRow[];
}

export interface CompareGroup {
  key: string;
  params: Record<string, unknown>;
  /** The runs of this group, in row order. */
  runs: string[];
  values: Record<string, number[]>;
}

/** `params` of a run when compared: overrides first, the grid point (which wins) after. */
export function runParams(run: RunRecord): Record<string, unknown> {
  return { ...(run.overrides ?? {}), ...(run.params ?? {}) };
}

export function compareTable(
  runs: readonly { run: RunRecord; report: Report | undefined }[],
  metrics: readonly string[],
  paramsOf: (run: RunRecord) => Record<string, unknown> = runParams,
): CompareTable {
  const parameters: string[] = [];
  const rows = runs.map(({ run, report }) => {
    const params = paramsOf(run);
    for (const k of Object.keys(params)) if (!parameters.includes(k)) parameters.push(k);
    const values: Record<string, number | null> = {};
    for (const m of metrics) {
      const v = report ? metricValue(report, m) : undefined;
      values[m] = typeof v === 'number' ? v : null;
    }
    return { id: run.id, status: run.status, preset: run.preset, label: run.label, sweepId: run.sweepId, seed: run.seed, params, values };
  });
  return { metrics: [...metrics], parameters, rows };
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** A group's name: label, preset and parameters other than the replicate, e.g. `before lockbench-8 cpusPerNode=4`. */
export function groupKey(row: CompareRow): string {
  const params = Object.entries(row.params)
    .filter(([k]) => k !== 'replicate' && k !== 'seed')
    .map(([k, v]) => `${k}=${show(v)}`);
  return [row.label, row.preset ?? 'inline', ...params].filter((x) => x !== null).join(' ');
}

/**
 * Rows grouped by configuration, each metric's numbers collected (nulls left out): the `groups`
 * a statistics function over replicates takes, with `groupKeyOfRun(table, baseline)` as its baseline.
 */
export function groupRows(table: CompareTable): CompareGroup[] {
  const groups = new Map<string, CompareGroup>();
  for (const row of table.rows) {
    const key = groupKey(row);
    let g = groups.get(key);
    if (!g) {
      const params = Object.fromEntries(Object.entries(row.params).filter(([k]) => k !== 'replicate' && k !== 'seed'));
      g = { key, params, runs: [], values: Object.fromEntries(table.metrics.map((m) => [m, [] as number[]])) };
      groups.set(key, g);
    }
    g.runs.push(row.id);
    for (const m of table.metrics) {
      const v = row.values[m];
      if (v !== null) g.values[m].push(v);
    }
  }
  return [...groups.values()];
}

/** The key of the group holding run `runId` (a comparison's baseline), if it is in the table. */
export function groupKeyOfRun(table: CompareTable, runId: string): string | undefined {
  const row = table.rows.find((r) => r.id === runId);
  return row && groupKey(row);
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let text = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  // A label or value that a spreadsheet would run as a formula is kept as text.
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line per run: run, status, preset, label, sweep, seed, the parameters, the metrics. */
export function compareCsv(table: CompareTable): string {
  const head = ['run', 'status', 'preset', 'label', 'sweep', 'seed', ...table.parameters, ...table.metrics];
  const lines = [head.map(csvField).join(',')];
  for (const r of table.rows) {
    lines.push([r.id, r.status, r.preset, r.label, r.sweepId, r.seed, ...table.parameters.map((p) => r.params[p]), ...table.metrics.map((m) => r.values[m])].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The table's statistics as mmtests shows them: per configuration (replicates grouped) and metric,
 * mean, stddev, CV, % change against the baseline run's configuration (else the first), and
 * Welch's significance — the rows `numasim compare` prints, from the same shared function.
 */
export function compareStatistics(table: CompareTable, baselineRunId?: string): StatisticsRow[] {
  const baselineKey = baselineRunId === undefined ? undefined : groupKeyOfRun(table, baselineRunId);
  return compareGroups({ groups: groupRows(table), baselineKey, metrics: table.metrics });
}

/** How a comparison is answered: the JSON document, one CSV line per run, the statistics as CSV or as an email-ready table. */
export type CompareFormat = 'json' | 'csv' | 'stats-csv' | 'text';
export const COMPARE_FORMATS: readonly CompareFormat[] = ['json', 'csv', 'stats-csv', 'text'];

/** The body of a non-JSON answer, with its content type; undefined for JSON. */
export function compareBody(table: CompareTable, format: CompareFormat, baselineRunId?: string): { type: string; body: string } | undefined {
  switch (format) {
    case 'json':
      return undefined;
    case 'csv':
      return { type: 'text/csv; charset=utf-8', body: compareCsv(table) };
    case 'stats-csv':
      return { type: 'text/csv; charset=utf-8', body: compareRowsToCsv(compareStatistics(table, baselineRunId)) };
    case 'text':
      return { type: 'text/plain; charset=utf-8', body: compareRowsToText(compareStatistics(table, baselineRunId)) };
  }
}
