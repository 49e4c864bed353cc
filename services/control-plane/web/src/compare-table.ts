/**
 * Groups of runs side by side: per metric, each group's statistics against the baseline group
 * (mean, stddev, CV, change, Welch's p and mark) from the shared comparison module, arranged by
 * metric for the page's table; the same rows as the plain text `numasim compare` prints.
 */
import { compareGroups, compareRowsToText, type CompareGroup, type CompareRow } from './shared-modules.js';

export type Group = CompareGroup;

/** Per metric, one row per group in the groups' order. */
export function compareCells(groups: readonly Group[], metrics: readonly string[], baselineKey: string): Map<string, CompareRow[]> {
  const rows = compareGroups({ groups, baselineKey, metrics });
  const out = new Map<string, CompareRow[]>(metrics.map((m) => [m, []]));
  for (const r of rows) out.get(r.metric)!.push(r);
  return out;
}

export function compareText(cells: Map<string, CompareRow[]>): string {
  return compareRowsToText([...cells.values()].flat());
}
