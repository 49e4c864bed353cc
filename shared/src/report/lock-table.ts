/**
 * The lock table in the formats people read lock statistics in today and in 2002: lockmeter's,
 * /proc/lock_stat's, `perf lock contention`'s (also its `-x` separated form), CSV and JSON.
 * Every format starts from the same rows (lock-classes.ts); the columns numasim cannot fill are
 * listed in docs/CLI.md rather than invented.
 */
import type { Report } from './types.js';
import { lockTableEntries, lockTotal, type LockTableCaller, type LockTableEntry } from './lock-classes.js';
import { lockmeterPercent, lockmeterRow, renderLockCsv } from './lockmeter-text.js';
import { perfLockContention, spinCycles } from './perf-lock.js';

export const LOCK_TABLE_FORMATS = ['lockmeter', 'lock_stat', 'perf-lock', 'perf-cycles', 'csv', 'json'] as const;
export type LockTableFormat = (typeof LOCK_TABLE_FORMATS)[number];

export interface LockTableOptions {
  format: LockTableFormat;
  /** Only the N locks with the most contentions (then the most wait), in the format's order. */
  top?: number;
  /** Only locks whose name or class contains this (case-insensitive). */
  lock?: string;
  /** One row per lock instance instead of one per class. */
  instances?: boolean;
  /** perf-lock only: print `perf lock contention -x SEP`'s separated form (raw nanoseconds). */
  fieldSeparator?: string;
}

type LockReportInput = Pick<Report, 'locks' | 'machine' | 'run'>;

function selectEntries(report: LockReportInput, options: LockTableOptions): { all: LockTableEntry[]; shown: LockTableEntry[] } {
  const all = lockTableEntries(report, options.instances ?? false);
  let shown = all;
  if (options.lock !== undefined) {
    const needle = options.lock.toLowerCase();
    shown = shown.filter((e) => e.name.toLowerCase().includes(needle) || e.class.toLowerCase().includes(needle));
  }
  if (options.top !== undefined) {
    const keep = new Set([...shown].sort((a, b) => b.contentions - a.contentions || b.waitTotalNs - a.waitTotalNs).slice(0, options.top));
    shown = shown.filter((e) => keep.has(e));
  }
  return { all, shown };
}

function lockmeterEntryRow(e: LockTableEntry, util: boolean): string {
  const row = lockmeterRow(e.utilPercent, e.conPercent, e.holdMeanNs, e.holdMaxNs, e.waitMeanNs, e.waitMaxNs, lockmeterPercent(e.waitCpuPercent), e.attempts, e.spinPercent, e.rjectPercent, e.name);
  return util ? row : ' '.repeat(7) + row.slice(7);
}

function lockmeterCallerRow(c: LockTableCaller): string {
  const spin = c.attempts === 0 ? 0 : (100 * c.contentions) / c.attempts;
  const rject = c.attempts === 0 ? 0 : (100 * c.trylockFailures) / c.attempts;
  return lockmeterRow(c.utilPercent, c.conPercent, c.holdMeanNs, c.holdMaxNs, c.waitMeanNs, c.waitMaxNs, '', c.attempts, spin, rject, `  ${c.name}`);
}

