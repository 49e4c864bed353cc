/**
 * Groups of runs side by side: per metric, each group's mean (with its spread over replicates) and
 * the change against the baseline group. Also as fixed-width text to paste into an email.
 */
import { meanCi } from './stats.js';

export interface Group {
  key: string;
  values: Record<string, number[]>;
}

export interface Cell {
  n: number;
  mean: number;
  stddev: number;
  cvPercent: number;
  changePercent: number | null;
}

export function compareCells(groups: Group[], metrics: string[], baselineKey: string): Map<string, Cell[]> {
  const base = groups.find((g) => g.key === baselineKey) ?? groups[0];
  const out = new Map<string, Cell[]>();
  for (const m of metrics) {
    const b = base.values[m]?.length ? meanCi(base.values[m]).mean : NaN;
    out.set(
      m,
      groups.map((g) => {
        const vs = g.values[m] ?? [];
        if (vs.length === 0) return { n: 0, mean: NaN, stddev: NaN, cvPercent: NaN, changePercent: null };
        const s = meanCi(vs);
        const changePercent = g === base || !Number.isFinite(b) || b === 0 ? null : ((s.mean - b) / Math.abs(b)) * 100;
        return { n: s.n, mean: s.mean, stddev: s.stddev, cvPercent: s.mean !== 0 ? (s.stddev / Math.abs(s.mean)) * 100 : 0, changePercent };
      }),
    );
  }
  return out;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  return a >= 1e6 || (a > 0 && a < 1e-2) ? v.toExponential(3) : v.toFixed(a >= 100 ? 1 : 3);
}

/** The table as text: one line per metric, a mean and its change per group, as mailing lists read them. */
export function compareText(groups: Group[], metrics: string[], cells: Map<string, Cell[]>): string {
  const head = ['metric', ...groups.map((g) => g.key)];
  const lines = metrics.map((m) => [
    m,
    ...cells.get(m)!.map((c) => `${fmt(c.mean)}${c.n > 1 ? ` ±${fmt(c.stddev)}` : ''}${c.changePercent === null ? '' : ` (${c.changePercent >= 0 ? '+' : ''}${c.changePercent.toFixed(2)}%)`}`),
  ]);
  const widths = head.map((_, i) => Math.max(head[i].length, ...lines.map((l) => l[i].length)));
  const row = (cols: string[]) => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [row(head), ...lines.map(row)].join('\n');
}
