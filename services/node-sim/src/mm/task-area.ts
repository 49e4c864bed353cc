/**
 * Kernel stacks and task_structs, and where they live (the `taskArea` and `cacheIndexing` knobs;
 * issue #19, items 3 and 4 of the LSE call of 22 March 2002). After Linux 2.4.18:
 * include/asm-i386/processor.h (`alloc_task_struct()` is `__get_free_pages(GFP_KERNEL, 1)`:
 * the task_struct at the bottom of an 8 KiB, THREAD_SIZE, block whose top is the kernel stack),
 * include/asm-i386/current.h (`current` is the stack pointer masked with ~8191), kernel/fork.c
 * (`do_fork`: `p = alloc_task_struct(); *p = *current`), kernel/exit.c (`do_notify_parent`,
 * `wake_up_parent`), kernel/sched.c (`__wake_up`, `try_to_wake_up`, `reschedule_idle`, `goodness`,
 * `schedule`), fs/pipe.c (`pipe_wait`: the wait_queue_t is declared on the sleeper's stack),
 * arch/i386/kernel/entry.S (`system_call`, `ret_from_sys_call`: tsk_ptrace, need_resched and
 * sigpending of current, the first 32-byte line of task_struct), arch/i386/mm/fault.c
 * (`do_page_fault`: tsk->mm, tsk->min_flt), kernel/timer.c (`update_process_times`).
 *
 * - `lowmem` (2.4 as it was): the order-1 block comes from ZONE_NORMAL — on i386 NUMA-Q node 0's,
 *   whatever quad the task runs on (GFP_KERNEL never reaches highmem; only node 0 has lowmem).
 *   Other tasks reach the stack and task_struct at their one kernel address.
 * - `per-task` (the minutes' proposal): the stack (two pages) and a page-aligned task_struct (a page
 *   of its own: the minutes' "requires the task_struct to be page aligned") come from the highest
 *   zone of the node the task was created on (highmem where that is all the node has), mapped at a
 *   fixed virtual address in the task's own area — `current` is that constant. A truly per-task
 *   area needs a PGD per task (the minutes' first problem): a thread pays a PGD of its own, and a
 *   switch between threads of one mm reloads cr3 (and loses the TLB) where 2.4 would not, priced as
 *   kmap's per-task windows are (kmap.ts: a second `contextSwitchNs`). Other tasks reach a task's
 *   pages through a global alias (a permanent kernel mapping made at fork, a pte per page).
 *
 * The node composes one `TaskArea` (mm-node.ts); a workload calls it where a task is created,
 * enters the kernel, is woken, read by the scheduler, switched in and exits, and adds the answer
 * (ns) to the CPU's time. Inputs are the task's slot, the node its area lives on (`areaNode`, set
 * when the task is created here or adopted from another node) and this node (where its CPU is): a
 * task that moves to another quad keeps its area where it was, remote, unless it is migrated.
 *
 * Pricing (every count from the sources above; A = assumption): a path's dereferences are counted
 * local or remote; its distinct cache lines are priced as misses at the distance from the CPU's node
 * to the area's (`memNs`). Lines another CPU wrote since the task last ran (a wake-up writes
 * state and run_list) are coherence misses; of the rest, a kernel entry fetches `taskMissLines`
 * (A: absent 1 — the others hit in the CPU's cache or the quad's remote cache, Sequent's 90–98%
 * local). Virtually indexed caches (Documentation/cachetlb.txt, "virtual aliasing in the data
 * cache"): under per-task the fixed mapping and the alias of one page index different cache lines,
 * so a task switched out flushes its three area pages (so the alias sees them and the next task's
 * area at the same address does not hit stale lines), and an alias write (wake-up, signal) flushes
 * the page it wrote; a page flush is PAGE_LINES × CACHE_FLUSH_LINE_NS plus a write-back of the lines
 * written. lowmem has one mapping per page: nothing to flush.
 *
 * Simplified: the pages are counted, not taken from the zones (a few per running task); the alias
 * is torn down without a global TLB flush (deferred, as pkmap defers its flushes to a wrap); the
 * scheduler's reads are those of the task being picked (the 2.4 global runqueue's other entries,
 * which goodness() reads too, are the scheduler's to model); wait4's reads of a zombie child are
 * left out.
 */
