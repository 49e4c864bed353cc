/**
 * `kernbench`: a kernel build (`make -jN bzImage`) as the VM sees it. A fixed number of compile
 * jobs, handed out by make's jobserver to at most N CPUs at once; each job runs a chain of
 * processes (the gcc driver, cpp, cc1, as), each of which forks, execs, faults in its anonymous
 * memory and its mapped text, reads headers through the page cache, writes its output, and exits,
 * freeing everything. The report's `workload.completionNs` is the simulated build time.
 *
 * Defaults describe a 2.4.18 i386 bzImage build with gcc 2.95 and `-pipe` (no temporary files):
 * every figure is an assumption documented in docs/CALIBRATION.md, where they are held to the
 * published lockmeter row of Martin Bligh's 16-way NUMA-Q build (docs/SOURCES.md#calibration-row).
 */
import { Type, type TObject } from '@sinclair/typebox';
import { closedObject, nanoseconds } from './schema-kit.js';
import { machineProperties, type MachineConfig } from './machine.js';
import { commonProperties, type CommonConfig } from './common.js';
import { vmProperties, type VmConfig } from './vm.js';
import { schedProperties, type SchedConfig } from './sched.js';

export const MAX_PAGES_PER_PROCESS = 1 << 16;

/**
 * kmap calls per execve by copy_strings: one per argument or environment string (2.4 fs/exec.c
 * kmaps the argument page for every string it copies). 64 (A): a gcc, cpp, cc1 or as command line
 * of a 2.4 kernel build has some 20–30 arguments, and the environment of a make of the time some
 * 30–40 strings. docs/SOURCES.md#kmap has copy_strings making 2,274,831 of 3,762,429 kmap_high calls in
 * a `make -j6 bzImage`: at 64 strings an exec that is some 35,000 execs, most of them the shells
 * and sub-makes this model leaves out (it runs the 2,000 compiler processes only).
 */
export const EXEC_STRING_KMAPS_DEFAULT = 64;

/**
 * Page-cache reads per execve of a dynamically linked program (2.4.18 fs/exec.c and
 * fs/binfmt_elf.c, each a `kernel_read`, i.e. `do_generic_file_read`): prepare_binprm's first
 * 128 bytes, load_elf_binary's program headers and PT_INTERP name, the interpreter's first
 * 128 bytes and its program headers; then ld.so's read() of libc's ELF header. Six.
 */
export const EXEC_READS_DEFAULT = 6;

export const KernbenchProcessSpec = closedObject(
  {
    name: Type.String({ minLength: 1, maxLength: 40, description: 'the program (gcc, cpp, cc1, as)' }),
    anonPages: Type.Integer({ minimum: 0, maximum: MAX_PAGES_PER_PROCESS, description: 'anonymous pages it faults in (heap, stack, data), all freed at exit' }),
    fileFaults: Type.Integer({ minimum: 0, maximum: 1 << 20, description: 'faults on mapped file pages (its text and libraries): page-cache hits' }),
    readPages: Type.Integer({ minimum: 0, maximum: 1 << 20, description: 'page-cache pages it read()s (sources and headers)' }),
    writePages: Type.Integer({ minimum: 0, maximum: 1 << 20, description: 'pages it writes into the page cache (its output), which stay cached' }),
    cpuNs: nanoseconds({ maximum: 1e12, description: 'user-mode CPU time, ns' }),
    start: Type.Optional(
      Type.Union([Type.Literal('fork'), Type.Literal('vfork')], {
        description:
          'with forkCow: how its parent starts it — "fork" (absent: the default) copies the parent\'s ptes, "vfork" (CLONE_VM, as GNU make and gcc 2.95\'s pexecute start their children) lends the parent\'s mm until exec: nothing copied, no COW',
      }),
    ),
  },
  { description: 'One process of a compile job.' },
);

export interface KernbenchProcess {
  name: string;
  anonPages: number;
  fileFaults: number;
  readPages: number;
  writePages: number;
  cpuNs: number;
  start?: 'fork' | 'vfork';
}

