/**
 * The process runner: the per-CPU program every workload with processes drives — fork, exec,
 * user time cut into slices, anonymous and file-backed faults, read()s and writes of the page
 * cache, exit — after Linux 2.4.18 (kernel/fork.c, fs/exec.c, mm/memory.c, mm/filemap.c). Its
 * drivers say what the processes are and when the run is over: kernbench (make's jobs, the build
 * time), mem-pressure (endless readers), file-read (readers that never exit).
 *
 * Work is handed out in jobs by a run queue on node 0 (an LP's own state, reached by messages,
 * like everything shared): a CPU asks it for a job, runs the job's processes one after another,
 * and asks again; when the last of `jobs` reports back, the queue notes the time
 * (`completionNs`). At most `parallelJobs` CPUs work at once.
 *
 * A process:
 * - fork and exec: `forkNs` and `execNs` of CPU time;
 * - it runs: its user CPU time cut into exponential slices, between which it takes, in random
 *   order, its anonymous faults (`do_anonymous_page`: one page in the LRU via `lru_cache_add`),
 *   its file-backed faults (`filemap_nopage`: `find_get_page` under `pagecache_lock`, then
 *   `mark_page_accessed`), its read()s (`do_generic_file_read`: the same lookup, then the copy to
 *   user space) and its writes of output pages (`generic_file_write`: a new page into the page
 *   cache under `pagecache_lock`, and onto the LRU);
 * - exit: `zap_page_range` of its anonymous memory, every page leaving the LRU (`lru_cache_del`)
 *   and going back to the buddy allocator.
 * The files' pages are in the page cache from the start, on the inactive list, spread evenly over
 * the nodes; `mark_page_accessed`'s second touch of an inactive page activates it (`activate_page`
 * under the LRU lock).
 *
 * Page tables (mm/page-tables.ts, the `pte` knob): fork copies the parent's page-table pages, exec drops
 * them and the new image allocates its own, exit frees them; exec's copy_strings, read()'s
 * file_read_actor and write's generic_file_write map highmem pages with kmap (the `kmap` knob).
 * The files' pages, their lookups, read-backs and mappings are the node's `PageCache`'s
 * (mm/page-cache.ts): a file fault maps its page until the process exits, which unmaps it.
 * fork's copy of the parent's ptes, the child's COW faults before exec and exec's drop of the copy,
 * with rmap's pte_chains, are mm/fork.ts's with `forkCow` (otherwise fork and exec are CPU time besides
 * the page tables). Without a `scheduler` a CPU runs
 * one job at a time (jobs beyond the CPU count would only wait); with one, the sched/ modules place
 * the programs on CPUs, `parallelJobs` beyond the CPUs are program slots of their own
 * (sched/task-slots.ts) and gcc -pipe's cpp and as are partner tasks (`pipe`). Left out: the work of whoever hands out
 * jobs (make's own). process-runner-build.ts builds a runner for its drivers. Reclaim (mm/vmscan.ts) can drop file pages from the page cache; a later
 * lookup reads them back from disk (`diskReadNs`) into a new page of their node.
 */
import type { SchedConfig } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import { Topology } from '../machine/topology.js';
import { HIST_BUCKETS, histBucket } from '../locks/lock-stats.js';
import { FAULT_ANON, FAULT_PAGECACHE_WRITE, MmNode } from '../mm/mm-node.js';
import { KC_COPY_STRINGS, KC_FILE_READ, KC_FILE_WRITE, kmapPageId, PAGE_TAG_TREE, type KmapShared } from '../mm/highmem.js';
import { PAGECACHE_PROTOCOL, PageCache, type CacheFill } from '../mm/page-cache.js';
import { type MmConfig, type MmShared } from '../mm/mm-shared.js';
import { ZONE_HIGHMEM } from '../mm/zone.js';
import { NS_ZERO } from '../engine/time.js';
import { ENTRY_FAULT, ENTRY_SYSCALL } from '../mm/task-area.js';
import { ForkCow, forkProtocol } from '../mm/fork.js';
import { CpuTimes } from '../sched/cpu-times.js';
import { UserStalls } from '../sched/user-stalls.js';
import { TaskSched, WAKE_FORK } from '../sched/task-sched.js';
import { PipePartners, pipeProcess } from '../sched/pipe-partners.js';
import { RESCHED_NOW, RUNQUEUE_LINES, SchedHome, schedPolicy } from '../sched/sched-home.js';
import { OP_NONE } from '../mm/mm-protocol.js';

