/**
 * The report: a public contract. `numasim run --json` prints it, the HTTP API serves it, scripts
 * parse it. Add fields freely; rename or remove one only with a new `schemaVersion`.
 *
 * Units are in the names (`holdMeanNs`, `utilPercent`). Lock statistics follow lockmeter's
 * definitions (docs/SOURCES.md#lock-stats; docs/REPORT.md):
 * - attempts = acquisitions + trylockFailures (lockmeter's TOTAL);
 * - utilPercent = holdTotalNs / simulatedNs;
 * - spinPercent = contentions / attempts, rjectPercent = trylockFailures / attempts,
 *   conPercent = spinPercent + rjectPercent, nowaitPercent = 100 − conPercent;
 * - waitMeanNs is over contended acquisitions only; waitCpuPercent = waitTotalNs / (cpus × simulatedNs);
 * - conBounces / acqBounces as /proc/lock_stat: contentions / acquisitions where the lock last
 *   ran on another CPU.
 * Percentiles come from a log-linear histogram (16 sub-buckets per power of two): within 6.25%.
 */
import type { WorkloadConfig } from '../workload/resolve.js';
import type { KernelTextReport, KmapReport, PageTablesReport } from './highmem.js';
import type { ModernResult } from './modern.js';

export const REPORT_SCHEMA_VERSION = 1;

/** Fields that depend on the machine running the simulation, not on the simulation. */
export const REPORT_TIMING_FIELDS = ['engine.wallSeconds', 'engine.eventsPerSecond'] as const;

export interface LockCallerReport {
  name: string;
  /** Call sites of a read-write semaphore: 'R' takes it shared (down_read), 'W' exclusive. Absent for spinlock call sites. */
  mode?: 'R' | 'W';
  acquisitions: number;
  contentions: number;
  trylockFailures: number;
  attempts: number;
  utilPercent: number;
  conPercent: number;
  holdMeanNs: number;
  holdMaxNs: number;
  holdTotalNs: number;
  waitMeanNs: number;
  waitMaxNs: number;
  waitTotalNs: number;
}

export interface LockReport {
  /** Instance name, e.g. `pagemap_lru_lock`, `bench_lock[3]`. */
  name: string;
  /** Lock class shared by instances, e.g. `bench_lock`, `zone.lru_lock`. */
  class: string;
  /** Node whose memory holds the lock word. */
  homeNode: number;
  /** 'rwsem' for a read-write semaphore (mmap_lock); absent for a spinlock. */
  type?: 'rwsem';
  acquisitions: number;
  contentions: number;
  trylockFailures: number;
  attempts: number;
  utilPercent: number;
  conPercent: number;
  spinPercent: number;
  rjectPercent: number;
  nowaitPercent: number;
  holdMinNs: number;
  holdMeanNs: number;
  holdMaxNs: number;
  holdTotalNs: number;
  holdP50Ns: number;
  holdP99Ns: number;
  waitMinNs: number;
  waitMeanNs: number;
  waitMaxNs: number;
  waitTotalNs: number;
  waitP50Ns: number;
  waitP99Ns: number;
  waitCpuPercent: number;
  conBounces: number;
  acqBounces: number;
  /** Acquisitions made while the CPU already held another lock (nested inside it, as shrink_cache nests pagecache_lock and zone->lock in pagemap_lru_lock); absent when none. */
  nestedAcquisitions?: number;
  callers: LockCallerReport[];
}

export interface LockbenchResult {
  kind: 'lockbench';
  /** Completed think → acquire → hold → release cycles. */
  operations: number;
  /** Per simulated second. */
  operationsPerSecond: number;
  trylockFailures: number;
  perNode: { node: number; operations: number }[];
}

