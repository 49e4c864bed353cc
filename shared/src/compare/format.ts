/** Comparison rows as a plain-text table for a mail (fixed columns, ASCII only) and as CSV. */
import type { CompareRow } from './rows.js';

/** Decimals that suit a value's size: whole numbers from 1000 up, more below. */
function decimalsFor(v: number): number {
  const a = Math.abs(v);
  if (!Number.isFinite(a) || a >= 1000) return 0;
  if (a >= 10) return 2;
  return 3;
}

function fixed(v: number, decimals: number): string {
  return Number.isFinite(v) ? v.toFixed(decimals) : '-';
}

export function formatChange(changePercent: number | null): string {
  if (changePercent === null) return '';
  const sign = changePercent > 0 ? '+' : changePercent < 0 ? '-' : ' ';
  return `${sign}${Math.abs(changePercent).toFixed(2)}%`;
}

function formatP(p: number | null): string {
  if (p === null) return '';
  return p < 0.0001 ? '<0.0001' : p.toFixed(4);
}

export interface CompareTextOptions {
  /** Significance level named in the footnote (default 0.05). */
  alpha?: number;
  /** A line printed above the table. */
  heading?: string;
  /** Explain the mark and CV under the table (default true; off for all but the last of several tables). */
  footnote?: boolean;
}

/**
 * One block per metric, one line per group: n, mean ± stddev, CV, % change against the baseline,
 * `*` where Welch's test finds the difference significant, and p.
 */
export function compareRowsToText(rows: readonly CompareRow[], options: CompareTextOptions = {}): string {
  const alpha = options.alpha ?? 0.05;
  const keyWidth = Math.max(12, ...rows.map((r) => r.key.length + 2));
  const cells = rows.map((r) => {
    const d = decimalsFor(r.mean);
    return { r, mean: fixed(r.mean, d), sd: fixed(r.stddev, d) };
  });
  const meanWidth = Math.max(4, ...cells.map((c) => c.mean.length));
  const sdWidth = Math.max(6, ...cells.map((c) => c.sd.length));
  const lines: string[] = [];
  if (options.heading) lines.push(options.heading, '');
  lines.push(`${'METRIC / GROUP'.padEnd(keyWidth)}${'N'.padStart(4)}  ${'MEAN'.padStart(meanWidth)} ± ${'STDDEV'.padEnd(sdWidth)}${'CV'.padStart(9)}${'CHANGE'.padStart(11)}    ${'P'.padStart(7)}`);
  let metric: string | undefined;
  for (const { r, mean, sd } of cells) {
    if (r.metric !== metric) {
      metric = r.metric;
      lines.push(metric);
    }
    if (r.n === 0) {
      lines.push(`${`  ${r.key}`.padEnd(keyWidth)}${'0'.padStart(4)}  (no value at this path in these runs)`);
      continue;
    }
    const cv = Number.isFinite(r.cv) ? `${r.cv.toFixed(2)}%` : '-';
    const change = r.baseline ? 'baseline' : formatChange(r.changePercent);
    const mark = r.significant ? ' *' : '  ';
    lines.push(`${`  ${r.key}`.padEnd(keyWidth)}${String(r.n).padStart(4)}  ${mean.padStart(meanWidth)} ± ${sd.padEnd(sdWidth)}${cv.padStart(9)}${change.padStart(11)}${mark}  ${formatP(r.p).padStart(7)}`.trimEnd());
  }
  if (options.footnote !== false) lines.push('', `* Welch's t-test against the baseline finds the difference significant (two-sided p < ${alpha}). CV = stddev / mean.`);
  return `${lines.join('\n')}\n`;
}

const CSV_COLUMNS = ['metric', 'group', 'n', 'mean', 'stddev', 'cv', 'min', 'max', 'changePercent', 'p', 'significant', 'baseline'] as const;

function csvField(v: unknown): string {
  const s = v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line per (metric, group); the group's parameters follow as their own columns. */
export function compareRowsToCsv(rows: readonly CompareRow[]): string {
  const paramKeys = [...new Set(rows.flatMap((r) => Object.keys(r.params)))];
  const out = [[...CSV_COLUMNS, ...paramKeys].map(csvField).join(',')];
  for (const r of rows) {
    out.push(
      [r.metric, r.key, r.n, r.mean, r.stddev, r.cv, r.min, r.max, r.changePercent, r.p, r.significant, r.baseline, ...paramKeys.map((k) => r.params[k])]
        .map(csvField)
        .join(','),
    );
  }
  return `${out.join('\n')}\n`;
}