/** fork.ts's numbers (fork with COW, `forkCow`), after the page cache's; the runner's after those. */
const FORK_PROTOCOL = forkProtocol(PAGECACHE_PROTOCOL);
const RUNNER_PROTOCOL = FORK_PROTOCOL.extend('process runner', {
  steps: [
    'ask', 'wait job', 'fork', 'exec', 'run start', 'run', 'next op', 'looked up', 'written', 'exit', 'exit next', 'exited', 'exec load',
    'fork pt', 'run body', 'exit anon', 'exec read', 'exec read done', 'fork copy', 'sched wait', 'sched fork', 'sched job done', 'sched yield',
    'pipe wake',
  ],
  events: ['job ask', 'job give', 'sched wake', 'sched sleep', 'sched run', 'sched resched', 'sched tick', 'sched partner', 'sched burst'],
});
// EV_JOB_ASK: to the run queue (node 0). a: cpu, b: 1 when the CPU finished a job. EV_JOB_GIVE: to the CPU. a: cpu, b: job or −1 (no more).
// EV_SCHED_*: the scheduler's messages (sched/task-sched.ts, sched/sched-home.ts). a: the task (its stream's CPU).
// EV_SCHED_PARTNER: pipe pages to the home. b: the partner's user time they carry, c: 1 for a new pipeline. EV_SCHED_BURST: the home's own, a: the partner.
const [EV_JOB_ASK, EV_JOB_GIVE, EV_SCHED_WAKE, EV_SCHED_SLEEP, EV_SCHED_RUN, EV_SCHED_RESCHED, EV_SCHED_TICK, EV_SCHED_PARTNER, EV_SCHED_BURST] = RUNNER_PROTOCOL.events;
const [
  K_ASK, K_WAIT_JOB, K_FORK, K_EXEC, K_RUN_START, K_RUN, K_NEXT_OP, K_LOOKED_UP, K_WRITTEN, K_EXIT, K_EXIT_NEXT, K_EXITED, K_EXEC_LOAD,
  K_FORK_PT, K_RUN_BODY, K_EXIT_ANON, K_EXEC_READ, K_EXEC_READ_DONE, K_FORK_COPY, K_SCHED_WAIT, K_SCHED_FORK, K_SCHED_JOB_DONE, K_SCHED_YIELD,
  K_PIPE_WAKE,
] = RUNNER_PROTOCOL.steps;


/** Bytes a kernel_read of exec or ld.so copies: ELF headers and program headers, 128–512 bytes. */
const EXEC_READ_BYTES = 256;

/** One process of a job: what it does between fork and exit. */
export interface RunnerProcess {
  anonPages: number;
  fileFaults: number;
  readPages: number;
  writePages: number;
  cpuNs: number;
  /** With forkCow: "vfork" borrows the parent's mm until exec (nothing copied); absent or "fork": a copy (mm/fork.ts). */
  start?: 'fork' | 'vfork';
}

/** The machine and VM, and what the runner's CPUs run. */
export type ProcessRunnerConfig = MmConfig & SchedConfig & {
  /** Jobs the run queue hands out; the run is complete when the last reports back. */
  jobs: number;
  /** CPUs that take jobs (the first ones). */
  parallelJobs: number;
  /** The processes of every job, run one after another. */
  processes: readonly RunnerProcess[];
  /** Anonymous faults taken in a row when a process starts touching fresh memory. */
  faultBurst: number;
  /** Pages of the file set, in the page cache as `CacheFill` says before the run. */
  filePages: number;
  /** kmap calls of exec's copy_strings (none when absent). */
  execStringKmaps?: number;
  /** Argument pages those fill (one when absent). */
  execArgPages?: number;
  /** kernel_reads of an exec (none when absent). */
  execReads?: number;
  /** File faults are the programs' text (kernbench): with forkCow each program maps its own pages, shared by every process running it (mm/fork.ts). */
  textFaults?: boolean;
};

