/** Numbers picked out of a report by a dotted path, the names compare and plot speak in. */
import type { Report } from '../report/types.js';

/**
 * A value from a report by dotted path. `locks.<name>.<field>` picks the lock named <name> (names
 * may contain dots); everything else walks objects and array indexes.
 */
export function metricValue(report: unknown, path: string): number | string | undefined {
  const segs = path.split('.');
  let cur: unknown = report;
  for (let i = 0; i < segs.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (segs[i] === 'locks' && Array.isArray((cur as { locks?: unknown }).locks)) {
      const locks = (cur as { locks: { name: string }[] }).locks;
      let found = false;
      for (let j = segs.length - 1; j > i; j--) {
        const name = segs.slice(i + 1, j + 1).join('.');
        const lock = locks.find((l) => l.name === name);
        if (lock) {
          cur = lock;
          i = j;
          found = true;
          break;
        }
      }
      if (!found) return undefined;
      continue;
    }
    cur = (cur as Record<string, unknown>)[segs[i]];
  }
  return typeof cur === 'number' || typeof cur === 'string' ? cur : undefined;
}

/** Metrics compared by default: each lock's CON, UTIL, mean wait and hold, and the workload's throughput. */
export function defaultMetrics(report: Pick<Report, 'locks' | 'workload'> | undefined): string[] {
  if (!report) return [];
  const out: string[] = [];
  for (const l of report.locks.slice(0, 8)) for (const f of ['conPercent', 'utilPercent', 'waitMeanNs', 'holdMeanNs']) out.push(`locks.${l.name}.${f}`);
  const workload = report.workload as unknown as Record<string, unknown>;
  for (const f of ['operationsPerSecond', 'completionNs']) if (typeof workload[f] === 'number') out.push(`workload.${f}`);
  return out;
}
