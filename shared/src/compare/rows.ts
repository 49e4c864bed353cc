/**
 * Comparison rows: for every group (one configuration, its replicates) and metric, the mean,
 * stddev, CV, the change against the baseline group and whether Welch's test calls it significant.
 */
import { summarize, welch, type Summary } from './stats.js';

export interface CompareGroup {
  /** A name for the group, e.g. `cpusPerNode=4`. */
  key: string;
  /** The parameters that define the group. */
  params: Record<string, unknown>;
  /** Per metric, one value per replicate. */
  values: Record<string, readonly number[]>;
}

/** One group's summary of one metric, measured against the baseline group. */
export interface CompareRow extends Summary {
  key: string;
  params: Record<string, unknown>;
  metric: string;
  /** (mean − baseline mean) / |baseline mean| × 100; null for the baseline itself or a zero baseline. */
  changePercent: number | null;
  /** Welch's two-sided p against the baseline; null for the baseline or with fewer than two values a side. */
  p: number | null;
  significant: boolean;
  baseline: boolean;
}

export interface CompareOptions {
  groups: readonly CompareGroup[];
  /** Key of the group the others are measured against (default: the first group). */
  baselineKey?: string;
  /** Significance level of the two-sided test (default 0.05). */
  alpha?: number;
  /** Metrics in order (default: every metric of any group, in first-seen order). */
  metrics?: readonly string[];
}

export function compareGroups(options: CompareOptions): CompareRow[] {
  const { groups, alpha = 0.05 } = options;
  if (groups.length === 0) return [];
  const base = groups.find((g) => g.key === options.baselineKey) ?? groups[0];
  const metrics = options.metrics ?? [...new Set(groups.flatMap((g) => Object.keys(g.values)))];
  const rows: CompareRow[] = [];
  for (const metric of metrics) {
    const baseValues = base.values[metric] ?? [];
    const baseMean = summarize(baseValues).mean;
    for (const g of groups) {
      const values = g.values[metric] ?? [];
      const s = summarize(values);
      const isBase = g === base;
      const changePercent = isBase || !Number.isFinite(baseMean) || baseMean === 0 || !Number.isFinite(s.mean) ? null : (100 * (s.mean - baseMean)) / Math.abs(baseMean);
      const w = isBase ? undefined : welch(values, baseValues);
      const p = w && Number.isFinite(w.p) ? w.p : null;
      rows.push({ key: g.key, params: g.params, metric, ...s, changePercent, p, significant: p !== null && p < alpha, baseline: isBase });
    }
  }
  return rows;
}
