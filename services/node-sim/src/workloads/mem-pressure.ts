/**
 * `mem-pressure`: readers of a file set larger than memory, a driver of the process runner
 * (process-runner.ts, after Linux 2.4.18): every CPU runs reader processes one after another,
 * each of which forks, execs, faults in a little anonymous memory and reads `readsPerProcess`
 * random pages of the files (`do_generic_file_read`: the lookup under pagecache_lock,
 * `mark_page_accessed`, the copy to user), with `userNsPerRead` of user time per page
 * (`access: mmap`: each page is a file fault instead, mapped until the reader exits). Pages not in
 * the page cache are read back from disk into a new page; the cache stays full, so every
 * allocation leans on reclaim (mm/vmscan.ts), which meets mapped pages under mmap.
 *
 * Left out: the files' pages are spread evenly over the nodes and a page read back goes to its own
 * node (no NUMA placement of the page cache by reader); reads are uniform over the file set; the
 * next reader is handed out by the runner's run queue on node 0, as by a pre-forking master.
 */
import type { MemPressureConfig, MemPressureResult } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import type { Model } from './model.js';
import { buildProcessRunner, jobLatency, sumNodes } from './process-runner-build.js';

/** More reader processes than any run can finish: the run ends at durationNs. */
const ENDLESS_JOBS = 1_000_000;

export function buildMemPressure(kernelFor: (lookaheadNs: number) => Kernel, cfg: MemPressureConfig): Model {
  const { filePages, readsPerProcess, userNsPerRead, anonPages, access, ...machineAndVm } = cfg;
  const mmap = access === 'mmap';
  const cpus = cfg.nodes * cfg.cpusPerNode;
  const { nodes, time, sched, ...runner } = buildProcessRunner(
    kernelFor,
    {
      ...machineAndVm,
      jobs: ENDLESS_JOBS,
      parallelJobs: cpus,
      processes: [{ anonPages, fileFaults: mmap ? readsPerProcess : 0, readPages: mmap ? 0 : readsPerProcess, writePages: 0, cpuNs: readsPerProcess * userNsPerRead }],
      faultBurst: 16,
      filePages,
    },
    'full',
  );
  return {
    ...runner,
    // The readers never run out: the run ends at durationNs, and has no progress() of its own.
    result: (simulatedNs): MemPressureResult => {
      const reads = sumNodes(nodes, (n) => n.cache.lookups);
      const refaults = sumNodes(nodes, (n) => n.cache.refaults);
      return {
        kind: 'mem-pressure',
        reads,
        readsPerSecond: (reads * 1e9) / simulatedNs,
        refaults,
        hitPercent: reads > 0 ? (100 * (reads - refaults)) / reads : 0,
        processes: sumNodes(nodes, (n) => n.processes),
        allocationFailures: sumNodes(nodes, (n) => n.allocationFailures),
        processLatencyNs: jobLatency(nodes),
        time: time(simulatedNs),
        ...(sched() !== undefined ? { sched: sched() } : {}),
      };
    },
  };
}