// What a process does next, between slices of user time.
const DO_ANON = 0;
const DO_FILE = 1;
const DO_READ = 2;
const DO_WRITE = 3;

export class ProcessNode extends MmNode {
  /** The files' pages in this node's page cache, and the file mappings of its CPUs' processes (page-cache.ts). */
  readonly cache: PageCache;
  /** fork with copy-on-write and rmap's pte_chains (mm/fork.ts, `forkCow`); null: fork copies page tables only. */
  readonly fork: ForkCow | null;
  private readonly cfg: ProcessRunnerConfig;
  // The run queue (node 0 only).
  private nextJob = 0;
  private jobsReported = 0;
  completionNs: number | null = null;
  // Per CPU.
  private readonly proc: Int32Array; // process of the job being run
  private readonly left: Int32Array; // [i * 4 + DO_*]: operations still to do in this process
  private readonly cpuLeft: Float64Array; // user time still to run in this process
  private readonly anonUsed: Int32Array; // anonymous slots filled
  private readonly doing: Int32Array; // the DO_* in progress
  private readonly burst: Int32Array; // anonymous faults still to take in a row
  private readonly execReadsLeft: Int32Array; // kernel_reads still to make for the exec under way
  private readonly jobStart: Float64Array;
  private readonly finishedJob: Uint8Array; // 1 when the CPU's next request to the run queue reports a finished job
  // Statistics.
  readonly jobsDone: Float64Array;
  processes = 0;
  writes = 0;
  readonly jobHist = new Float64Array(HIST_BUCKETS);
  jobTotal = NS_ZERO;
  jobMax = NS_ZERO;
  /** user / system / idle (sched/cpu-times.ts). */
  readonly times: CpuTimes;
  /** User time priced by where memory is (sched/user-stalls.ts); null with `userStallShare` 0. */
  private readonly stalls: UserStalls | null;
  /** Where this node's programs run (sched/task-sched.ts); null without a scheduler. */
  readonly sched: TaskSched | null;
  /** The scheduler's home (node 0 only). */
  readonly schedHome: SchedHome | null;
  /** runqueue_lock (one, 2.4) or every CPU's rq->lock (o1, numa); null without a scheduler. */
  private readonly rqLocks: Int32Array | null;
  /** gcc -pipe's partners (sched/pipe-partners.ts); null without (`pipe` false, no scheduler, or no pipeline in the job). */
  private readonly pipe: PipePartners | null;

  constructor(
    kernel: Kernel,
    node: number,
    s: MmShared,
    fill: CacheFill,
    km: KmapShared,
    rqLocks: Int32Array | null = null,
    /** The machine's CPUs, when the runner has more program slots than CPUs (sched/task-slots.ts); null: its slots are the CPUs. */
    real: Topology | null = null,
  ) {
    const cfg = s.cfg as ProcessRunnerConfig;
    // One slot per anonymous page of the largest process, and one for the page being written; a mapping per file fault.
    const most = (f: (p: RunnerProcess) => number) => Math.max(...cfg.processes.map(f));
    super(kernel, node, s, most((p) => p.anonPages) + 1, { reclaim: true, kmap: km });
    this.cache = new PageCache(this, cfg.filePages, fill, most((p) => p.fileFaults));
    this.cfg = cfg;
    const filesHere = node < cfg.filePages ? Math.floor((cfg.filePages - 1 - node) / s.topo.nodes) + 1 : 0;
    this.fork = cfg.forkCow === true ? new ForkCow(this, FORK_PROTOCOL, cfg.processes, cfg.filePages, filesHere, this.S, cfg.textFaults === true) : null;
    if (this.fork !== null && this.fork.chains !== null) {
      this.rmapHook = this.fork;
      this.cache.chains = this.fork.chains;
    }
    const c = s.topo.cpusPerNode;
    this.proc = new Int32Array(c);
    this.left = new Int32Array(c * 4);
    this.cpuLeft = new Float64Array(c);
    this.anonUsed = new Int32Array(c);
    this.doing = new Int32Array(c);
    this.burst = new Int32Array(c);
    this.execReadsLeft = new Int32Array(c);
    this.jobStart = new Float64Array(c);
    this.finishedJob = new Uint8Array(c);
    this.jobsDone = new Float64Array(c);
    this.times = new CpuTimes(c, s.topo.nodes);
    const share = cfg.userStallShare ?? 0;
    this.stalls = share > 0 ? new UserStalls(share, s.topo.nodes, c, s.memNs, s.remoteCache, cfg.costs.memLocalNs) : null;
    const policy = schedPolicy(cfg.scheduler);
    this.sched = policy === 0 ? null : new TaskSched(kernel, real ?? s.topo, node, { wake: EV_SCHED_WAKE, sleep: EV_SCHED_SLEEP }, this.times, s.topo);
    this.rqLocks = rqLocks;
    const pipeProc = policy === 0 || cfg.pipe === false ? -1 : pipeProcess(cfg.processes);
    this.pipe = pipeProc < 0 ? null : new PipePartners(cfg.processes, pipeProc, c);
    this.schedHome =
      policy === 0 || node !== 0
        ? null
        : new SchedHome(policy, kernel, s.topo, { run: EV_SCHED_RUN, resched: EV_SCHED_RESCHED, tick: EV_SCHED_TICK, burst: EV_SCHED_BURST }, this.pipe !== null, this.times, real ?? s.topo);
  }