import type { TaskAreaReport } from '@numasim/shared';
import { TASK_MISS_LINES_DEFAULT } from '@numasim/shared';
import { invariant } from '../errors.js';
import { NS_ZERO } from '../engine/time.js';
import type { MmShared } from './mm-shared.js';
import { ZONE_NORMAL } from './zone.js';

/** A path's accesses to a task's stack and task_struct: dereferences, task_struct lines, stack lines. */
interface PathCost {
  readonly derefs: number;
  readonly tsLines: number;
  readonly stackLines: number;
}
const path = (derefs: number, tsLines: number, stackLines: number): PathCost => ({ derefs, tsLines, stackLines });

/** Kernel entries by kind (the caller's `ENTRY_*`). */
export const ENTRY_SYSCALL = 0;
export const ENTRY_FAULT = 1;
export const ENTRY_TICK = 2;
export const ENTRY_LONG = 3;
const ENTRIES: readonly PathCost[] = [
  // entry.S: tsk_ptrace on entry, need_resched and sigpending on the way out — line 0 of task_struct; SAVE_ALL's 15-word frame: two stack lines.
  path(3, 1, 2),
  // do_page_fault: tsk->mm, tsk->min_flt; ret_from_exception: need_resched, sigpending: lines 0, the mm's and the fault counters'.
  path(4, 3, 2),
  // update_process_times and what it calls: 13 p-> uses (counter, times, it_virt, it_prof, rlim); ret_from_intr: need_resched, sigpending.
  path(15, 4, 2),
  // execve (A): flush_old_exec, exec_mmap, the credentials and comm: some 20 uses over 6 lines.
  path(20, 6, 2),
];

/** sizeof(struct task_struct) on i386 2.4.18, about 1.7 KiB (A: its thread_struct alone holds the 512-byte i387 save area), in 32-byte lines. */
const TASK_STRUCT_LINES = 52;
/** do_exit's own uses of current (exit_mm, the files, fs and signal handlers, exit_notify), A: some 30 over 8 lines. */
const EXIT_PATH = path(30, 8, 2);
/** do_notify_parent: send_sig_info (sigmask_lock, pending, sigpending) and wake_up_parent (wait_chldexit's entry on the parent's stack, try_to_wake_up). */
const NOTIFY_PARENT = path(10, 4, 1);
/** __wake_up's walk (the wait_queue_t on the sleeper's stack: flags, task) and try_to_wake_up (state; run_list; processor), kernel/sched.c. */
const WAKE_SLEEPER = path(7, 3, 1);
/** reschedule_idle: the idle task's need_resched, read and set. */
const WAKE_IDLE = path(2, 1, 0);
/** goodness() of the task picked (policy, counter, processor, mm, nice) and schedule()'s next->mm, next->active_mm. */
const SCHED_PICK = path(7, 2, 0);
/** schedule() as prev (processor, policy, state, need_resched, active_mm, mm) and switch_to's saves and loads of thread. */
const SCHED_OWN = path(12, 3, 2);
/** Lines a waker wrote (state, run_list) that are coherence misses when the woken task runs again. */
export const WOKEN_COLD_LINES = 2;
/** Cache lines of a 4 KiB page, and the time to flush one from a virtually indexed cache (A: a few cycles each). */
const PAGE_LINES = 128;
const CACHE_FLUSH_LINE_NS = 4;
/** A timer tick: HZ = 100 on i386 2.4. */
const TICK_NS = 10_000_000;
/** Pages of a task's area: the two stack pages and, under per-task, the task_struct's own page. */
const STACK_PAGES = 2;

export interface TaskAreaCore {
  readonly node: number;
  readonly s: MmShared;
}

