/**
 * Builds a process runner (process-runner.ts) for a driver — kernbench, file-read, mem-pressure —
 * and reads its nodes' counters back: the machine and its program slots (under a scheduler,
 * make's jobs beyond the CPU count get slots of their own: sched/task-slots.ts), the locks the
 * runner's subsystems add (the kmap pools, the runqueue locks), the nodes, and the report's parts
 * every driver shares (memory, `workload.time`, `workload.sched`, job latencies).
 */
import type { LatencySummary, ProcessTimeReport, SchedReport } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import { Topology } from '../machine/topology.js';
import { memoryMap } from '../machine/memory-map.js';
import { HIST_BUCKETS } from '../locks/lock-stats.js';
import { addKmapLocks, mmPerCpu, type KmapShared } from '../mm/highmem.js';
import { PageCache, pageCacheReport, type CacheFill } from '../mm/page-cache.js';
import { buildMmShared } from '../mm/mm-shared.js';
import { summarize } from '../mm/mm-report.js';
import { highmemModelParts, startNodes, type HighmemModelParts } from '../mm/highmem-model.js';
import { taskAreaReport } from '../mm/task-area.js';
import { forkReport } from '../mm/fork.js';
import { processTime } from '../sched/cpu-times.js';
import { slotsPerCpu, slotTopology } from '../sched/task-slots.js';
import { addRunqueueLocks } from '../sched/sched-home.js';
import { ProcessNode, type ProcessRunnerConfig } from './process-runner.js';

/** A runner's model without its result: its nodes, whose counters each driver reads. */
export type ProcessRunnerModel = HighmemModelParts & {
  readonly nodes: readonly ProcessNode[];
  /** `workload.time` at the end of `elapsedNs` (sched/cpu-times.ts). */
  time(elapsedNs: number): ProcessTimeReport;
  /** What the scheduler did; undefined without one (`scheduler` none). */
  sched(): SchedReport | undefined;
};

/**
 * `mmOfCpu`: the address space each CPU's processes run in; by default one per CPU (single-threaded
 * processes); file-read groups CPUs into the threads of one process, and may run `threadsPerCpu`
 * threads of it on each CPU, taking turns read by read.
 */
export function buildProcessRunner(kernelFor: (lookaheadNs: number) => Kernel, cfg: ProcessRunnerConfig, fillCache: CacheFill, mmOfCpu?: Int32Array, threadsPerCpu = 1): ProcessRunnerModel {
  // Under a scheduler, make's jobs beyond the CPU count get program slots of their own (sched/task-slots.ts).
  const real = new Topology(cfg);
  const topo = slotTopology(cfg, real, slotsPerCpu(cfg.scheduler, cfg.parallelJobs, real.cpus));
  let km: KmapShared | undefined;
  let rqLocks: Int32Array | null = null;
  const shared = buildMmShared(cfg, topo, memoryMap(cfg.layout, cfg.nodes, cfg.memPerNodeMiB, cfg.lowmemMiB), (add) => {
    km = addKmapLocks(cfg, topo, mmOfCpu ?? mmPerCpu(topo), add, threadsPerCpu);
    rqLocks = addRunqueueLocks(cfg.scheduler, real, add);
  });
  const kernel = kernelFor(topo.lookaheadNs);
  const nodes = startNodes(kernel, cfg.nodes, (n) => new ProcessNode(kernel, n, shared, fillCache, km!, rqLocks, topo === real ? null : real));
  const parts = highmemModelParts(cfg, kernel, topo, shared, km!, nodes);
  return {
    ...parts,
    topology: real,
    nodes,
    checkInvariants: () => {
      parts.checkInvariants();
      nodes[0].schedHome?.core.check();
      PageCache.checkMappings(nodes.map((n) => n.cache));
      for (const n of nodes) n.fork?.chains?.checkInvariants();
    },
    time: (elapsedNs) => processTime(nodes.map((n) => n.times), real.cpus, elapsedNs, { on: (cfg.userStallShare ?? 0) > 0, remoteCache: (cfg.remoteCacheMiB ?? 0) > 0 && cfg.nodes > 1 }, topo.cpus),
    sched: () => {
      const home = nodes[0].schedHome;
      if (home === null) return undefined;
      const c = home.core;
      return {
        scheduler: cfg.scheduler!,
        migrations: c.migrations,
        crossNodeMigrations: c.crossNodeMigrations,
        contextSwitches: c.contextSwitches,
        runqueueLockHolds: c.lockHolds,
        balancePulls: c.balancePulls,
        newTaskMoves: c.newTaskMoves,
        newTaskCrossNode: c.newTaskCrossNode,
        ...(c.tasks > c.programs ? { pipeWakeups: home.partnerWakes, preemptions: c.preemptions } : {}),
      };
    },
    memory: () => ({
      ...parts.memory(),
      pageTables: { placement: cfg.pte, pagesAllocated: sumNodes(nodes, (n) => n.pageTables!.allocated), allocationsFailed: sumNodes(nodes, (n) => n.pageTables!.failed) },
      ...pageCacheReport(nodes.map((n) => n.cache)),
      ...(nodes[0].taskArea === null ? {} : { taskArea: taskAreaReport(shared, nodes.map((n) => n.taskArea!)) }),
      ...forkReport(nodes.map((n) => n.fork)),
    }),
  };
}

export function sumNodes(nodes: readonly ProcessNode[], f: (n: ProcessNode) => number): number {
  return nodes.reduce((s, n) => s + f(n), 0);
}

/** Jobs finished on every node. */
export function jobsCompleted(nodes: readonly ProcessNode[]): number {
  return sumNodes(nodes, (n) => n.jobsDone.reduce((a, b) => a + b, 0));
}

/** The latency of a job, from the run queue's answer to its last process's exit. */
export function jobLatency(nodes: readonly ProcessNode[]): LatencySummary {
  const hist = new Float64Array(HIST_BUCKETS);
  for (const lp of nodes) for (let b = 0; b < HIST_BUCKETS; b++) hist[b] += lp.jobHist[b];
  return summarize(hist, sumNodes(nodes, (n) => n.jobTotal), jobsCompleted(nodes), Math.max(...nodes.map((n) => n.jobMax)));
}