  private hasHighmem(node: number): boolean {
    return this.s.maps[node].zones.some((z) => z.type === ZONE_HIGHMEM);
  }

  start(lp: number): void {
    const cpus = Math.min(this.s.topo.cpus, this.cfg.parallelJobs);
    for (let i = 0; i < this.s.topo.cpusPerNode; i++) {
      const cpu = this.first + i;
      if (cpu < cpus) this.startCpu(lp, cpu, K_ASK, 0);
    }
  }

  // The page cache answers reclaim's questions about its pages and takes its own operations.
  override unmapForReclaim(frame: number): number {
    return this.cache.unmapForReclaim(frame);
  }

  override dropFromCache(frame: number): void {
    this.cache.dropFromCache(frame);
  }

  override swapOut(i: number, cpu: number, next: number): boolean {
    return this.cache.swapOut(i, cpu, next);
  }

  protected override doWorkloadOp(op: number, arg: number): number {
    if (this.fork !== null && this.fork.ownsOp(op)) return this.fork.applyOp(op, arg);
    return PageCache.ownsOp(op) ? this.cache.applyOp(op, arg) : super.doWorkloadOp(op, arg);
  }

  protected override handleWorkloadEvent(kind: number, a: number, b: number, c: number): void {
    if (kind >= EV_SCHED_WAKE && kind <= EV_SCHED_BURST) {
      this.schedEvent(kind, a, b, c);
      return;
    }
    if (kind !== EV_JOB_ASK && kind !== EV_JOB_GIVE) {
      if (PageCache.ownsEvent(kind)) this.cache.handleEvent(a);
      else super.handleWorkloadEvent(kind, a, b, c);
      return;
    }
    if (kind === EV_JOB_ASK) {
      // The run queue, on node 0: hand out the next job.
      if (b === 1 && ++this.jobsReported === this.cfg.jobs) this.completionNs = this.kernel.now;
      const job = this.nextJob < this.cfg.jobs ? this.nextJob++ : -1;
      const node = this.s.topo.cpuNode[a];
      this.kernel.send(this.s.topo.nodeLp[node], this.s.topo.hopNs(this.node, node) + this.s.cfg.costs.syscallNs, EV_JOB_GIVE, a, job, 0);
      return;
    }
    const i = a - this.first;
    if (b < 0) return; // no job left: the CPU goes idle
    if (this.sched === null) this.times.on(i, this.kernel.now);
    this.jobStart[i] = this.kernel.now;
    this.proc[i] = 0;
    this.prog[i] = K_FORK;
    this.step(a);
  }

