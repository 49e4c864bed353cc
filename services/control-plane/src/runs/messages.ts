/**
 * What crosses the thread boundary between the control plane and a simulation worker: plain,
 * structured-clone data only. Nothing else is shared.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Report, TimeSeries, WorkloadConfig } from '@numasim/shared';

export interface RunTask {
  config: WorkloadConfig;
  maxEvents: number;
  /** Where progress messages go. */
  port: MessagePort;
}

/** Per lock class and home node, what changed since the previous message (for Prometheus). */
export interface LockDelta {
  lock: string;
  node: number;
  acquisitions: number;
  contentions: number;
  holdSumNs: number;
  waitSumNs: number;
  /** Observations per bucket of HIST_LE_NS (not cumulative); the last entry is +Inf. */
  holdBuckets: number[];
  waitBuckets: number[];
}

/** Memory figures so far (memory workloads): gauges and running totals, not deltas. */
export interface MemorySnapshot {
  zones: { node: number; zone: string; freePages: number; min: number; low: number; high: number }[];
  /** Per node: numa_hit, numa_miss, numa_foreign. */
  numa: { node: number; hit: number; miss: number; foreign: number }[];
  kswapdWakeups: number;
  /** Wraps of the global kmap pool, each a TLB flush of every CPU (0 when the run has none). */
  kmapGlobalFlushes: number;
}

export interface ProgressMessage {
  /** The last message of a run that completed: everything before it has been delivered. */
  final: boolean;
  simulatedNs: number;
  durationNs: number;
  events: number;
  locks: LockDelta[];
  memory?: MemorySnapshot;
}

export type RunTaskResult =
  | { ok: true; report: Report; series: TimeSeries }
  | { ok: false; error: { code: string; message: string; user: boolean } };

/** Upper bounds of the Prometheus histogram buckets, ns: powers of two from 128 ns to 2^27 ns (134 ms), exact engine bucket edges. */
export const HIST_LE_NS: readonly number[] = Array.from({ length: 21 }, (_, i) => 2 ** (7 + i));