export class TaskArea {
  readonly perTask: boolean;
  private readonly virtual: boolean;
  private readonly missLines: number;
  private readonly n: number;
  /** Per task slot: the node whose memory holds its stack and task_struct (−1: no task), and its mm. */
  readonly areaNode: Int32Array;
  /** Node of the CPU each slot's task runs on: this node unless the scheduler moved it (`runsOn`); its own accesses are priced from there. */
  private readonly runNode: Int32Array;
  private readonly mmOf: Int32Array;
  /** Per CPU index: the task whose PGD the CPU has loaded (−1: none yet). */
  private readonly loaded: Int32Array;
  /** Per task slot: user time not yet a whole tick; the next mm id of the runner's processes. */
  private readonly userNs: Float64Array;
  private nextMm = 0;
  // Statistics (observation only), pages by area node.
  readonly taskStructs: Float64Array;
  readonly stackPages: Float64Array;
  readonly taskStructPages: Float64Array;
  readonly areaPtPages: Float64Array;
  readonly pgdPages: Float64Array;
  private readonly livePages: Float64Array;
  readonly peakPages: Float64Array;
  liveOverhead = 0;
  peakOverhead = 0;
  currentLocal = 0;
  currentRemote = 0;
  currentLines = 0;
  currentNs = NS_ZERO;
  aliasLocal = 0;
  aliasRemote = 0;
  aliasLines = 0;
  aliasNs = NS_ZERO;
  wakeups = 0;
  pgdSwitches = 0;
  areaSwitches = 0;
  areaSwitchNs = NS_ZERO;
  cacheFlushes = 0;
  cacheFlushNs = NS_ZERO;

  constructor(
    private readonly core: TaskAreaCore,
    slots: number,
    cpus: number,
  ) {
    const cfg = core.s.cfg;
    invariant(cfg.taskArea === 'lowmem' || cfg.taskArea === 'per-task', `taskArea ${String(cfg.taskArea)} is not modelled`);
    this.perTask = cfg.taskArea === 'per-task';
    this.virtual = cfg.cacheIndexing === 'virtual';
    this.missLines = cfg.taskMissLines ?? TASK_MISS_LINES_DEFAULT;
    this.n = core.s.topo.nodes;
    this.areaNode = new Int32Array(slots).fill(-1);
    this.runNode = new Int32Array(slots).fill(core.node);
    this.mmOf = new Int32Array(slots).fill(-1);
    this.loaded = new Int32Array(cpus).fill(-1);
    this.userNs = new Float64Array(slots);
    const f = () => new Float64Array(this.n);
    this.taskStructs = f();
    this.stackPages = f();
    this.taskStructPages = f();
    this.areaPtPages = f();
    this.pgdPages = f();
    this.livePages = f();
    this.peakPages = f();
  }

  /** Node whose memory holds the stack and task_struct of a task created on `createdNode` (an idle task's too). */
  areaNodeFor(createdNode: number): number {
    return this.perTask ? createdNode : lowmemNodeOf(this.core.s, createdNode);
  }

  /**
   * Task slot `t` is created on `createdNode` in mm `mm`; `newMm`: it is the mm's first task (fork
   * of a process: the mm's PGD comes with it in both designs; a thread under per-task needs its own).
   */
  create(t: number, createdNode: number, mm: number, newMm: boolean): void {
    invariant(this.areaNode[t] < 0, `task slot ${t} of node ${this.core.node} is created twice`);
    const area = this.areaNodeFor(createdNode);
    this.areaNode[t] = area;
    this.mmOf[t] = mm;
    let pages = STACK_PAGES;
    let overhead = 0;
    this.taskStructs[area]++;
    this.stackPages[area] += STACK_PAGES;
    if (this.perTask) {
      // The page-aligned task_struct and the area's page-table page; a thread's own PGD.
      this.taskStructPages[area]++;
      this.areaPtPages[area]++;
      pages += 2;
      overhead += 2;
      if (!newMm) overhead++;
    }
    if (newMm || this.perTask) this.pgdPages[lowmemNodeOf(this.core.s, createdNode)]++;
    this.livePages[area] += pages;
    if (this.livePages[area] > this.peakPages[area]) this.peakPages[area] = this.livePages[area];
    this.liveOverhead += overhead;
    if (this.liveOverhead > this.peakOverhead) this.peakOverhead = this.liveOverhead;
  }