  protected override program(i: number, cpu: number, p: number): boolean {
    const costs = this.s.cfg.costs;
    switch (p) {
      case K_ASK:
        this.times.off(i, this.kernel.now);
        this.prog[i] = K_WAIT_JOB;
        this.kernel.send(this.s.topo.nodeLp[0], this.s.topo.hopNs(this.node, 0) + costs.syscallNs, EV_JOB_ASK, cpu, this.finishedJob[i], 0);
        this.finishedJob[i] = 0;
        return false;
      case K_FORK:
        if (this.sched !== null && !this.sched.isPlaced(i)) {
          // The new process is woken (do_fork's wake_up_process, under the runqueue lock) and runs where the scheduler puts it.
          return this.runqueueLocked(i, cpu, this.s.callers.wake_up_process, K_SCHED_FORK);
        }
        // The first process of a job is forked by whoever hands out jobs, on node 0 (its mm uses node 0's text); the others by the previous one, here.
        if (this.taskArea !== null) this.cpuState.owed[i] += this.taskArea.forkProcess(i, i, this.proc[i] === 0 ? 0 : this.node);
        this.kernelEntry(i, true);
        this.switchIn(i, this.proc[i] === 0 ? 0 : this.node);
        this.prog[i] = K_FORK_PT;
        this.after(cpu, costs.forkNs);
        return false;
      case K_FORK_PT: {
        if (this.fork !== null && this.cfg.processes[this.proc[i]].start === 'vfork') {
          // vfork (CLONE_VM): the child runs in its parent's mm until exec — no page tables or ptes copied, nothing to drop at exec.
          this.fork.vforks++;
          this.prog[i] = K_EXEC;
          return true;
        }
        // copy_page_range: the child gets a copy of its parent's page tables (the previous process's; the first's parent, which hands out jobs, is taken to be as large as it).
        const parent = this.proc[i] === 0 ? this.cfg.processes[0] : this.cfg.processes[this.proc[i] - 1];
        this.pageTables!.alloc(i, this.pageTables!.pagesFor(parent.anonPages), true, this.fork !== null ? K_FORK_COPY : K_EXEC);
        return true;
      }
      case K_FORK_COPY:
        // forkCow: copy_page_range's ptes, and the COW faults of the child before it execs (mm/fork.ts).
        this.fork!.copy(i, this.proc[i], K_EXEC);
        return true;
      case K_EXEC: {
        // do_execve: copy_strings puts argv and envp into the new image's argument pages, one kmap per string.
        const pages = this.cfg.execArgPages ?? 1;
        this.kmap!.copy(i, KC_COPY_STRINGS, this.kmap!.freshPages(i, pages), pages, this.node, this.hasHighmem(this.node), this.cfg.execStringKmaps ?? 0, costs.memLocalNs, K_EXEC_LOAD);
        return true;
      }
      case K_EXEC_LOAD:
        if (this.fork !== null && this.fork.holdsCopy(i)) {
          this.fork.drop(i, K_EXEC_LOAD); // exit_mmap: the copied mm's ptes, then its page tables
          return true;
        }
        if (this.pageTables!.held(i) > 0) {
          this.pageTables!.free(i, K_EXEC_LOAD); // exec_mmap drops the copied mm
          return true;
        }
        this.kernelEntry(i, true);
        this.kmap!.newAddressSpace(i, cpu);
        this.execReadsLeft[i] = this.cfg.execReads ?? 0;
        this.prog[i] = K_EXEC_READ;
        this.after(cpu, costs.execNs);
        return false;
      case K_EXEC_READ:
        // kernel_read of the binary's and the interpreter's headers, then ld.so's read of libc's:
        // the files' pages stand in for the binaries', as for the text faults.
        if (this.execReadsLeft[i] === 0) {
          this.prog[i] = K_RUN_START;
          return true;
        }
        this.execReadsLeft[i]--;
        this.cache.lookupPage(i, this.rng.nextInt(this.cfg.filePages), false, K_EXEC_READ_DONE, K_EXEC_READ);
        return true;
      case K_EXEC_READ_DONE:
        // Only the few hundred bytes asked for are copied.
        this.fileReadActor(i, Math.round((costs.pageCopyNs * EXEC_READ_BYTES) / 4096), K_EXEC_READ);
        return true;
      case K_RUN_START:
        // The new image's page tables, built as it faults in (pte_alloc), here all at once.
        this.pageTables!.alloc(i, this.pageTables!.pagesFor(this.cfg.processes[this.proc[i]].anonPages), false, K_RUN_BODY);
        return true;
      case K_RUN_BODY: {
        const pr = this.cfg.processes[this.proc[i]];
        this.stalls?.reset(i);
        this.left[i * 4 + DO_ANON] = pr.anonPages;
        this.left[i * 4 + DO_FILE] = pr.fileFaults;
        this.left[i * 4 + DO_READ] = pr.readPages;
        this.left[i * 4 + DO_WRITE] = pr.writePages;
        // gcc -pipe: the pipe's partners (cpp, as) run their user time as the home's partner task, alongside the pipe process.
        this.cpuLeft[i] = this.pipe !== null && this.pipe.isPartner(this.proc[i]) ? 0 : pr.cpuNs;
        if (this.pipe?.proc === this.proc[i]) this.pipe.begin(i);
        this.anonUsed[i] = 0;
        this.prog[i] = K_RUN;
        return true;
      }
      case K_RUN:
        return this.run(i, cpu);
      case K_NEXT_OP:
        return this.nextOp(i, cpu);
      case K_LOOKED_UP: {
        this.prog[i] = K_RUN;
        if (this.doing[i] === DO_FILE) this.stalls?.addFilePage(i, this.cache.fileNode[i]);
        if (this.doing[i] === DO_READ) {
          // The copy to user space is made by the CPU's next thread, if it runs several.
          this.kmap!.threadSwitch(i);
          this.fileReadActor(i, costs.pageCopyNs, K_RUN);
        }
        return true;
      }
      case K_WRITTEN: {
        // The page stays in the page cache: the slot forgets it. generic_file_write's
        // prepare_write/commit_write kmap it around the copy (whose time P_FILL charged).
        const at = i * this.S + this.S - 1;
        const node = this.pageNode[at];
        const frame = this.pageFrame[at];
        this.pageFrame[at] = -1;
        this.writes++;
        if (frame < 0) {
          this.prog[i] = K_RUN;
          return true;
        }
        this.kmap!.copy(i, KC_FILE_WRITE, this.kmap!.freshPages(i, 1), 1, node, this.zoneTypeOf(node, frame) === ZONE_HIGHMEM, 1, 0, K_RUN);
        return true;
      }
      case K_EXIT:
        if (this.pipeDue(i)) return this.pipeWake(i, cpu, K_EXIT); // the last pages of output, at exit
        this.kernelEntry(i, true);
        this.cache.unmapFiles(i, K_EXIT_ANON);
        return true;
      case K_EXIT_ANON:
        this.slot[i] = 0;
        this.faults.beginUnmap(i, K_EXIT_NEXT);
        return true;
      case K_EXIT_NEXT:
        if (++this.slot[i] < this.anonUsed[i]) this.faults.beginUnmap(i, K_EXIT_NEXT);
        else this.flushPagevec(i, K_EXITED);
        return true;
      case K_EXITED:
        if (this.pageTables!.held(i) > 0) {
          this.pageTables!.free(i, K_EXITED);
          return true;
        }
        if (this.taskArea !== null) this.cpuState.owed[i] += this.taskArea.exitProcess(i, this.proc[i] === 0 ? 0 : this.node, this.cfg.processes[this.proc[i]].cpuNs);
        this.processes++;
        this.sched?.exited(i);
        if (++this.proc[i] < this.cfg.processes.length) {
          this.prog[i] = K_FORK;
          return true;
        }
        this.jobDone(i);
        if (this.sched !== null) {
          // The job's last exit: do_exit's schedule() under the runqueue lock; the CPU takes another task or idles.
          this.finishedJob[i] = 1;
          return this.runqueueLocked(i, cpu, this.s.callers.schedule, K_SCHED_JOB_DONE);
        }
        this.finishedJob[i] = 1;
        this.prog[i] = K_ASK;
        return true;
    }
    if (this.fork !== null && this.fork.owns(p)) return this.fork.step(i, cpu, p);
    switch (p) {
      case K_SCHED_WAIT:
        return false; // the scheduler's answer moves it on (schedEvent)
      case K_SCHED_FORK:
        this.sched!.newProcess(i, cpu, K_FORK);
        this.prog[i] = K_SCHED_WAIT;
        return false;
      case K_SCHED_JOB_DONE:
        this.sched!.sleep(i, cpu, false);
        this.prog[i] = K_ASK;
        return true;
      case K_SCHED_YIELD:
        this.sched!.sleep(i, cpu, true, K_RUN);
        this.prog[i] = K_SCHED_WAIT;
        return false;
      case K_PIPE_WAKE: {
        // The pages read or written since the last wake-up, in one message: the partner's user time for them.
        const fresh = this.pipe!.fresh(i) ? 1 : 0;
        this.kernel.send(this.s.topo.nodeLp[0], this.s.topo.hopNs(this.node, 0), EV_SCHED_PARTNER, cpu, this.pipe!.announce(i), fresh);
        this.prog[i] = this.pipe!.cont[i];
        return true;
      }
    }
    return PageCache.owns(p) ? this.cache.step(i, cpu, p) : super.program(i, cpu, p);
  }

