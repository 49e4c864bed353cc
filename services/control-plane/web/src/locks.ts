/**
 * The lock table's rows: the shared lock-class rows (as `numasim run --format` prints them:
 * per-instance locks summed into their class by default), sorted and filtered here. Pure
 * functions: the page and the tests call them alike.
 */
import { lockTableEntries, type LockTableEntry } from './shared-modules.js';

export type LockRow = LockTableEntry;
type LockInput = Parameters<typeof lockTableEntries>[0]['locks'][number];

export function lockRows(locks: readonly LockInput[], instances: boolean): LockRow[] {
  return lockTableEntries({ locks: [...locks] }, instances);
}

export type SortKey = Exclude<keyof LockRow, 'callers'>;

export function sortRows(rows: readonly LockRow[], key: SortKey, descending: boolean): LockRow[] {
  const dir = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * dir || a.name.localeCompare(b.name);
    return String(x).localeCompare(String(y)) * dir;
  });
}

/** Rows whose name or class contains the text (case-insensitive). */
export function filterRows(rows: readonly LockRow[], text: string): LockRow[] {
  const q = text.trim().toLowerCase();
  if (!q) return [...rows];
  return rows.filter((r) => r.name.toLowerCase().includes(q) || r.class.toLowerCase().includes(q));
}
