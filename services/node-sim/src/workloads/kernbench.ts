/**
 * `kernbench`: `make -jN bzImage` on the NUMA memory model, one LP per node, as a driver of the
 * process runner (process-runner.ts, after Linux 2.4.18): make's jobserver is the runner's run
 * queue on node 0, handing out `jobs` compile jobs, each the processes of one compile (the gcc
 * driver, cpp, cc1, as) run one after another; the build is over when the last job reports back, and that time is
 * the build time (`completionNs`). At most `parallelJobs` CPUs work at once. The sources and
 * headers are the runner's file set, half of memory in the page cache before the build.
 *
 * Left out: make's own work and the link. Without a `scheduler`, -jN above the CPU count would only
 * make jobs wait for a CPU, so a CPU runs one job at a time; with one, the jobs beyond the CPU count
 * are job streams of their own sharing the CPUs (sched/task-slots.ts).
 */
import type { KernbenchConfig, KernbenchResult } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import { faultLatency } from '../mm/mm-report.js';
import type { Model } from './model.js';
import { buildProcessRunner, jobLatency, jobsCompleted, sumNodes } from './process-runner-build.js';

export function buildKernbench(kernelFor: (lookaheadNs: number) => Kernel, cfg: KernbenchConfig): Model {
  const { nodes, time, sched, ...runner } = buildProcessRunner(kernelFor, { ...cfg, filePages: cfg.treePages, textFaults: true }, 'half');
  const sum = (f: (n: (typeof nodes)[number]) => number) => sumNodes(nodes, f);
  return {
    ...runner,
    progress: () => ({ unit: 'jobs', done: jobsCompleted(nodes), total: cfg.jobs }),
    result: (simulatedNs): KernbenchResult => {
      const { faults, latency } = faultLatency(nodes);
      return {
        kind: 'kernbench',
        completionNs: nodes[0].completionNs,
        jobs: cfg.jobs,
        jobsCompleted: jobsCompleted(nodes),
        processes: sum((n) => n.processes),
        anonFaults: faults,
        pageCacheLookups: sum((n) => n.cache.lookups),
        pageCacheWrites: sum((n) => n.writes),
        activations: sum((n) => n.cache.activations),
        refaults: sum((n) => n.cache.refaults),
        fileMaps: sum((n) => n.cache.fileMaps),
        allocationFailures: sum((n) => n.allocationFailures),
        faultLatencyNs: latency,
        jobLatencyNs: jobLatency(nodes),
        perNode: nodes.map((lp) => ({ node: lp.node, jobs: lp.jobsDone.reduce((a, b) => a + b, 0), anonFaults: lp.faults.anonFaults.reduce((a, b) => a + b, 0) })),
        // `time make`: over the build, or the run when it stopped first.
        time: time(nodes[0].completionNs ?? simulatedNs),
        ...(sched() !== undefined ? { sched: sched() } : {}),
      };
    },
  };
}
