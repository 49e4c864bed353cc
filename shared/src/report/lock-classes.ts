/**
 * Lock rows for the lock tables: per-instance locks (`mm->page_table_lock[cpu3]`,
 * `zone->lock[node1/HighMem]`) summed into their class, as /proc/lock_stat shows a class, or kept
 * one per instance. Sums stay sums, extremes stay extremes, and means are recomputed from the
 * totals, so a class row says what its instances together did.
 */
import type { LockReport, Report } from './types.js';

export interface LockTableCaller {
  name: string;
  /** rwsem call sites: 'R' shared, 'W' exclusive. */
  mode?: 'R' | 'W';
  attempts: number;
  acquisitions: number;
  contentions: number;
  trylockFailures: number;
  utilPercent: number;
  conPercent: number;
  holdTotalNs: number;
  holdMeanNs: number;
  holdMaxNs: number;
  waitTotalNs: number;
  waitMeanNs: number;
  waitMaxNs: number;
}

export interface LockTableEntry extends LockTableCaller {
  /** The lock's name, or its class when instances were collapsed. */
  name: string;
  class: string;
  /** How many lock instances the row sums (1 for a single lock). */
  instances: number;
  /** The node the lock's memory lives on; null when a class spans nodes. */
  homeNode: number | null;
  /** 'rwsem' for read-write semaphores; absent for spinlocks. */
  type?: 'rwsem';
  spinPercent: number;
  rjectPercent: number;
  nowaitPercent: number;
  holdMinNs: number;
  waitMinNs: number;
  waitCpuPercent: number;
  conBounces: number;
  acqBounces: number;
  callers: LockTableCaller[];
}

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);
/** Derived figures to three decimals, as the report prints its own. */
const round3 = (v: number) => Math.round(v * 1000) / 1000;

function callerOf(c: LockReport['callers'][number]): LockTableCaller {
  return {
    name: c.name, ...(c.mode !== undefined ? { mode: c.mode } : {}), attempts: c.attempts, acquisitions: c.acquisitions, contentions: c.contentions, trylockFailures: c.trylockFailures,
    utilPercent: c.utilPercent, conPercent: c.conPercent, holdTotalNs: c.holdTotalNs, holdMeanNs: c.holdMeanNs, holdMaxNs: c.holdMaxNs,
    waitTotalNs: c.waitTotalNs, waitMeanNs: c.waitMeanNs, waitMaxNs: c.waitMaxNs,
  };
}

function entryOf(l: LockReport): LockTableEntry {
  return {
    ...callerOf({ ...l, name: l.name } as LockReport['callers'][number]),
    class: l.class, ...(l.type !== undefined ? { type: l.type } : {}), instances: 1, homeNode: l.homeNode, spinPercent: l.spinPercent, rjectPercent: l.rjectPercent, nowaitPercent: l.nowaitPercent,
    holdMinNs: l.holdMinNs, waitMinNs: l.waitMinNs, waitCpuPercent: l.waitCpuPercent, conBounces: l.conBounces, acqBounces: l.acqBounces,
    callers: l.callers.map(callerOf),
  };
}

/** Sums of counts and totals, extremes of extremes, means and percentages from the sums. */
function mergeCallers(name: string, parts: readonly LockTableCaller[]): LockTableCaller {
  const sum = (f: (c: LockTableCaller) => number) => parts.reduce((s, c) => s + f(c), 0);
  const attempts = sum((c) => c.attempts);
  const acquisitions = sum((c) => c.acquisitions);
  const contentions = sum((c) => c.contentions);
  const trylockFailures = sum((c) => c.trylockFailures);
  const holdTotalNs = sum((c) => c.holdTotalNs);
  const waitTotalNs = sum((c) => c.waitTotalNs);
  const mode = parts.find((c) => c.mode !== undefined)?.mode;
  return {
    name, ...(mode !== undefined ? { mode } : {}), attempts, acquisitions, contentions, trylockFailures,
    utilPercent: round3(sum((c) => c.utilPercent)),
    conPercent: round3(100 * ratio(contentions + trylockFailures, attempts)),
    holdTotalNs, holdMeanNs: round3(ratio(holdTotalNs, acquisitions)), holdMaxNs: Math.max(0, ...parts.map((c) => c.holdMaxNs)),
    waitTotalNs, waitMeanNs: round3(ratio(waitTotalNs, contentions)), waitMaxNs: Math.max(0, ...parts.map((c) => c.waitMaxNs)),
  };
}

function mergeEntries(cls: string, parts: readonly LockTableEntry[]): LockTableEntry {
  const base = mergeCallers(cls, parts);
  const callerNames = [...new Set(parts.flatMap((p) => p.callers.map((c) => c.name)))];
  const homes = new Set(parts.map((p) => p.homeNode));
  const withAcquisitions = parts.filter((p) => p.acquisitions > 0);
  const withContentions = parts.filter((p) => p.contentions > 0);
  const type = parts.find((p) => p.type !== undefined)?.type;
  return {
    ...base,
    class: cls,
    ...(type !== undefined ? { type } : {}),
    instances: parts.reduce((s, p) => s + p.instances, 0),
    homeNode: homes.size === 1 ? parts[0].homeNode : null,
    spinPercent: round3(100 * ratio(base.contentions, base.attempts)),
    rjectPercent: round3(100 * ratio(base.trylockFailures, base.attempts)),
    nowaitPercent: base.attempts === 0 ? 0 : round3(100 - base.conPercent),
    holdMinNs: withAcquisitions.length ? Math.min(...withAcquisitions.map((p) => p.holdMinNs)) : 0,
    waitMinNs: withContentions.length ? Math.min(...withContentions.map((p) => p.waitMinNs)) : 0,
    waitCpuPercent: round3(parts.reduce((s, p) => s + p.waitCpuPercent, 0)),
    conBounces: parts.reduce((s, p) => s + p.conBounces, 0),
    acqBounces: parts.reduce((s, p) => s + p.acqBounces, 0),
    callers: callerNames.map((n) => mergeCallers(n, parts.flatMap((p) => p.callers.filter((c) => c.name === n)))),
  };
}

/** The report's locks as table rows: one per class (instances summed) unless `instances` is set. */
export function lockTableEntries(report: Pick<Report, 'locks'>, instances = false): LockTableEntry[] {
  const entries = report.locks.map(entryOf);
  if (instances) return entries;
  const byClass = new Map<string, LockTableEntry[]>();
  for (const e of entries) byClass.set(e.class, [...(byClass.get(e.class) ?? []), e]);
  return [...byClass.entries()].map(([cls, parts]) => (parts.length === 1 ? parts[0] : mergeEntries(cls, parts)));
}

/** Every lock summed: the lockmeter *TOTAL* line. */
export function lockTotal(entries: readonly LockTableEntry[]): LockTableEntry {
  return mergeEntries('*TOTAL*', entries.map((e) => ({ ...e, callers: [] })));
}