  /** The scheduler's messages: to the home on node 0 (wake, sleep, tick), or to a task's program (run, resched). */
  private schedEvent(kind: number, a: number, b: number, c: number): void {
    if (kind === EV_SCHED_RUN) {
      const i = a - this.first;
      this.sched!.ran(i, b);
      // Moved to another quad: its stack and task_struct stay where they were made (mm/task-area.ts).
      this.taskArea?.runsOn(i, this.sched!.runNode[i]);
      this.prog[i] = this.sched!.cont[i];
      this.step(a);
    } else if (kind === EV_SCHED_RESCHED) this.sched!.reschedule(a - this.first, b === RESCHED_NOW);
    else if (kind === EV_SCHED_WAKE) {
      if (b === WAKE_FORK) this.schedHome!.fork(a);
      else this.schedHome!.wake(a, true);
    }
    else if (kind === EV_SCHED_SLEEP) this.schedHome!.sleep(a, b);
    else if (kind === EV_SCHED_PARTNER) this.schedHome!.partnerWake(a, b, c === 1);
    else if (kind === EV_SCHED_BURST) this.schedHome!.burstDone(a);
    else this.schedHome!.tick();
  }

  /** True when program `i` runs the pipe process and has pages to wake its partner for. */
  private pipeDue(i: number): boolean {
    return this.pipe !== null && this.pipe.proc === this.proc[i] && this.pipe.due(i);
  }

