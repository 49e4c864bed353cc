/**
 * What the runner needs from a built model, whatever its kind: the kernel with every LP added and
 * seeded, the machine, the locks, and a way to read the results once the run has stopped.
 */
import type { MemoryReport, WorkloadResult } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import type { Topology } from '../machine/topology.js';
import type { LockRegistry } from '../locks/lock-registry.js';
import type { LockStats } from '../locks/lock-stats.js';

/** Work done of a workload's own amount of work, in `unit`s. */
export interface WorkloadProgress {
  unit: 'jobs' | 'processes';
  done: number;
  total: number;
}

export interface Model {
  readonly kernel: Kernel;
  readonly topology: Topology;
  readonly registry: LockRegistry;
  /** Each LP's lock statistics; the report merges them. */
  lockStats(): LockStats[];
  /** The workload's own figures after a run of `simulatedNs`. */
  result(simulatedNs: number): WorkloadResult;
  /** Zones, numastat and the like, for memory workloads. */
  memory?(): MemoryReport;
  /** Only the zones of `memory()`, for the sampled series (every model with `memory` has it): one sample every 10 simulated ms must not build the whole report. */
  zones?(): MemoryReport['zones'];
  /**
   * How far a workload that ends by itself has got towards its end (kernbench: jobs finished of
   * jobs). Absent for workloads that run for their durationNs. Sums per-LP counters, so on node
   * workers each thread's figure counts its own LPs and the coordinator adds them up.
   */
  progress?(): WorkloadProgress;
  /** The model's BUG_ONs over its whole state (debug runs and tests). */
  checkInvariants?(): void;
}