  /** A task created elsewhere now runs here (the scheduler moved it): its area stays where it is. */
  adopt(t: number, areaNode: number, mm: number): void {
    this.areaNode[t] = areaNode;
    this.mmOf[t] = mm;
  }

  /**
   * The scheduler runs slot `t`'s task on a CPU of `node` (its program stays on this node's LP,
   * sched/task-slots.ts): its area stays where it was made, and its `current` accesses are local
   * only when `node` is the area's.
   */
  runsOn(t: number, node: number): void {
    this.runNode[t] = node;
  }

  /** Task slot `t` is gone (exit): its pages are freed. `newMm` as at create. */
  release(t: number, newMm: boolean): void {
    const area = this.areaNode[t];
    invariant(area >= 0, `task slot ${t} of node ${this.core.node} exits but was never created`);
    this.livePages[area] -= this.perTask ? STACK_PAGES + 2 : STACK_PAGES;
    if (this.perTask) this.liveOverhead -= newMm ? 2 : 3;
    this.areaNode[t] = -1;
  }

  /** A kernel entry (`ENTRY_*`) of task `t` on this node's CPU: its own accesses, ns. */
  entryNs(t: number, kind: number): number {
    const p = ENTRIES[kind];
    return this.own(t, p.derefs, Math.min(p.tsLines + p.stackLines, kind === ENTRY_LONG ? p.tsLines + p.stackLines : this.missLines));
  }

  /** Timer ticks (HZ = 100) that fell in `userNs` of task `t`'s user time: each an interrupt entry. */
  ticksNs(t: number, ticks: number): number {
    let ns = 0;
    for (let k = 0; k < ticks; k++) ns += this.entryNs(t, ENTRY_TICK);
    return ns;
  }

  /**
   * do_fork by the task in slot `parent` (its area on `parentArea`) of the new task `t`: `*p = *current`
   * reads the parent's task_struct and writes the child's; copy_thread writes the child's stack frame;
   * per-task maps the new pages at the fixed address and in the alias (a pte each) and clears the
   * area's page-table page. ns.
   */
  forkNs(t: number, parentArea: number): number {
    const costs = this.core.s.cfg.costs;
    const child = this.areaNode[t];
    let ns = this.lines(parentArea, TASK_STRUCT_LINES, TASK_STRUCT_LINES, true) + this.lines(child, 0, TASK_STRUCT_LINES + 2, true);
    if (this.perTask) ns += 2 * (STACK_PAGES + 1) * costs.pteSetNs + costs.pageClearNs + this.core.s.memNs[this.core.node * this.n + child] - costs.memLocalNs;
    return ns;
  }

  /** do_exit of task `t` and do_notify_parent to its parent, whose area is on `parentArea`: ns (the pages are freed by `release`). */
  exitNs(t: number, parentArea: number): number {
    let ns = this.own(t, EXIT_PATH.derefs, EXIT_PATH.tsLines + EXIT_PATH.stackLines);
    this.wakeups++; // wake_up_parent: the parent asleep in wait4, its wait entry on its stack
    ns += this.other(parentArea, NOTIFY_PARENT, true);
    if (this.perTask) ns += 2 * (STACK_PAGES + 1) * this.core.s.cfg.costs.pteSetNs; // the fixed-address and alias ptes cleared
    return ns;
  }

  /**
   * A task on this node wakes one asleep on a waitqueue whose entry is on its stack (area on
   * `sleeperArea`), and (`idleArea` ≥ 0) sets need_resched of the idle task of the sleeper's CPU. ns.
   */
  wakeNs(sleeperArea: number, idleArea: number): number {
    this.wakeups++;
    let ns = this.other(sleeperArea, WAKE_SLEEPER, true);
    if (idleArea >= 0) ns += this.other(idleArea, WAKE_IDLE, true);
    return ns;
  }