/** lockmeter's table: CPUs and elapsed time, the *TOTAL* line over every lock, then each lock and its callers. */
function lockmeter(report: LockReportInput, all: LockTableEntry[], shown: LockTableEntry[]): string {
  const lines = [
    `All (${report.machine.cpus}) CPUs`,
    '',
    `Delta Time: ${(report.run.simulatedNs / 1e9).toFixed(6)} sec (simulated)`,
    '',
    'SPINLOCKS           HOLD                WAIT',
    '   UTIL    CON    MEAN(   MAX )   MEAN(   MAX )(% CPU)     TOTAL NOWAIT    SPIN  RJECT  NAME',
    '',
    lockmeterEntryRow(lockTotal(all), false),
    '',
  ];
  for (const e of shown) {
    lines.push(lockmeterEntryRow(e, true) + (e.instances > 1 ? `  (${e.instances} instances)` : ''));
    for (const c of e.callers) lines.push(lockmeterCallerRow(c));
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

const us = (ns: number) => (ns / 1000).toFixed(2);

/** /proc/lock_stat: times in µs, classes sorted by contentions, each with its contention points. */
function lockStat(shown: LockTableEntry[]): string {
  const heads = ['con-bounces', 'contentions', 'waittime-min', 'waittime-max', 'waittime-total', 'waittime-avg', 'acq-bounces', 'acquisitions', 'holdtime-min', 'holdtime-max', 'holdtime-total', 'holdtime-avg'];
  const rule = '-'.repeat(40 + heads.length * 15);
  const lines = ['lock_stat version 0.4', rule, `${'class name'.padStart(40)} ${heads.map((h) => h.padStart(14)).join(' ')}`, rule];
  const sorted = [...shown].sort((a, b) => b.contentions - a.contentions || b.acquisitions - a.acquisitions);
  for (const e of sorted) {
    const cells = [e.conBounces, e.contentions, us(e.waitMinNs), us(e.waitMaxNs), us(e.waitTotalNs), us(e.waitMeanNs), e.acqBounces, e.acquisitions, us(e.holdMinNs), us(e.holdMaxNs), us(e.holdTotalNs), us(e.holdMeanNs)];
    lines.push('', `${`${e.name}:`.padStart(41)}${cells.map((c) => String(c).padStart(15)).join('')}`);
    const points = e.callers.filter((c) => c.contentions > 0).sort((a, b) => b.contentions - a.contentions);
    if (points.length > 0) {
      lines.push(`${''.padStart(25)}${'-'.repeat(15)}`);
      for (const c of points) lines.push(`${e.class.padStart(41)}${String(c.contentions).padStart(15)}          ${c.name}`);
    }
  }
  lines.push('', '.'.repeat(rule.length));
  return `${lines.join('\n')}\n`;
}

/** perf's way of printing a duration: `850 ns`, `1.57 us`, `2.72 ms`, `1.20 s`. */
export function perfDuration(ns: number): string {
  if (ns < 1000) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} us`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/**
 * `perf lock contention`: one row per contended caller (perf aggregates by caller by default),
 * sorted by total wait. The caller column names the lock too: numasim's callers are functions
 * of the modelled kernel, and several locks share one.
 */
function perfLock(shown: LockTableEntry[], separator: string | undefined): string {
  const rows = perfLockContention(shown);
  if (separator !== undefined) {
    const out = [`# output: ${['contended', 'total wait', 'max wait', 'avg wait', 'type', 'caller'].join(separator)}`];
    for (const r of rows) out.push([r.contended, Math.round(r.totalWaitNs), Math.round(r.maxWaitNs), Math.round(r.avgWaitNs), r.type, r.caller].join(separator));
    return `${out.join('\n')}\n`;
  }
  const out = [` ${'contended'.padStart(9)}   ${'total wait'.padStart(10)}     ${'max wait'.padStart(8)}     ${'avg wait'.padStart(8)}         type   caller`, ''];
  for (const r of rows) {
    out.push(` ${String(r.contended).padStart(9)} ${perfDuration(r.totalWaitNs).padStart(12)} ${perfDuration(r.maxWaitNs).padStart(12)} ${perfDuration(r.avgWaitNs).padStart(12)} ${r.type.padStart(12)}   ${r.caller}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * The share of CPU cycles spent spinning, per lock and call path, laid out as `perf report
 * --no-children -g caller` lays out a call graph under the spin loop's symbol.
 */
function perfCycles(report: LockReportInput, shown: LockTableEntry[]): string {
  const rows = spinCycles(shown, report.machine.cpus, report.run.simulatedNs);
  const total = rows.reduce((s, r) => s + r.cyclesPercent, 0);
  const out = [
    `# CPU cycles spinning on locks: ${report.machine.cpus} CPUs × ${(report.run.simulatedNs / 1e9).toFixed(6)} s (simulated)`,
    `# all locks shown: ${total.toFixed(2)}%`,
    '#',
    '# Overhead  Lock',
    '# ........  ....................',
    '#',
  ];
  for (const r of rows) {
    out.push(`${`${r.cyclesPercent.toFixed(2)}%`.padStart(10)}  ${r.lock}`);
    for (const p of r.paths) out.push(`            |--${p.cyclesPercent.toFixed(2)}%--${p.caller}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/** The report's lock statistics in one of LOCK_TABLE_FORMATS. */
export function formatLockTable(report: LockReportInput, options: LockTableOptions): string {
  const { all, shown } = selectEntries(report, options);
  switch (options.format) {
    case 'lockmeter':
      return lockmeter(report, all, shown);
    case 'lock_stat':
      return lockStat(shown);
    case 'perf-lock':
      return perfLock(shown, options.fieldSeparator);
    case 'perf-cycles':
      return perfCycles(report, shown);
    case 'csv':
      // Same columns as the run's CSV download; a class row's homeNode is empty when it spans nodes.
      return renderLockCsv({ locks: shown.map((e) => ({ ...e, homeNode: e.homeNode ?? '' })) } as unknown as Report);
    case 'json':
      return `${JSON.stringify({ cpus: report.machine.cpus, simulatedNs: report.run.simulatedNs, instances: options.instances ?? false, locks: shown }, null, 2)}\n`;
  }
}

