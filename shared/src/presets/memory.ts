/** Memory-model presets: the VM of 2002 on the machines it ran on. */
import type { Preset } from './index.js';
import { KERNBENCH_DEFAULT_PROCESSES } from '../workload/kernbench.js';

/**
 * 2.4.18 on NUMA-Q as it ran (issue #18, docs/CALIBRATION.md): every mechanism the model has for
 * that kernel and machine, none left out. Kernel: the global kmap pool with copy_strings' kmaps,
 * kernel text on node 0 with its fetch misses, page tables in lowmem walked a line at a time,
 * task_structs and stacks in node 0's lowmem, fork with copy-on-write, shrink_cache's nesting,
 * 2.4's scheduler, HZ = 100, the i386 NUMA-Q layout (every node's mem_map and pg_data_t in node
 * 0's lowmem, worked on by the CPU itself: remoteOps=direct). User time priced by where memory
 * is (userStallShare, an assumption: docs/SOURCES.md#user-stalls). The hardware's mechanisms
 * (test-and-set timed by the lock line, the quads' 32 MB remote caches) come with the numaq
 * machine presets (machines.ts).
 */
/** The kernel-level mechanisms of 2.4.18 on NUMA-Q that every memory workload has (the scheduler and stall pricing are the process runner's). */
export const NUMAQ_2418_VM = {
  pteWalk: 'sequential',
  remoteOps: 'direct',
  taskArea: 'lowmem',
  forkCow: true,
  reclaimNesting: true,
  irqHz: 100,
} as const;

const NUMAQ_2418 = {
  ...NUMAQ_2418_VM,
  kmap: 'global',
  execStringKmaps: 64,
  textMissLines: 4,
  pte: 'lowmem',
  scheduler: '2.4',
  userStallShare: 0.2,
} as const;

/** make and gcc 2.95's pexecute start gcc, cpp, cc1 and as with vfork; Rules.make's shell is forked. */
const KERNBENCH_2418_PROCESSES = KERNBENCH_DEFAULT_PROCESSES.map((p) => (p.name === 'sh' ? { ...p } : { ...p, start: 'vfork' as const }));

export const memoryPresets: Preset[] = [
  {
    name: 'numaq-16-page-fault',
    summary: 'will-it-scale page_fault1 on a 16-way NUMA-Q (2.4 LRU, one global pagemap_lru_lock): try --set lru=2.5-zone, pagevec=true',
    workload: { kind: 'page-fault', machine: 'numaq-16', lru: '2.4', pagevec: false, zonelist: 'numa-local', ...NUMAQ_2418_VM, pagesPerCycle: 128, durationNs: 200_000_000, seed: 1 },
  },
  {
    name: 'numaq-16-kernbench',
    summary:
      'make -j32 bzImage on a 16-way NUMA-Q, 2.4.18 with NUMA-local allocation as it ran: the global kmap pool, copy_strings kmaps, kernel text on node 0, ' +
      '2.4\'s scheduler and every other mechanism on; held to the published lockmeter row (docs/CALIBRATION.md)',
    workload: { kind: 'kernbench', machine: 'numaq-16', lru: '2.4', pagevec: false, zonelist: 'numa-local', ...NUMAQ_2418, processes: KERNBENCH_2418_PROCESSES, jobs: 500, parallelJobs: 32, seed: 1 },
  },
  {
    name: 'numaq-64-kernbench',
    summary: 'the same 500-job build with make -j128 on a 64-way NUMA-Q (16 quads), a machine 2.4 never ran (i386 stopped at 32 CPUs): the global LRU lock at four times the CPUs (CON near 100%)',
    workload: { kind: 'kernbench', machine: 'numaq-64', lru: '2.4', pagevec: false, zonelist: 'numa-local', ...NUMAQ_2418, processes: KERNBENCH_2418_PROCESSES, jobs: 500, parallelJobs: 128, seed: 1 },
  },
  {
    name: 'numaq-16-fork-exit',
    summary: 'fork/exec/exit-heavy: 4,000 short shell commands on a 16-way NUMA-Q (kernel entries dominate): try --set text=replicated',
    workload: {
      kind: 'kernbench',
      machine: 'numaq-16',
      lru: '2.4',
      ...NUMAQ_2418,
      text: 'node0',
      jobs: 4000,
      parallelJobs: 32,
      processes: [{ name: 'sh', anonPages: 30, fileFaults: 40, readPages: 0, writePages: 0, cpuNs: 300_000 }],
      seed: 1,
    },
  },
  {
    name: 'numaq-16-mem-pressure',
    summary: 'readers of 6 GiB of files on a 4 GB 16-way NUMA-Q: the page cache stays full, kswapd and shrink_cache run under pagemap_lru_lock',
    workload: { kind: 'mem-pressure', machine: 'numaq-16', lru: '2.4', pagevec: false, zonelist: 'numa-local', ...NUMAQ_2418_VM, durationNs: 2_000_000_000, seed: 1 },
  },
  {
    name: 'numaq-16-mmap-pressure',
    summary:
      'long-lived readers mmap files 1.5× memory on a NUMA-Q scaled down to 32 MiB a quad (24 MiB lowmem) with a fast disk, so the LRU turns over in seconds: ' +
      'rmap unmaps mapped pages through their pte_chains, kswapd out of context (UKVA page tables fall back to kmap_atomic); try --set lru=2.4, pte=lowmem, kswapdKmapPool=true, bounce=true',
    workload: {
      kind: 'mem-pressure',
      machine: 'numaq-16',
      memPerNodeMiB: 32,
      lowmemMiB: 24,
      lru: 'rmap',
      pte: 'ukva',
      access: 'mmap',
      filePages: 49_152,
      readsPerProcess: 100_000,
      userNsPerRead: 1000,
      costs: { diskReadNs: 100_000 },
      durationNs: 3_000_000_000,
      seed: 1,
    },
  },
  {
    name: 'numaq-16-file-read',
    summary: 'a read-heavy server on a 16-way NUMA-Q: every read() kmaps a highmem page-cache page under 2.4\'s global kmap_lock; try --set kmap=atomic, per-mm, per-task',
    workload: { kind: 'file-read', machine: 'numaq-16', lru: '2.4', kmap: 'global', ...NUMAQ_2418_VM, filePages: 16_384, userNsPerRead: 100_000, durationNs: 200_000_000, seed: 1 },
  },
  {
    name: 'numaq-32-shm-db',
    summary: '2,000 database processes attach a 2 GB SGA on a 32-way NUMA-Q: 4 GB of page tables do not fit in lowmem (OOM); try --set pte=highmem or pte=ukva',
    workload: { kind: 'shm-db', machine: 'numaq-32', lru: '2.4', kmap: 'global', pte: 'lowmem', ...NUMAQ_2418_VM, processes: 2000, segmentMiB: 2048, seed: 1 },
  },
  {
    name: 'x86_64-2s-page-fault',
    summary: 'page_fault1 on a modern two-socket x86_64 box with 2.5-style per-zone LRU locks and pagevecs',
    workload: { kind: 'page-fault', machine: 'x86_64-2s', lru: '2.5-zone', pagevec: true, pagesPerCycle: 256, durationNs: 100_000_000, seed: 1 },
  },
];