  /** schedule() on this node picks a task whose area is on `area` (goodness and the switch's reads of next). ns. */
  pickNs(area: number): number {
    return this.other(area, SCHED_PICK, false);
  }

  /**
   * CPU index `i` switches from task `prev` to task `next` (slots; −1: the idle task, which borrows
   * the last PGD: lazy TLB). `coldLines`: lines of next written elsewhere since it ran. Both tasks'
   * own schedule() and switch_to accesses; per-task: a PGD load where 2.4 would keep the mm's (a
   * thread of the same mm) and, with a virtually indexed cache, the flush of prev's area. ns.
   */
  switchNs(i: number, prev: number, next: number, coldLines: number): number {
    const costs = this.core.s.cfg.costs;
    let ns = 0;
    if (prev >= 0) {
      ns += this.own(prev, SCHED_OWN.derefs, 0);
      if (this.perTask && this.virtual) ns += this.flush(prev, STACK_PAGES + 1);
    }
    if (next < 0) return ns;
    ns += this.own(next, SCHED_OWN.derefs, Math.min(coldLines + this.missLines, SCHED_OWN.tsLines + SCHED_OWN.stackLines));
    const was = this.loaded[i];
    if (was !== next) {
      this.loaded[i] = next;
      if (this.perTask && was >= 0) {
        this.areaSwitches++;
        if (this.mmOf[was] === this.mmOf[next]) {
          // 2.4 keeps cr3 between threads of one mm; a per-task PGD must be loaded, losing the TLB.
          this.pgdSwitches++;
          this.areaSwitchNs += costs.contextSwitchNs;
          ns += costs.contextSwitchNs;
        }
      }
    }
    return ns;
  }

  // --- the process runner's hooks (a process per CPU index, single-threaded) ---------------------

  /**
   * The process runner forks a process into slot `t` of this node, its parent created on
   * `parentNode` (make's on node 0 for a job's first process, the previous one's here otherwise):
   * the child's pages, do_fork's copy, and the child switched in. ns.
   */
  forkProcess(t: number, i: number, parentNode: number): number {
    this.create(t, this.core.node, this.nextMm++, true);
    return this.forkNs(t, this.areaNodeFor(parentNode)) + this.switchNs(i, -1, t, 0);
  }

  /** The process in slot `t` exits after `userNs` of user time (its timer ticks, HZ = 100, charged now); parent as at forkProcess. ns. */
  exitProcess(t: number, parentNode: number, userNs: number): number {
    this.userNs[t] += userNs;
    const ticks = Math.floor(this.userNs[t] / TICK_NS);
    this.userNs[t] -= ticks * TICK_NS;
    const ns = this.ticksNs(t, ticks) + this.exitNs(t, this.areaNodeFor(parentNode));
    this.release(t, true);
    return ns;
  }

  // --- pricing ------------------------------------------------------------------------------------

  /** The task's own accesses (through `current`): `derefs` counted, `lines` fetched from its area. */
  private own(t: number, derefs: number, lines: number): number {
    const area = this.areaNode[t];
    invariant(area >= 0, `task slot ${t} of node ${this.core.node} runs but was never created`);
    const from = this.runNode[t];
    if (area === from) this.currentLocal += derefs;
    else this.currentRemote += derefs;
    const ns = lines * this.core.s.memNs[from * this.n + area];
    this.currentLines += lines;
    this.currentNs += ns;
    return ns;
  }

  /** Another task's accesses to a task's area on `area` (through the alias under per-task); `write`: a virtually indexed cache flushes the pages written. */
  private other(area: number, p: PathCost, write: boolean): number {
    const derefs = p.derefs;
    if (area === this.core.node) this.aliasLocal += derefs;
    else this.aliasRemote += derefs;
    const lines = p.tsLines + p.stackLines;
    let ns = this.lines(area, 0, lines, false);
    this.aliasLines += lines;
    this.aliasNs += ns;
    if (write && this.perTask && this.virtual) ns += this.flushPages((p.tsLines > 0 ? 1 : 0) + (p.stackLines > 0 ? 1 : 0), lines, area);
    return ns;
  }

