/**
 * The runs compare and plot read: from sweep files (their grid parameters) or single reports
 * (`numasim run --json`, parameters looked up in the report's config), in one list.
 */
import { basename } from 'node:path';
import { isSweepFile, metricValue, NumasimError, type Report, type SweepFile } from '@numasim/shared';
import { CliErrors } from '../errors.js';
import { readJsonFile } from '../inputs.js';

export interface LoadedRun {
  params: Record<string, unknown>;
  report: Report;
  /** The file the run came from. */
  file: string;
}

export interface LoadedRuns {
  runs: LoadedRun[];
  /** The sweep files among the inputs (their grids name the parameters). */
  sweeps: SweepFile[];
  /** Parameters every run has: the sweeps' grid keys, or none for reports. */
  parameters: string[];
}

function isReport(doc: unknown): doc is Report {
  return typeof doc === 'object' && doc !== null && Array.isArray((doc as Report).locks) && typeof (doc as Report).run === 'object';
}

export function loadRuns(command: string, files: readonly string[]): LoadedRuns {
  const runs: LoadedRun[] = [];
  const sweeps: SweepFile[] = [];
  for (const file of files) {
    const doc = readJsonFile(command, file, 'input');
    if (isSweepFile(doc)) {
      sweeps.push(doc);
      for (const r of doc.runs) runs.push({ params: r.params, report: r.report, file });
    } else if (isReport(doc)) {
      runs.push({ params: { file: basename(file) }, report: doc, file });
    } else {
      throw new NumasimError(CliErrors.INPUT_NOT_SWEEP, `${command}: ${file} is neither a sweep file (numasim sweep --out) nor a report (numasim run --json)`, [
        { path: 'input', reason: `${file}: not a sweep or a report` },
      ]);
    }
  }
  const parameters = sweeps.length > 0 ? [...new Set(sweeps.flatMap((s) => Object.keys(s.grid)))] : [];
  return { runs, sweeps, parameters };
}

/**
 * The value of parameter `key` for a run: its grid value, else the same path in the report's
 * resolved config (so reports from `numasim run` compare by any workload field).
 */
export function paramValue(run: LoadedRun, key: string): unknown {
  if (key in run.params) return run.params[key];
  return metricValue(run.report.config, key);
}

/** Throws NUMASIM_ERR_CLI_METRIC_NOT_FOUND unless some run has a number at every metric. */
export function checkMetrics(command: string, flag: string, runs: readonly LoadedRun[], metrics: readonly string[], suggestions: readonly string[]): void {
  for (const m of metrics) {
    if (!runs.some((r) => typeof metricValue(r.report, m) === 'number')) {
      const hint = suggestions.length > 0 ? `; metrics of these runs include ${suggestions.slice(0, 6).join(', ')}` : '';
      throw new NumasimError(CliErrors.METRIC_NOT_FOUND, `${command}: --${flag} ${m}: no run has a number at this path${hint}`, [{ path: flag, reason: `no run has a number at ${m}` }]);
    }
  }
}