  /** The pipe process wakes its partner (pipe_read/pipe_write's wake-up, under the runqueue lock), then goes on at `next`. */
  private pipeWake(i: number, cpu: number, next: number): boolean {
    this.pipe!.cont[i] = next;
    return this.runqueueLocked(i, cpu, this.s.callers.wake_up_process, K_PIPE_WAKE);
  }

  /**
   * The runqueue lock around a scheduler call (sched/task-sched.ts `rqLock`): 2.4's global
   * runqueue_lock or this CPU's rq->lock, held for a runqueue list operation; then `next`.
   */
  private runqueueLocked(i: number, cpu: number, caller: number, next: number): boolean {
    // O(1): the runqueue of the CPU the task is on (or last ran on).
    const lock = this.rqLocks === null ? -1 : this.rqLocks[this.rqLocks.length === 1 ? 0 : this.sched!.runCpu[i]];
    if (lock < 0) {
      this.prog[i] = next;
      return true;
    }
    this.lockedOp(i, cpu, lock, caller, OP_NONE, this.node, 0, this.s.cfg.costs.lruListOpNs, RUNQUEUE_LINES, next);
    return false; // on when the lock has been held and released
  }

  /** A slice of `ns` user time on CPU `cpu`: priced by where the process's memory is, counted, then `after`. */
  private userTime(i: number, cpu: number, ns: number): void {
    const raw = ns;
    if (this.stalls !== null) {
      this.stalls.countAnon(i, this.anonUsed[i], i * this.S, this.pageNode, this.pageFrame, this.node, this.sched?.runNode[i] ?? this.node);
      ns = this.stalls.price(i, ns, this.sched?.runNode[i] ?? this.node, this.times);
    }
    if (this.pipe?.proc === this.proc[i]) this.pipe.ran(i, raw);
    this.times.user(i, ns, this.kernel.now);
    this.sched?.used(i, ns);
    this.after(cpu, ns);
  }

