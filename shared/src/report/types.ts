/**
 * The report: a public contract. `numasim run --json` prints it, the HTTP API serves it, scripts
 * parse it. Add fields freely; rename or remove one only with a new `schemaVersion`.
 *
 * Units are in the names (`holdMeanNs`, `utilPercent`). Lock statistics follow lockmeter's
 * definitions (../shared/VM-REFERENCE.md §6):
 * - attempts = acquisitions + trylockFailures (lockmeter's TOTAL);
 * - utilPercent = holdTotalNs / simulatedNs;
 * - spinPercent = contentions / attempts, rjectPercent = trylockFailures / attempts,
 *   conPercent = spinPercent + rjectPercent, nowaitPercent = 100 − conPercent;
 * - waitMeanNs is over contended acquisitions only; waitCpuPercent = waitTotalNs / (cpus × simulatedNs);
 * - conBounces / acqBounces as /proc/lock_stat: contentions / acquisitions where the lock last
 *   ran on another CPU.
 * Percentiles come from a log-linear histogram (16 sub-buckets per power of two): within 6.25%.
 */
import type { WorkloadConfig } from '../workload/resolve.js';

export const REPORT_SCHEMA_VERSION = 1;

/** Fields that depend on the machine running the simulation, not on the simulation. */
export const REPORT_TIMING_FIELDS = ['engine.wallSeconds', 'engine.eventsPerSecond'] as const;

export interface LockCallerReport {
  name: string;
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
}

export interface LockReport {
  /** Instance name, e.g. `pagemap_lru_lock`, `bench_lock[3]`. */
  name: string;
  /** Lock class shared by instances, e.g. `bench_lock`, `zone.lru_lock`. */
  class: string;
  /** Node whose memory holds the lock word. */
  homeNode: number;
  acquisitions: number;
  contentions: number;
  trylockFailures: number;
  attempts: number;
  utilPercent: number;
  conPercent: number;
  spinPercent: number;
  rjectPercent: number;
  nowaitPercent: number;
  holdMinNs: number;
  holdMeanNs: number;
  holdMaxNs: number;
  holdTotalNs: number;
  holdP50Ns: number;
  holdP99Ns: number;
  waitMinNs: number;
  waitMeanNs: number;
  waitMaxNs: number;
  waitTotalNs: number;
  waitP50Ns: number;
  waitP99Ns: number;
  waitCpuPercent: number;
  conBounces: number;
  acqBounces: number;
  callers: LockCallerReport[];
}

export interface LockbenchResult {
  kind: 'lockbench';
  /** Completed think → acquire → hold → release cycles. */
  operations: number;
  /** Per simulated second. */
  operationsPerSecond: number;
  trylockFailures: number;
  perNode: { node: number; operations: number }[];
}

export type WorkloadResult = LockbenchResult;

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  engine: {
    version: string;
    /** Events the kernel handled: deterministic. */
    events: number;
    /** Timing fields: vary from machine to machine and run to run. */
    wallSeconds: number;
    eventsPerSecond: number;
  };
  run: {
    kind: string;
    seed: number;
    /** sha256 of the canonical resolved config without seed and placement. */
    configHash: string;
    simulatedNs: number;
    /** Time of the last event handled (≤ simulatedNs). */
    lastEventNs: number;
  };
  machine: {
    nodes: number;
    cpus: number;
    /** Smallest cross-node latency, ns; null with one node. */
    lookaheadNs: number | null;
  };
  locks: LockReport[];
  workload: WorkloadResult;
  /** The resolved workload, canonical: feeding it back runs the same simulation. */
  config: WorkloadConfig;
}

/**
 * The sampled time series of a run, columnar: `tNs[i]` is the end of interval i, every other
 * column holds what happened during that interval (deltas, not running totals).
 */
export interface TimeSeries {
  intervalNs: number;
  tNs: number[];
  events: number[];
  locks: {
    name: string;
    class: string;
    homeNode: number;
    acquisitions: number[];
    contentions: number[];
    holdTotalNs: number[];
    waitTotalNs: number[];
  }[];
}