  /** `lines` misses on `area`'s memory from this node, ns (`count`: also count `derefs` as lines of a struct copy, which have no dereference count of their own). */
  private lines(area: number, derefs: number, lines: number, count: boolean): number {
    const ns = lines * this.core.s.memNs[this.core.node * this.n + area];
    if (count) {
      if (area === this.core.node) this.currentLocal += derefs;
      else this.currentRemote += derefs;
      this.currentLines += lines;
      this.currentNs += ns;
    }
    return ns;
  }

  /** Flushing `pages` of task `t`'s area from a virtually indexed cache (the lines written back at the area's distance). */
  private flush(t: number, pages: number): number {
    return this.flushPages(pages, SCHED_OWN.tsLines + SCHED_OWN.stackLines, this.areaNode[t]);
  }

  private flushPages(pages: number, dirtyLines: number, area: number): number {
    const ns = pages * PAGE_LINES * CACHE_FLUSH_LINE_NS + dirtyLines * this.core.s.memNs[this.core.node * this.n + area];
    this.cacheFlushes += pages;
    this.cacheFlushNs += ns;
    return ns;
  }
}

/** This node if it has a ZONE_NORMAL, else the first node that does (node 0 on i386 NUMA): where GFP_KERNEL pages come from. */
export function lowmemNodeOf(s: MmShared, node: number): number {
  const hasNormal = (n: number) => s.maps[n].zones.some((z) => z.type === ZONE_NORMAL);
  if (hasNormal(node)) return node;
  for (let n = 0; n < s.maps.length; n++) if (hasNormal(n)) return n;
  invariant(false, 'no node has a ZONE_NORMAL');
}

/** The `memory.taskArea` section: every node's TaskArea summed. */
export function taskAreaReport(s: MmShared, areas: readonly TaskArea[]): TaskAreaReport {
  const sum = (f: (a: TaskArea) => number) => areas.reduce((x, a) => x + f(a), 0);
  const byNode = (f: (a: TaskArea) => Float64Array, node: number) => sum((a) => f(a)[node]);
  return {
    mode: s.cfg.taskArea === 'per-task' ? 'per-task' : 'lowmem',
    cacheIndexing: s.cfg.cacheIndexing ?? 'physical',
    perNode: Array.from({ length: s.topo.nodes }, (_, node) => ({
      node,
      taskStructs: byNode((a) => a.taskStructs, node),
      stackPages: byNode((a) => a.stackPages, node),
      taskStructPages: byNode((a) => a.taskStructPages, node),
      areaPtPages: byNode((a) => a.areaPtPages, node),
      pgdPages: byNode((a) => a.pgdPages, node),
      peakPages: byNode((a) => a.peakPages, node),
    })),
    currentLocal: sum((a) => a.currentLocal),
    currentRemote: sum((a) => a.currentRemote),
    currentLines: sum((a) => a.currentLines),
    currentNs: sum((a) => a.currentNs),
    aliasLocal: sum((a) => a.aliasLocal),
    aliasRemote: sum((a) => a.aliasRemote),
    aliasLines: sum((a) => a.aliasLines),
    aliasNs: sum((a) => a.aliasNs),
    wakeups: sum((a) => a.wakeups),
    pgdPages: sum((a) => a.pgdPages.reduce((x, y) => x + y, 0)),
    pgdSwitches: sum((a) => a.pgdSwitches),
    areaSwitches: sum((a) => a.areaSwitches),
    areaSwitchNs: sum((a) => a.areaSwitchNs),
    cacheFlushes: sum((a) => a.cacheFlushes),
    cacheFlushNs: sum((a) => a.cacheFlushNs),
    overheadPages: sum((a) => a.peakOverhead),
  };
}