  /** User time until the next kernel operation, or exit when the process has none left. */
  private run(i: number, cpu: number): boolean {
    if (this.sched !== null && this.sched.dueToYield(i)) {
      // The slice is used up and a task waits for this CPU: schedule(), and on where the scheduler says.
      this.sched.gaveWay(i);
      return this.runqueueLocked(i, cpu, this.s.callers.schedule, K_SCHED_YIELD);
    }
    if (this.pipeDue(i)) return this.pipeWake(i, cpu, K_RUN);
    const b = i * 4;
    const ops = this.left[b] + this.left[b + 1] + this.left[b + 2] + this.left[b + 3];
    if (this.burst[i] > 0) {
      // Touching a fresh stretch of memory: the next anonymous fault at once.
      this.burst[i]--;
      this.left[b + DO_ANON]--;
      this.doing[i] = DO_ANON;
      this.slot[i] = this.anonUsed[i]++;
      this.kernelEntry(i, false, ENTRY_FAULT);
      this.faults.begin(i, FAULT_ANON, K_RUN);
      return true;
    }
    if (ops === 0) {
      this.prog[i] = K_EXIT;
      if (this.cpuLeft[i] > 0) {
        this.userTime(i, cpu, this.cpuLeft[i]);
        this.cpuLeft[i] = 0;
        return false;
      }
      return true;
    }
    // The remaining user time is spread over the remaining operations (and the stretch after the last).
    const slice = Math.min(this.cpuLeft[i], Math.round(this.rng.nextExp() * (this.cpuLeft[i] / (ops + 1))));
    this.cpuLeft[i] -= slice;
    this.prog[i] = K_NEXT_OP;
    if (slice > 0) {
      this.userTime(i, cpu, slice);
      return false;
    }
    return true;
  }

  /** file_read_actor on the page just looked up: kmap it, copy `localCopyNs` worth of it (a local copy's time) to user space, kunmap; then `next`. */
  private fileReadActor(i: number, localCopyNs: number, next: number): void {
    const node = this.cache.fileNode[i];
    const page = kmapPageId(PAGE_TAG_TREE, node, this.cache.fileIdx[i]);
    this.kmap!.copy(i, KC_FILE_READ, page, 1, node, this.cache.fileZoneType(node) === ZONE_HIGHMEM, 1, this.pageStreamNs(node, localCopyNs), next);
  }

  /** Picks the next operation at random among those left and starts it. */
  private nextOp(i: number, cpu: number): boolean {
    const b = i * 4;
    const ops = this.left[b] + this.left[b + 1] + this.left[b + 2] + this.left[b + 3];
    let k = this.rng.nextInt(ops);
    let what = 0;
    while (k >= this.left[b + what]) k -= this.left[b + what++];
    this.left[b + what]--;
    this.doing[i] = what;
    this.kernelEntry(i, false, what === DO_ANON || what === DO_FILE ? ENTRY_FAULT : ENTRY_SYSCALL); // the fault or system call that starts the operation
    const costs = this.s.cfg.costs;
    switch (what) {
      case DO_ANON:
        this.burst[i] = Math.min(this.cfg.faultBurst, this.left[b + DO_ANON] + 1) - 1;
        this.slot[i] = this.anonUsed[i]++;
        this.faults.begin(i, FAULT_ANON, K_RUN);
        return true;
      case DO_WRITE:
        this.slot[i] = this.S - 1;
        this.faults.begin(i, FAULT_PAGECACHE_WRITE, K_WRITTEN);
        this.after(cpu, costs.syscallNs);
        return false;
      default: {
        // forkCow: a file fault maps the program's own text, its j-th page at its j-th fault (mm/fork.ts).
        const pr = this.proc[i];
        const t = what === DO_FILE && this.fork !== null && this.cfg.textFaults === true ? this.fork.textPage(pr, this.cfg.processes[pr].fileFaults - 1 - this.left[b + DO_FILE]) : this.rng.nextInt(this.cfg.filePages);
        this.cache.lookupPage(i, t, what === DO_FILE, K_LOOKED_UP, K_RUN);
        this.after(cpu, what === DO_FILE ? costs.pageFaultNs : costs.syscallNs);
        return false;
      }
    }
  }

  private jobDone(i: number): void {
    const lat = this.kernel.now - this.jobStart[i];
    this.jobHist[histBucket(lat)]++;
    this.jobTotal += lat;
    if (lat > this.jobMax) this.jobMax = lat;
    this.jobsDone[i]++;
  }
}
