/**
 * What crosses the boundary between the coordinating thread and the node workers: the task, the
 * per-slice messages, the result. Plain structured-clone data and SharedArrayBuffers only; the
 * coordinator (run-parallel.ts) and the worker (node-worker.ts) share nothing else.
 */
import type { MessagePort } from 'node:worker_threads';
import type { WorkloadConfig } from '@numasim/shared';
import type { QueueKind } from '../engine/kernel.js';
import type { LockStats } from '../locks/lock-stats.js';
import type { ExchangeBuffers } from './exchange.js';
import type { WorkloadProgress } from '../workloads/model.js';

/** Test-only: make one thread fail at a given window, to check that a run fails cleanly. */
export interface FaultInjection {
  thread: number;
  atWindow: number;
  kind: 'throw' | 'oom';
}

export interface NodeTask {
  config: WorkloadConfig;
  /** This worker's thread index, 0 … threads − 1. */
  thread: number;
  /** Thread of each node (node i is LP i). */
  threadOfNode: number[];
  exchange: ExchangeBuffers;
  /** Slice messages go here. */
  port: MessagePort;
  /** Barrier polls before sleeping (0 when threads outnumber cores). */
  spin: number;
  maxEvents: number;
  queue: QueueKind;
  /** RunOptions.debug, decided by the coordinator (a thread reads no environment). */
  debug: boolean;
  fault?: FaultInjection;
}

/** Sent by every worker at the end of every slice of the run (the slices inline runs use). */
export interface SliceMessage {
  thread: number;
  slice: number;
  untilNs: number;
  /** Events handled by all threads so far. */
  events: number;
  /** True when the slice ends at a sample time (or at the end of the run). */
  sample: boolean;
  /** True for the run's last slice. */
  final: boolean;
  /** The workload's own progress counted on this worker's LPs (workloads that end by themselves). */
  work?: WorkloadProgress;
  /** This worker's LPs' lock statistics, merged (a LockStats without its prototype). */
  stats: LockStats;
  /** Memory workloads, at samples: free pages, active and inactive LRU pages of every zone of the model's memory report, [k * 3 + …]; NaN for zones of other threads' nodes. */
  zones?: Float64Array;
}

export interface WorkerTiming {
  windows: number;
  /** Wall-clock ms waiting at barriers, and in all. */
  waitMs: number;
  wallMs: number;
  /** Events this worker handled. */
  events: number;
}

export type NodeTaskResult =
  | {
      ok: true;
      slices: number;
      endNs: number;
      events: number;
      lastEventNs: number;
      timing: WorkerTiming;
      /** Captured state of this worker's LPs (lp-state.ts), by LP id. */
      lps: { lp: number; state: unknown }[];
    }
  | { ok: false; aborted: true }
  | { ok: false; aborted: false; code: string; message: string };