/** A latency distribution in simulated ns. */
export interface LatencySummary {
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export interface PageFaultResult {
  kind: 'page-fault';
  /** Pages faulted in (each: allocate, clear, map, add to the LRU). */
  faults: number;
  faultsPerSecond: number;
  /** Completed mmap → touch → munmap cycles. */
  cycles: number;
  /** Faults that found no page (the allocation failed every pass). */
  allocationFailures: number;
  /** Fault latency from entry to the page on the LRU, simulated ns. */
  faultLatencyNs: LatencySummary;
  perNode: { node: number; faults: number }[];
}

/**
 * What `time make` prints for a process workload, over all CPUs: user + system + idle is CPUs ×
 * elapsed; `cpuPercent` is (user + system) / elapsed × 100, as `time` prints %CPU.
 */
export interface ProcessTimeReport {
  /** The build time (kernbench) or the simulated run, ns. */
  elapsedNs: number;
  /** The processes' own code, its memory stalls included, ns. */
  userNs: number;
  /** The kernel working for them (faults, system calls, fork, exec, exit, lock spinning), ns. */
  systemNs: number;
  /** CPUs with no task, ns. */
  idleNs: number;
  cpuPercent: number;
  /** With `userStallShare` set: the memory stalls in the user time, ns … */
  userStallNs?: number;
  /** … and the part of them spent on other nodes' memory, by the node of the CPU that stalled, ns. */
  remoteUserStallNs?: number[];
  /** … of which the quads' remote caches answered (with `remoteCacheMiB`), ns. */
  remoteCacheUserStallNs?: number;
}

/** With a `scheduler` other than "none": what the scheduler did. */
export interface SchedReport {
  scheduler: string;
  /** A task that had run moved to another CPU than the one it ran on last … */
  migrations: number;
  /** … of which to a CPU of another node (away from the memory it had touched). */
  crossNodeMigrations: number;
  /** A CPU switched to another task than the one it ran last. */
  contextSwitches: number;
  /** runqueue_lock (2.4) or rq->lock (o1, numa) acquisitions. */
  runqueueLockHolds: number;
  /** Tasks an idle CPU's load_balance() pulled from another runqueue (o1, numa). */
  balancePulls: number;
  /** New processes that started on another CPU than their parent's or, the first of a job, than the CPU their job stream ran on last (2.4: to an idle CPU) … */
  newTaskMoves: number;
  /** … of which on another node. */
  newTaskCrossNode: number;
  /** With gcc -pipe partners (`pipe`): wake-ups of a partner by a pipe page, and programs a woken partner preempted. */
  pipeWakeups?: number;
  preemptions?: number;
}

export interface KernbenchResult {
  kind: 'kernbench';
  /** The simulated build time: from the start to the last compile job's exit, ns; null when the run stopped first. */
  completionNs: number | null;
  jobs: number;
  jobsCompleted: number;
  /** Processes that ran to exit (each: fork, exec, run, exit). */
  processes: number;
  /** Anonymous pages faulted in (do_anonymous_page). */
  anonFaults: number;
  /** Page-cache lookups: file-backed faults (find_get_page), read() pages and exec's header reads (do_generic_file_read). */
  pageCacheLookups: number;
  /** Pages written into the page cache (add_to_page_cache): the build's output. */
  pageCacheWrites: number;
  /** mark_page_accessed calls that moved a page to the active list. */
  activations: number;
  /** Lookups that found their page dropped by reclaim and read it back from disk. */
  /** File faults that mapped a page-cache page (each unmapped again at exit, or by reclaim). */
  fileMaps: number;
  refaults: number;
  /** Allocations that found no page (the allocation failed every pass). */
  allocationFailures: number;
  /** Fault latency from entry to the page on the LRU, simulated ns. */
  faultLatencyNs: LatencySummary;
  /** One compile job (its processes, fork to exit), simulated ns. */
  jobLatencyNs: LatencySummary;
  perNode: { node: number; jobs: number; anonFaults: number }[];
  time: ProcessTimeReport;
  sched?: SchedReport;
}

export interface MemPressureResult {
  kind: 'mem-pressure';
  /** Pages read (page-cache lookups). */
  reads: number;
  readsPerSecond: number;
  /** Reads that found their page dropped by reclaim and went to disk. */
  refaults: number;
  /** Reads served from the page cache, %. */
  hitPercent: number;
  /** Reader processes that ran to exit. */
  processes: number;
  allocationFailures: number;
  /** Latency of one reader process, fork to exit, simulated ns. */
  processLatencyNs: LatencySummary;
  time: ProcessTimeReport;
  sched?: SchedReport;
}

export interface FileReadResult {
  kind: 'file-read';
  /** Pages read (read() of one page: do_generic_file_read's lookup, then file_read_actor's kmap and copy). */
  reads: number;
  readsPerSecond: number;
  time: ProcessTimeReport;
  sched?: SchedReport;
}

export interface ShmDbResult {
  kind: 'shm-db';
  processes: number;
  /** Processes that built page tables for the whole segment. */
  attached: number;
  /** A page-table allocation failed: the kernel of the era would have run the OOM killer. */
  outOfMemory: boolean;
  /** Page-table allocations that found no page, and the process that met the first one (null: none). */
  failedAllocations: number;
  firstFailureProcess: number | null;
  /** Page-table pages allocated, by the zone they came from. */
  ptePages: { node: number; zone: string; pages: number }[];
  /** From the start to the last process attached, ns; null when not every process attached. */
  completionNs: number | null;
}

/** One kind of operation of a mix group: how many completed and how long they took. */
export interface MixOpReport {
  completed: number;
  /** Per simulated second of the span reported on. */
  perSecond: number;
  /** From the end of the task's think time (it wants the CPU) to the operation's end, less its user time (userNs), simulated ns. */
  latencyNs: LatencySummary;
}

/** Operations of a mix group by kind (MIX_OPS). */
export interface MixOpsReport {
  fault: MixOpReport;
  munmap: MixOpReport;
  read: MixOpReport;
  write: MixOpReport;
}

export interface MixGroupReport {
  name: string;
  processes: number;
  threads: number;
  /** CPUs the group's tasks run on, in task order (process by process, thread by thread). */
  cpus: number[];
  ops: MixOpsReport;
}

export interface MixPhaseReport {
  name: string;
  startNs: number;
  /** The phase's end, or the run's end when the run stopped first. */
  endNs: number;
  /** Operations that completed within the phase, by group. */
  groups: { name: string; ops: MixOpsReport }[];
}

export interface MixResult {
  kind: 'mix';
  /** Operations completed, all groups and kinds. */
  operations: number;
  operationsPerSecond: number;
  /** Switches of a CPU from one task to another (contextSwitchNs each). */
  contextSwitches: number;
  /** Allocations that found no page (the allocation failed every pass). */
  allocationFailures: number;
  /** Reads of a file page that was not in the page cache (read from disk, diskReadNs). */
  readMisses: number;
  groups: MixGroupReport[];
  phases: MixPhaseReport[];
}

export interface PipeResult {
  kind: 'pipe';
  /** Round trips completed by all pairs (a word there and back: two wake-ups, two context switches on each side). */
  roundTrips: number;
  roundTripsPerSecond: number;
  /** Mean time of a round trip, simulated ns (null: none completed). */
  roundTripMeanNs: number | null;
  /** Wake-ups of a task asleep on a pipe's waitqueue, and the reschedule IPIs they sent to an idle CPU. */
  wakeups: number;
  rescheduleIpis: number;
  contextSwitches: number;
}

export type WorkloadResult = LockbenchResult | PageFaultResult | KernbenchResult | MemPressureResult | FileReadResult | ShmDbResult | MixResult | PipeResult | ModernResult;

/** Per zone, at the end of the run. */
export interface ZoneReport {
  node: number;
  zone: string;
  pages: number;
  freePages: number;
  watermarks: { min: number; low: number; high: number };
  allocations: number;
  frees: number;
  lruActive: number;
  lruInactive: number;
  /** Pages reclaim looked at (refill_inactive and shrink_cache) and freed, in this zone. */
  pagesScanned: number;
  pagesReclaimed: number;
}

/** The kernel's numastat per node: where pages came from relative to where they were wanted. */
export interface NumaStat {
  node: number;
  /** Allocated here, and this node was the first choice. */
  numaHit: number;
  /** Allocated here although another node was the first choice. */
  numaMiss: number;
  /** This node was the first choice, but the page came from another. */
  numaForeign: number;
  /** Allocated here for a CPU of this node / of another node. */
  localNode: number;
  otherNode: number;
}

export interface MemoryReport {
  layout: string;
  bytesPerFrame: number;
  zones: ZoneReport[];
  numastat: NumaStat[];
  kswapdWakeups: number;
  /** Zones looked at by all zonelist walks. */
  zonesVisited: number;
  /** kmap_atomic mappings (clearing or copying highmem pages): per-CPU, no lock, one invlpg each. */
  kmapAtomic: number;
  /**
   * Lock hardware (present only when its knobs are on): interrupts that landed inside holds of
   * locks taken without irqsave (`irqHz`), and test-and-set re-acquisitions won inside the
   * releaser's window (`lockLineTiming`).
   */
  lockHardware?: {
    timerInHold: number;
    deviceInHold: number;
    holdsLengthened: number;
    addedNs: number;
    reacquireWins: number;
  };
  /** Reclaim, for workloads that run it: kswapd rounds and allocations that waited for it. */
  reclaim?: {
    kswapdRuns: number;
    pagesScanned: number;
    pagesReclaimed: number;
    /** Times an allocation that failed every pass went to reclaim: ran it itself (direct) or waited for kswapd. */
    allocationWaits: number;
    /** try_to_free_pages calls by allocating tasks (`directReclaim`), and the pages they freed. */
    directReclaims: number;
    directPagesReclaimed: number;
    /** Mapped pages 2.4's scans passed over (no reverse map: they are swap_out's to unmap). */
    mappedSkipped: number;
    /** 2.4's swap_out: calls (a scan that passed over max_mapped mapped pages), ptes it looked at, ptes it unmapped, and the reclaiming threads' time in its page-table walks. */
    swapOuts: number;
    swapPtesScanned: number;
    swapPtesUnmapped: number;
    swapWalkNs: number;
    /** Ptes try_to_unmap cleared walking pte_chains (rmap, 2.5-zone), the TLB-flush IPIs they sent, and kswapd's time in the walks. */
    ptesUnmapped: number;
    unmapTlbIpis: number;
    unmapWalkNs: number;
    /** Page-table pages kswapd reached through its private kmap pool (`kswapdKmapPool`) instead of kmap_atomic. */
    kswapdPoolMaps: number;
  };
  /** Reads into highmem pages that went through a ZONE_NORMAL bounce page (`bounce`), and those served by the emergency pool. */
  bounce?: { pages: number; emergencyPool: number };
  /** Highmem workloads: kmap calls by caller and kind, pool wraps, TLB flushes, sleeps (report/highmem.ts). */
  kmap?: KmapReport;
  /** Kernel text fetches and replicas (report/highmem.ts). */
  text?: KernelTextReport;
  /** Page-table pages allocated and failed (report/highmem.ts). */
  pageTables?: PageTablesReport;
  /** Kernel stacks and task_structs (the `taskArea` knob; absent when it is left out). */
  taskArea?: TaskAreaReport;
  /** fork with copy-on-write and, under rmap, the pte_chains (`forkCow`). */
  fork?: ForkReport;
}

/** Where kernel stacks and task_structs live and what reaching them cost (services/node-sim/src/mm/task-area.ts). */
export interface TaskAreaReport {
  mode: 'lowmem' | 'per-task';
  cacheIndexing: 'physical' | 'virtual';
  /** Tasks created (fork) and the pages their stacks, task_structs and area page tables took, by node. */
  perNode: TaskAreaNodeReport[];
  /** `current` dereferences by the task itself (kernel entries, fork, exit, the scheduler's own), local and remote to the CPU. */
  currentLocal: number;
  currentRemote: number;
  /** Cache lines of its own stack and task_struct the task fetched, and their time, ns. */
  currentLines: number;
  currentNs: number;
  /** Accesses by other tasks to a task's stack or task_struct (wake-ups, signals, the scheduler's reads), local and remote; through the global alias under per-task. */
  aliasLocal: number;
  aliasRemote: number;
  aliasLines: number;
  aliasNs: number;
  /** Of those, wake-ups of a task asleep on a waitqueue whose entry is on its stack. */
  wakeups: number;
  /** Page directories the design needs (one per mm under lowmem; one per task under per-task), and PGD loads a switch between threads of one mm added. */
  pgdPages: number;
  pgdSwitches: number;
  /** Context switches that changed the per-task area's mapping, and their extra time, ns. */
  areaSwitches: number;
  areaSwitchNs: number;
  /** Virtually indexed caches: page flushes between the fixed mapping and the alias, and their time, ns. */
  cacheFlushes: number;
  cacheFlushNs: number;
  /** Pages the design needs beyond 2.4's order-1 stack-and-task_struct, at most at once over the machine. */
  overheadPages: number;
}

export interface TaskAreaNodeReport {
  node: number;
  /** task_structs and stack pages allocated on this node over the run (stack pages include lowmem's task_struct, which shares them). */
  taskStructs: number;
  stackPages: number;
  /** Separate task_struct pages (per-task: page-aligned), area page-table pages and PGD pages allocated here. */
  taskStructPages: number;
  areaPtPages: number;
  pgdPages: number;
  /** Most pages of all these kinds live here at once. */
  peakPages: number;
}

/** fork, COW faults and the reverse maps' pte_chains (`forkCow`; services/node-sim mm/fork.ts, mm/rmap.ts). */
export interface ForkReport {
  /** Processes started by fork (their parent's ptes copied) and by vfork (the parent's mm lent until exec). */
  forks: number;
  vforks: number;
  /** Ptes copy_page_range copied from the parents (anonymous and text), and those exec dropped. */
  ptesCopied: number;
  ptesDropped: number;
  /** Write faults on pages shared with the parent (do_wp_page: a new page, copied). */
  cowFaults: number;
  /** rmap only: page_add_rmap and page_remove_rmap calls; pte_chain entries page_remove_rmap walked, mean and most in one call. */
  rmapAdds: number;
  rmapRemoves: number;
  chainWalkMean: number;
  chainWalkMax: number;
  /** rmap only: alloc_new_pte_chains calls (a zeroed page cut into 512 entries, under pagemap_lru_lock). */
  freelistRefills: number;
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  engine: {
    version: string;
    /** Events the kernel handled: deterministic. */
    events: number;
    /** Timing fields: vary from machine to machine and run to run. */
    wallSeconds: number;
    eventsPerSecond: number;
  };
  run: {
    kind: string;
    seed: number;
    /** sha256 of the canonical resolved config without seed and placement. */
    configHash: string;
    simulatedNs: number;
    /** Time of the last event handled (≤ simulatedNs). */
    lastEventNs: number;
  };
  machine: {
    nodes: number;
    cpus: number;
    /** Smallest cross-node latency, ns; null with one node. */
    lookaheadNs: number | null;
  };
  locks: LockReport[];
  /** Memory workloads only. */
  memory?: MemoryReport;
  workload: WorkloadResult;
  /** The resolved workload, canonical: feeding it back runs the same simulation. */
  config: WorkloadConfig;
  /**
   * What the run was asked as: added by the service and by `numasim run`, never by the engine
   * (whose report depends on the resolved workload only).
   */
  origin?: ReportOrigin;
}

/** The request behind a report: the preset, the `set` overrides as `{ path: value }`, a user label. */
export interface ReportOrigin {
  preset: string | null;
  overrides: Record<string, unknown> | null;
  label: string | null;
}

/**
 * The sampled time series of a run, columnar: `tNs[i]` is the end of interval i, every other
 * column holds what happened during that interval (deltas, not running totals).
 */
export interface TimeSeries {
  intervalNs: number;
  tNs: number[];
  events: number[];
  locks: {
    name: string;
    class: string;
    homeNode: number;
    acquisitions: number[];
    contentions: number[];
    holdTotalNs: number[];
    waitTotalNs: number[];
  }[];
  /** Memory workloads: each zone's free pages and LRU sizes at the end of every interval (levels, not deltas). */
  zones?: {
    node: number;
    zone: string;
    freePages: number[];
    lruActive: number[];
    lruInactive: number[];
  }[];
}
