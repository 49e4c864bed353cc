/**
 * `file-read`: a read-heavy server on the memory model (shared/src/workload/file-read.ts), a driver
 * of the process runner (process-runner.ts, after Linux 2.4.18): every CPU runs one reader process
 * (or thread) that never exits within the run, reading random pages of a file set cached before
 * the run (highmem on i386: every read is a kmap_high, or a kmap_atomic with `kmap=atomic`). With
 * `cpusPerMm` > 1 the readers of consecutive CPUs share one mm, so a per-mm pool is shared by
 * threads on several CPUs and its flushes reach all of them (flush_tlb_mm).
 *
 * Left out: the reader's fork and exec are those of the runner (they happen once, at the start);
 * no writes, no anonymous memory.
 */
import type { FileReadConfig, FileReadResult } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import type { Model } from './model.js';
import { buildProcessRunner, sumNodes } from './process-runner-build.js';

/** More reads per process than any run does: a reader never exits. */
const READS_PER_PROCESS = 1 << 20;

export function buildFileRead(kernelFor: (lookaheadNs: number) => Kernel, cfg: FileReadConfig): Model {
  const { filePages, userNsPerRead, cpusPerMm, threadsPerCpu, ...machineAndVm } = cfg;
  const cpus = cfg.nodes * cfg.cpusPerNode;
  const mmOfCpu = Int32Array.from({ length: cpus }, (_, c) => Math.floor(c / cpusPerMm));
  const { nodes, time, sched, ...runner } = buildProcessRunner(
    kernelFor,
    {
      ...machineAndVm,
      jobs: cpus, // one reader per CPU
      parallelJobs: cpus,
      processes: [{ anonPages: 0, fileFaults: 0, readPages: READS_PER_PROCESS, writePages: 0, cpuNs: READS_PER_PROCESS * userNsPerRead }],
      faultBurst: 1,
      filePages,
    },
    'half',
    mmOfCpu,
    threadsPerCpu,
  );
  return {
    ...runner,
    // The readers never exit: the run ends at durationNs, and has no progress() of its own.
    result: (simulatedNs): FileReadResult => {
      const reads = sumNodes(nodes, (n) => n.cache.lookups);
      return { kind: 'file-read', reads, readsPerSecond: (reads * 1e9) / simulatedNs, time: time(simulatedNs), ...(sched() !== undefined ? { sched: sched() } : {}) };
    },
  };
}
