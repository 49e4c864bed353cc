/**
 * `mem-pressure`: readers of a file set larger than memory, on the kernbench machinery
 * (kernbench.ts): every CPU runs reader processes one after another, each of which forks, execs,
 * faults in a little anonymous memory and reads `readsPerProcess` random pages of the files
 * (`do_generic_file_read`: the lookup under pagecache_lock, `mark_page_accessed`, the copy to user), with `userNsPerRead` of user time
 * per page (`access: mmap`: each page is a file fault instead, mapped until the reader exits). Pages
 * not in the page cache are read back from disk into a new page; the cache stays full, so every
 * allocation leans on reclaim (mm/vmscan.ts), which meets mapped pages under mmap.
 *
 * Simplified: the files' pages are spread evenly over the nodes and a page read back goes to its
 * own node (no NUMA placement of the page cache by reader); reads are uniform over the file set.
 */
import type { KernbenchConfig, MemPressureConfig, MemPressureResult } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import { invariant } from '../errors.js';
import { buildKernbench } from './kernbench.js';
import type { Model } from './model.js';

/** More reader processes than any run can finish: the run ends at durationNs. */
const ENDLESS_JOBS = 1_000_000;

export function buildMemPressure(kernelFor: (lookaheadNs: number) => Kernel, cfg: MemPressureConfig): Model {
  const { filePages, readsPerProcess, userNsPerRead, anonPages, access, ...machineAndVm } = cfg;
  const mmap = access === 'mmap';
  const cpus = cfg.nodes * cfg.cpusPerNode;
  const readers: KernbenchConfig = {
    ...machineAndVm,
    kind: 'kernbench',
    jobs: ENDLESS_JOBS,
    parallelJobs: cpus,
    processes: [{ name: 'reader', anonPages, fileFaults: mmap ? readsPerProcess : 0, readPages: mmap ? 0 : readsPerProcess, writePages: 0, cpuNs: readsPerProcess * userNsPerRead }],
    faultBurst: 16,
    treePages: filePages,
  };
  const model = buildKernbench(kernelFor, readers, 'full');
  return {
    ...model,
    progress: undefined, // the readers never run out: the run ends at durationNs
    result: (simulatedNs): MemPressureResult => {
      const k = model.result(simulatedNs);
      invariant(k.kind === 'kernbench', 'mem-pressure runs on the kernbench model');
      return {
        kind: 'mem-pressure',
        reads: k.pageCacheLookups,
        readsPerSecond: (k.pageCacheLookups * 1e9) / simulatedNs,
        refaults: k.refaults,
        hitPercent: k.pageCacheLookups > 0 ? (100 * (k.pageCacheLookups - k.refaults)) / k.pageCacheLookups : 0,
        processes: k.processes,
        allocationFailures: k.allocationFailures,
        processLatencyNs: k.jobLatencyNs,
      };
    },
  };
}