/** A compile job of a 2.4.18 bzImage build with gcc 2.95 -pipe (docs/CALIBRATION.md). */
export const KERNBENCH_DEFAULT_PROCESSES: KernbenchProcess[] = [
  // fileFaults and cpp's readPages make the published pagecache_lock callers' counts (docs/CALIBRATION.md):
  // __find_get_page (file faults) 475,603 ≈ 500 jobs × 950; do_generic_file_read 127,606 ≈ 500 × 225 + exec's header reads.
  { name: 'gcc', anonPages: 60, fileFaults: 86, readPages: 0, writePages: 0, cpuNs: 5_000_000 },
  { name: 'cpp', anonPages: 150, fileFaults: 108, readPages: 225, writePages: 0, cpuNs: 80_000_000 },
  { name: 'cc1', anonPages: 660, fileFaults: 540, readPages: 0, writePages: 0, cpuNs: 480_000_000 }, // fitted to the build time (docs/CALIBRATION.md)
  { name: 'as', anonPages: 80, fileFaults: 86, readPages: 0, writePages: 8, cpuNs: 40_000_000 },
  // Rules.make's `%.o: %.c` rule then has make run /bin/sh to write the object's .o.flags file.
  { name: 'sh', anonPages: 40, fileFaults: 130, readPages: 0, writePages: 1, cpuNs: 2_000_000 },
];

export const KernbenchSpec: TObject = closedObject(
  {
    kind: Type.Literal('kernbench'),
    ...commonProperties,
    durationNs: nanoseconds({ minimum: 1, default: 120_000_000_000, description: 'simulated time limit, ns: the run ends when the build does, or here' }),
    ...machineProperties,
    ...vmProperties,
    ...schedProperties,
    jobs: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 500, description: 'compile jobs in the build (object files)' }),
    parallelJobs: Type.Integer({ minimum: 1, maximum: 4096, default: 32, description: 'make -jN: jobs running at once (without a scheduler at most one per CPU runs, more only keep every CPU busy; with one, up to 4 per CPU are tasks of their own that share the CPUs)' }),
    processes: Type.Array(KernbenchProcessSpec, {
      minItems: 1,
      maxItems: 16,
      default: KERNBENCH_DEFAULT_PROCESSES,
      description: 'the processes of one compile job, run one after another',
    }),
    faultBurst: Type.Integer({ minimum: 1, maximum: 4096, default: 16, description: 'anonymous pages a process touches in a row, with no user time between the faults (a fresh heap chunk, a growing stack, bss at exec)' }),
    treePages: Type.Integer({ minimum: 1, maximum: 1 << 22, default: 4000, description: 'pages of sources and headers the build reads, in the page cache (inactive) at the start' }),
    execStringKmaps: Type.Integer({
      minimum: 0,
      maximum: 1 << 16,
      default: EXEC_STRING_KMAPS_DEFAULT,
      description: 'kmap calls copy_strings makes per execve (one per argument or environment string); see EXEC_STRING_KMAPS_DEFAULT',
    }),
    execArgPages: Type.Integer({ minimum: 1, maximum: 32, default: 1, description: 'argument pages those strings fill (MAX_ARG_PAGES is 32); each needs one new kmap, the other calls reuse page->virtual' }),
    execReads: Type.Integer({
      minimum: 0,
      maximum: 1024,
      default: EXEC_READS_DEFAULT,
      description: 'page-cache reads (kernel_read) each execve and the dynamic loader make of the binary, ld.so and libc headers; see EXEC_READS_DEFAULT',
    }),
  },
  { description: 'make -jN bzImage: a fixed number of compile jobs; reports the simulated build time.' },
);


export interface KernbenchConfig extends CommonConfig, MachineConfig, VmConfig, SchedConfig {
  kind: 'kernbench';
  jobs: number;
  parallelJobs: number;
  processes: KernbenchProcess[];
  faultBurst: number;
  treePages: number;
  /** Absent for workloads whose processes exec no compilers (mem-pressure's and file-read's readers on the process runner): none. */
  execStringKmaps?: number;
  execArgPages?: number;
  execReads?: number;
}
