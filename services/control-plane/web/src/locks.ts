/**
 * The lock table's rows: per instance as the report has them, or collapsed into their class
 * (`mm->page_table_lock[cpu3]` and its siblings become one `mm->page_table_lock` row), sorted and
 * filtered. Pure functions: the page and the tests call them alike.
 */

export interface LockRow {
  name: string;
  class: string;
  homeNode: number | null;
  instances: number;
  acquisitions: number;
  contentions: number;
  trylockFailures: number;
  attempts: number;
  utilPercent: number;
  conPercent: number;
  holdMeanNs: number;
  holdMaxNs: number;
  holdTotalNs: number;
  waitMeanNs: number;
  waitMaxNs: number;
  waitTotalNs: number;
  waitCpuPercent: number;
}

type LockInput = Omit<LockRow, 'instances' | 'homeNode'> & { homeNode: number };

export function instanceRows(locks: LockInput[]): LockRow[] {
  return locks.map((l) => ({ ...pick(l), instances: 1 }));
}

function pick(l: LockInput): Omit<LockRow, 'instances'> {
  return {
    name: l.name,
    class: l.class ?? l.name,
    homeNode: l.homeNode,
    acquisitions: l.acquisitions,
    contentions: l.contentions,
    trylockFailures: l.trylockFailures,
    attempts: l.attempts,
    utilPercent: l.utilPercent,
    conPercent: l.conPercent,
    holdMeanNs: l.holdMeanNs,
    holdMaxNs: l.holdMaxNs,
    holdTotalNs: l.holdTotalNs,
    waitMeanNs: l.waitMeanNs,
    waitMaxNs: l.waitMaxNs,
    waitTotalNs: l.waitTotalNs,
    waitCpuPercent: l.waitCpuPercent,
  };
}

/**
 * One row per lock class. Counts and totals add up; means are recomputed from the totals (wait over
 * contended acquisitions, as lockmeter counts it); UTIL is the mean over the instances, so a
 * class of per-CPU locks reads as how busy one of them is; maxima are the largest instance's.
 */
export function classRows(locks: LockInput[]): LockRow[] {
  const byClass = new Map<string, LockInput[]>();
  for (const l of locks) {
    const key = l.class ?? l.name;
    const list = byClass.get(key) ?? [];
    list.push(l);
    byClass.set(key, list);
  }
  return [...byClass.entries()].map(([cls, list]) => {
    if (list.length === 1) return { ...pick(list[0]), name: cls, instances: 1 };
    const sum = (f: keyof LockInput) => list.reduce((a, l) => a + (l[f] as number), 0);
    const max = (f: keyof LockInput) => Math.max(...list.map((l) => l[f] as number));
    const homes = new Set(list.map((l) => l.homeNode));
    const acquisitions = sum('acquisitions');
    const contentions = sum('contentions');
    const trylockFailures = sum('trylockFailures');
    const attempts = sum('attempts');
    const holdTotalNs = sum('holdTotalNs');
    const waitTotalNs = sum('waitTotalNs');
    return {
      name: cls,
      class: cls,
      homeNode: homes.size === 1 ? list[0].homeNode : null,
      instances: list.length,
      acquisitions,
      contentions,
      trylockFailures,
      attempts,
      utilPercent: sum('utilPercent') / list.length,
      conPercent: attempts > 0 ? ((contentions + trylockFailures) / attempts) * 100 : 0,
      holdMeanNs: acquisitions > 0 ? holdTotalNs / acquisitions : 0,
      holdMaxNs: max('holdMaxNs'),
      holdTotalNs,
      waitMeanNs: contentions > 0 ? waitTotalNs / contentions : 0,
      waitMaxNs: max('waitMaxNs'),
      waitTotalNs,
      waitCpuPercent: sum('waitCpuPercent'),
    };
  });
}

export type SortKey = keyof LockRow;

export function sortRows(rows: LockRow[], key: SortKey, descending: boolean): LockRow[] {
  const dir = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * dir || a.name.localeCompare(b.name);
    return String(x).localeCompare(String(y)) * dir;
  });
}

/** Rows whose name or class contains the text (case-insensitive). */
export function filterRows(rows: LockRow[], text: string): LockRow[] {
  const q = text.trim().toLowerCase();
  if (!q) return rows;
  return rows.filter((r) => r.name.toLowerCase().includes(q) || r.class.toLowerCase().includes(q));
}
