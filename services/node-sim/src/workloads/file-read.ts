/**
 * `file-read`: a read-heavy server on the memory model (shared/src/workload/file-read.ts), built on
 * the kernbench machinery as mem-pressure is: every CPU runs one reader process (or thread) that
 * never exits within the run, reading random pages of a file set cached before the run (highmem
 * on i386: every read is a kmap_high, or a kmap_atomic with `kmap=atomic`). With `cpusPerMm` > 1
 * the readers of consecutive CPUs share one mm, so a per-mm pool is shared by threads on several
 * CPUs and its flushes reach all of them (flush_tlb_mm).
 */
import type { FileReadConfig, FileReadResult, KernbenchConfig } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import { invariant } from '../errors.js';
import { buildKernbench } from './kernbench.js';
import type { Model } from './model.js';

/** More reads per process than any run does: a reader never exits. */
const READS_PER_PROCESS = 1 << 20;

export function buildFileRead(kernelFor: (lookaheadNs: number) => Kernel, cfg: FileReadConfig): Model {
  const { filePages, userNsPerRead, cpusPerMm, threadsPerCpu, ...machineAndVm } = cfg;
  const cpus = cfg.nodes * cfg.cpusPerNode;
  const readers: KernbenchConfig = {
    ...machineAndVm,
    kind: 'kernbench',
    jobs: cpus,
    parallelJobs: cpus,
    processes: [{ name: 'reader', anonPages: 0, fileFaults: 0, readPages: READS_PER_PROCESS, writePages: 0, cpuNs: READS_PER_PROCESS * userNsPerRead }],
    faultBurst: 1,
    treePages: filePages,
  };
  const mmOfCpu = Int32Array.from({ length: cpus }, (_, c) => Math.floor(c / cpusPerMm));
  const model = buildKernbench(kernelFor, readers, 'half', mmOfCpu, threadsPerCpu);
  return {
    ...model,
    progress: undefined, // the readers never exit: the run ends at durationNs
    result: (simulatedNs): FileReadResult => {
      const k = model.result(simulatedNs);
      invariant(k.kind === 'kernbench', 'file-read runs on the kernbench model');
      return { kind: 'file-read', reads: k.pageCacheLookups, readsPerSecond: (k.pageCacheLookups * 1e9) / simulatedNs };
    },
  };
}
