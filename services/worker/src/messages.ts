/**
 * What crosses the thread boundary between whoever runs a simulation (the control plane's
 * executor, or the fleet worker) and the simulation thread: plain, structured-clone data only.
 * Lock figures travel as cumulative snapshots: a later message supersedes an earlier one, so a
 * message dropped or throttled away loses nothing.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Report, TaskAreaReport, TimeSeries, WorkloadConfig } from '@numasim/shared';
import type { RunFraction } from '@numasim/node-sim';
import type { GateHandle } from './gate.js';

export interface RunTask {
  config: WorkloadConfig;
  maxEvents: number;
  /** Where progress messages go. */
  port: MessagePort;
  /** Test-only: hold the run at a simulated time until released (gate.ts). */
  gate?: GateHandle;
}

/** Per lock class and home node, totals since the run's start (for Prometheus). */
export interface LockSnapshot {
  lock: string;
  node: number;
  acquisitions: number;
  contentions: number;
  holdSumNs: number;
  waitSumNs: number;
  /** Observations per bucket of HIST_LE_NS (not cumulative over buckets); the last entry is +Inf. */
  holdBuckets: number[];
  waitBuckets: number[];
}

/** Memory figures so far (memory workloads): gauges and running totals. */
export interface MemorySnapshot {
  zones: { node: number; zone: string; freePages: number; min: number; low: number; high: number }[];
  /** Per node: numa_hit, numa_miss, numa_foreign. */
  numa: { node: number; hit: number; miss: number; foreign: number }[];
  kswapdWakeups: number;
  /** Wraps of the global kmap pool, each a TLB flush of every CPU (0 when the run has none). */
  kmapGlobalFlushes: number;
  /** Kernel stacks and task_structs (runs with the `taskArea` knob). */
  taskArea?: TaskAreaReport;
}

export interface ProgressMessage {
  /** The run's last progress: its workload ended (or durationNs was reached). */
  final: boolean;
  simulatedNs: number;
  durationNs: number;
  events: number;
  /** Towards the workload's own end (kernbench: jobs; fixed-duration workloads: simulated ns). */
  progress: RunFraction;
  /** Cumulative since the run's start. */
  locks: LockSnapshot[];
  memory?: MemorySnapshot;
}

export type RunTaskResult =
  | { ok: true; report: Report; series: TimeSeries; last: ProgressMessage }
  | { ok: false; error: { code: string; message: string; user: boolean } };

/** Upper bounds of the Prometheus histogram buckets, ns: powers of two from 128 ns to 2^27 ns (134 ms), exact engine bucket edges. */
export const HIST_LE_NS: readonly number[] = Array.from({ length: 21 }, (_, i) => 2 ** (7 + i));
