/**
 * The LP of one node in a memory workload: that node's memory (zones, buddy allocator, LRU
 * lists), its side of the spinlocks, and the CPUs of the node running resumable kernel-path
 * programs over typed arrays (their state is `CpuState`, cpu-state.ts). Workloads (page-fault,
 * the process runner, …) subclass it with their own program. Follows Linux 2.4.18 for what it does
 * itself: `__free_pages_ok` (mm/page_alloc.c) of a page under its `zone->lock`, and the locked
 * operations every path is made of.
 *
 * It composes the subsystems the kernel paths are made of: the anonymous fault, the page-cache
 * write and the unmap (fault-path.ts, mm/memory.c), the zonelist walk (page-alloc.ts), the
 * pagevecs (pagevec.ts), and each CPU's held locks (locks/held-locks.ts: every lock goes through
 * `takeLock`/`dropLock`, in the VM's lock order of mm-shared.ts). Its steps, events and
 * operations are MM_PROTOCOL's (mm-protocol.ts); the parts built on it claim theirs after
 * (numbering.ts). The kernel's further layers are composed too, when the workload asks for them
 * (`NodeParts`): reclaim (vmscan.ts) and the highmem machinery (kmap.ts, page-tables.ts,
 * text-replication.ts); the node sends each its steps, events and operations.
 *
 * Cross-node work follows docs/MEMORY-MODEL.md: a zonelist walk over another node's zones is a
 * chain of probe messages; data of another node is changed by a message sent while the lock that
 * protects it is held, and the lock is released once the answer is back. The LRU lock is the
 * global `pagemap_lru_lock` (homed with the kernel's data on node 0) for `2.4` and `rmap`, the
 * page's `zone->lru_lock` for `2.5-zone`.
 *
 * Hold times are built from the cost model, not given: a critical section costs its own work,
 * plus a cache miss on the page's struct page (in node 0's lowmem on i386 NUMA), plus the cache
 * lines it writes that the previous holder dirtied (`LINES_*` in mm-shared.ts), each moving from
 * that holder's cache at the line-transfer cost of the distance.
 *
 * Simplified: order-0 pages only; page_add_rmap is taken after page_table_lock is released rather
 * than inside it; a CPU runs one kernel path at a time (no interrupts, no preemption).
 */
import type { Kernel, LogicalProcess } from '../engine/kernel.js';
import { Rng } from '../engine/rng.js';
import { bug, invariant } from '../errors.js';
import { LockStats } from '../locks/lock-stats.js';
import { FIRST_MODEL_EVENT, SpinlockClient, SpinlockHome, type LockUser } from '../locks/spinlock.js';
import { NodeMemory } from './node-memory.js';
import { ZONE_NORMAL, type ZoneType } from './zone.js';
import { PageAlloc } from './page-alloc.js';
import { CpuState } from './cpu-state.js';
import { FaultPath } from './fault-path.js';
import { KMAP_CALLERS } from './highmem.js';
import { Kmap } from './kmap.js';
import { OP_PT_ALLOC, PageTables, PTE_ANON_FAULT } from './page-tables.js';
import { KernelText } from './text-replication.js';
import { Reclaim } from './vmscan.js';
import { Pagevecs } from './pagevec.js';
import { ENTRY_LONG, ENTRY_SYSCALL, TaskArea } from './task-area.js';
import { HeldLocks } from '../locks/held-locks.js';
import { LINES_BUDDY, type MmShared } from './mm-shared.js';
import {
  EV_KSWAPD_WAKE, EV_OP, EV_OP_REPLY, EV_PROBE, EV_PROBE_REPLY, EV_STEP, MM_STEP_END, OP_FREE, OP_LRU_ADD, OP_LRU_DEL, OP_NODE_NEXT, OP_NONE,
  OP_RMQUEUE, P_DRAIN, P_DRAIN_RELEASE, P_DRAIN_WAIT, P_FREE_PV, P_IDLE, P_LOCK, P_OP_RELEASE, P_OP_WAIT, P_PAGE_OP_WAIT, P_RECLAIM_WAIT,
} from './mm-protocol.js';
import { NS_ZERO } from '../engine/time.js';
import { EV_OP_POSTED, RemoteKinds } from './remote-ops.js';
import { IrqInHold } from '../locks/irq-in-hold.js';
import { NodeCosts } from './node-costs.js';
import { carriedNs, opReply, sendOp } from './locked-ops.js';
import { CORE_ONLY, findLowmemNode, type NodeParts } from './node-parts.js';
export { MM_PROTOCOL, OP_NONE, OP_RMQUEUE, OP_FREE, OP_LRU_ADD, OP_LRU_DEL, FAULT_ANON, FAULT_PAGECACHE_WRITE, FAULT_COW, PAGEVEC_SIZE } from './mm-protocol.js';
import type { RmapHook } from './node-services.js';

export class MmNode implements LogicalProcess, LockUser {
  readonly mem: NodeMemory;
  readonly home: SpinlockHome;
  readonly client: SpinlockClient;
  protected readonly rng: Rng;
  protected readonly first: number;
  protected readonly n: number;
  /** Page slots per CPU: a workload keeps the pages a CPU's process maps in slots 0 … S−1. */
  readonly S: number;
  /** Per-CPU state of this node's programs (cpu-state.ts), indexed by cpu − first ("i"); kswapd after the CPUs. */
  readonly cpuState: CpuState;
  // The arrays of it that workloads and subsystems use most, by their own names.
  /** The step each CPU's program is at (its subsystems move it on). */
  readonly prog: Int32Array;
  /** Page slot the current fault or unmap works on. */
  readonly slot: Int32Array;
  /** Node and node-local frame of each slot's page: [i * S + k]; frame −1: no page. */
  protected readonly pageNode: Int32Array;
  readonly pageFrame: Int32Array;
  readonly reclaimWaits: Int32Array; // times the current allocation waited for reclaim
  /** Answer of the last operation (a frame for rmqueue; a workload op's result). */
  readonly opResult: Int32Array;
  /** `__alloc_pages`' zonelist walks of this node's CPUs (page-alloc.ts). */
  readonly alloc: PageAlloc;
  /** The locks each CPU (and kswapd) holds, in the VM's lock order (locks/held-locks.ts). */
  readonly held: HeldLocks;
  /** The CPUs' pagevecs (pagevec.ts). */
  readonly pagevecs: Pagevecs;
  /** The anonymous fault, the page-cache write and the unmap every workload shares (fault-path.ts). */
  readonly faults: FaultPath;
  /** kswapd, direct reclaim and the allocations waiting for them (vmscan.ts); null without reclaim. */
  readonly reclaim: Reclaim | null;
  /** The kmap pools' callers and the pools this node owns (kmap.ts); null without highmem machinery. */
  readonly kmap: Kmap | null;
  /** The page-table pages of this node's CPUs' processes (page-tables.ts); null without highmem machinery. */
  readonly pageTables: PageTables | null;
  /** Where this node's CPUs fetch kernel text from (text-replication.ts); null without highmem machinery. */
  readonly text: KernelText | null;
  /** Where its tasks' kernel stacks and task_structs live and what reaching them costs (task-area.ts); null when `taskArea` is left out or "none". */
  readonly taskArea: TaskArea | null;
  /** Node whose ZONE_NORMAL holds lowmem page tables and bounce pages for this node (node 0 on i386 NUMA); −1 without highmem machinery. */
  readonly lowmemNode: number;
  /** kmap_atomic calls by caller (the kmap report's; page tables and bounce buffers add to it). */
  readonly kmapAtomicCalls: Float64Array;
  // Statistics (observation only: nothing the model decides reads them).
  allocationFailures = 0;
  kswapdWakeups = 0;
  kmapAtomic = 0;
  /** Extra hold an operation done under a lock asks for (a scan's length), ns. */
  opExtraNs = NS_ZERO;
  /** The CPU whose operation applyOp is applying (here or sent by EV_OP): whose pte a reverse-map operation is (rmap.ts). */
  opCpu = -1;
  /** The fault path's reverse-map calls when the workload keeps pte_chains (fork.ts); null: fixed holds. */
  rmapHook: RmapHook | null = null;
  /** Ptes try_to_unmap cleared, its IPIs and time (the page cache counts them). */
  ptesUnmapped = 0;
  unmapTlbIpis = 0;
  unmapWalkNs = NS_ZERO;
  /** 2.4's swap_out: calls, ptes it looked at, ptes it unmapped, and its walks' time (swap-out.ts). */
  swapOuts = 0;
  swapPtesScanned = 0;
  swapPtesUnmapped = 0;
  swapWalkNs = NS_ZERO;
  /** Operations on another node's memory done directly under remoteOps=direct (remote-ops.ts). */
  directOps = 0;
  /** How this node's operations on other nodes' memory travel under remoteOps=direct; the layers built on the node declare theirs. */
  readonly remoteKinds = new RemoteKinds();
  /** Page-table pages kswapd reached through its private kmap pool (kswapdKmapPool). */
  kswapdPoolMaps = 0;
  /** Interrupts landing inside this node's CPUs' holds (locks/irq-in-hold.ts); off without irqHz. */
  readonly irq: IrqInHold;
  /** What its CPUs pay for the memory a path touches: page streams, struct page misses, hash walks (node-costs.ts). */
  readonly costs: NodeCosts;

  constructor(
    readonly kernel: Kernel,
    readonly node: number,
    readonly s: MmShared,
    slotsPerCpu: number,
    parts: NodeParts = CORE_ONLY,
  ) {
    const t = s.topo;
    this.n = t.nodes;
    this.rng = new Rng(s.cfg.seed, node);
    this.first = t.firstCpu(node);
    this.S = slotsPerCpu;
    this.mem = new NodeMemory(s.maps[node]);
    this.costs = new NodeCosts(s, node, this.mem);
    this.home = new SpinlockHome(kernel, t, s.locks, this.rng);
    this.client = new SpinlockClient(kernel, t, s.locks, new LockStats(s.registry.lockCount, s.registry.callerCount), this);
    // One program slot per CPU of the node, and one more for the node's kswapd (index cpusPerNode).
    const c = t.cpusPerNode + 1;
    this.cpuState = new CpuState(c, this.S);
    this.prog = this.cpuState.prog;
    this.slot = this.cpuState.slot;
    this.pageNode = this.cpuState.pageNode;
    this.pageFrame = this.cpuState.pageFrame;
    this.reclaimWaits = this.cpuState.reclaimWaits;
    this.opResult = this.cpuState.opResult;
    this.alloc = new PageAlloc(this, c);
    this.held = new HeldLocks(c, s.lockRank, s.registry.names, kernel.debug);
    this.pagevecs = new Pagevecs(this, c);
    this.faults = new FaultPath(this);
    this.lowmemNode = parts.kmap === null ? -1 : findLowmemNode(s, node);
    this.kmapAtomicCalls = new Float64Array(KMAP_CALLERS.length);
    this.reclaim = parts.reclaim ? new Reclaim(this) : null;
    const km = parts.kmap;
    this.kmap = km === null ? null : new Kmap(this, km);
    this.text = km === null ? null : new KernelText(s, node, this.mem);
    this.pageTables = km === null ? null : new PageTables(this, t.cpusPerNode, this.kmap);
    const ta = s.cfg.taskArea;
    this.taskArea = ta === 'lowmem' || ta === 'per-task' ? new TaskArea(this, parts.taskSlots ?? t.cpusPerNode, t.cpusPerNode) : null;
    const cfg = s.cfg;
    this.irq = new IrqInHold({ ...cfg, timerIrqNs: cfg.costs.timerIrqNs, deviceIrqNs: cfg.costs.deviceIrqNs }, this.first, c, t.cpus, cfg.seed, node);
  }

  // --- what a workload provides -----------------------------------------------------------------

  /**
   * Runs workload step `p` of CPU `cpu` (index `i`). Returns true to go on stepping (the program
   * moved to another step), false when the CPU now waits for time, a lock or an answer.
   */
  protected program(i: number, cpu: number, p: number): boolean {
    if (this.pageTables !== null && PageTables.owns(p)) return this.pageTables.step(i, cpu, p);
    if (this.kmap !== null && Kmap.owns(p)) return this.kmap.step(i, cpu, p);
    if (this.reclaim !== null && Reclaim.owns(p)) return this.reclaim.step(i, cpu, p);
    invariant(false, `CPU ${this.first + i} is at step ${p}, which has no handler`);
  }

  /** Events of the parts built on the node (kinds claimed after MM_PROTOCOL's). */
  protected handleWorkloadEvent(kind: number, a: number, b: number, c: number): void {
    if (this.kmap !== null && Kmap.ownsEvent(kind)) this.kmap.handleEvent(kind, a, b, c);
    else if (this.reclaim !== null && Reclaim.ownsEvent(kind)) this.reclaim.handleEvent(kind, a, b);
    else invariant(false, `event kind ${kind} (${a}, ${b}, ${c}) has no handler`);
  }

  /** Operations on this node's memory of the parts built on the node (claimed after MM_PROTOCOL's). */
  protected doWorkloadOp(op: number, arg: number): number {
    if (this.pageTables !== null && op === OP_PT_ALLOC) return this.pageTables.applyOp(arg as ZoneType);
    if (this.reclaim !== null && Reclaim.ownsOp(op)) return this.reclaim.applyOp(op, arg);
    invariant(false, `operation ${op} (${arg}) has no handler`);
  }

  /** Index of a CPU (or of this node's kswapd) in the per-CPU arrays. */
  idx(cpu: number): number {
    return cpu < this.s.topo.cpus ? cpu - this.first : this.s.topo.cpusPerNode;
  }

  /** Reaching the pte a fault or unmap on CPU index `i` sets, beyond pteSetNs (where page tables live: mm/page-tables.ts). */
  pteAccessNs(i: number, walk = PTE_ANON_FAULT): number {
    return this.pageTables === null ? 0 : this.pageTables.accessNs(i, walk);
  }

  /** pte=highmem-kmap: the kmap_high of the page-table page before a pte access, then back to `here` (true: started). */
  pteKmapDetour(i: number, walk: number, here: number): boolean {
    return this.pageTables !== null && this.pageTables.kmapDetour(i, walk, here);
  }

  /** `mm->page_table_lock` of the mm running on `cpu` now: by default its one process's (mix switches tasks). */
  ptlOf(cpu: number): number {
    return this.s.ptl[cpu];
  }

  /** kswapd of this node was woken (vmscan.ts runs it). */
  kswapdWake(): void {
    if (this.reclaim !== null) this.reclaim.kswapdWake();
  }

  /**
   * An allocation by `cpu` failed every pass; `waits` is how often it already waited for reclaim.
   * Returns true when the CPU now waits for reclaim on `node` (vmscan.ts retries it);
   * false lets the allocation fail.
   */
  outOfMemory(cpu: number, node: number, waits: number): boolean {
    return this.reclaim !== null && this.reclaim.outOfMemory(cpu, node, waits);
  }

  /**
   * May reclaim drop this LRU page from the page cache? −1 when it may not (a page no workload can
   * drop), UNMAP_BY_SWAP_OUT for a mapped page 2.4 must leave to swap_out, else the ns its
   * unmapping takes (0 for an unmapped page; the page cache overrides this with its
   * reverse-mapping walk). Runs under the LRU lock, on the page's node.
   */
  unmapForReclaim(frame: number): number {
    return this.mem.frames.index[frame] >= 0 ? 0 : -1;
  }

  /**
   * 2.4's swap_out, run by reclaiming thread `i` (kswapd or a CPU in direct reclaim) after a scan
   * that met too many mapped pages; then step `next`. Nothing to do without mapped pages
   * (page-cache.ts has the page-table scan).
   */
  swapOut(i: number, _cpu: number, next: number): boolean {
    this.prog[i] = next;
    return true;
  }

  /** The page leaves the page cache: the workload forgets where it was (pagecache_lock held). */
  dropFromCache(frame: number): void {
    this.mem.frames.index[frame] = -1;
  }

  /** A kernel entry on CPU index `i` (`long`: fork, exec, exit; else `kind`, task-area.ts's ENTRY_*): its kernel text fetches and its task's own task_struct and stack accesses, owed. */
  protected kernelEntry(i: number, long = false, kind = ENTRY_SYSCALL): void {
    if (this.text !== null) this.cpuState.owed[i] += this.text.entryNs(long);
    if (this.taskArea !== null && this.taskArea.areaNode[i] >= 0) this.cpuState.owed[i] += this.taskArea.entryNs(i, long ? ENTRY_LONG : kind);
  }

  /** A task whose mm points at node `mmTextNode`'s text is switched in on CPU index `i`: a remap, owed, if replication needs one. */
  protected switchIn(i: number, mmTextNode: number): void {
    if (this.text !== null) this.cpuState.owed[i] += this.text.switchInNs(mmTextNode);
  }

  // --- events -----------------------------------------------------------------------------------

  /** Starts CPU `cpu`'s program at `step` after `delayNs`. */
  protected startCpu(lp: number, cpu: number, step: number, delayNs: number): void {
    this.prog[this.idx(cpu)] = step;
    this.kernel.post(lp, lp, delayNs, EV_STEP, cpu, 0, 0);
  }

  handle(kind: number, a: number, b: number, c: number): void {
    switch (kind) {
      case EV_STEP:
        this.step(a);
        return;
      case EV_PROBE:
        this.alloc.probe(a, b & 0xfffff, (b >>> 20) & 1, b >>> 21, c);
        return;
      case EV_PROBE_REPLY:
        this.alloc.probeReply(a, b & 0xfffff, b >>> 20 === 1, c);
        return;
      case EV_OP: {
        const cpuNode = this.s.topo.cpuNode[a];
        this.opExtraNs = 0; // a scan's time (refill, shrink, swap_out's walk) goes back to the lock holder
        if ((b & EV_OP_POSTED) !== 0) {
          // remoteOps=direct: a change the holder made itself, arriving after its hold (remote-ops.ts).
          this.applyOp(b & 0xff, ((b >>> 8) & 0xff) as ZoneType, c);
          return;
        }
        this.opCpu = a;
        const result = this.applyOp(b & 0xff, (b >>> 8) as ZoneType, c);
        this.kernel.send(this.s.topo.nodeLp[cpuNode], this.s.topo.hopNs(this.node, cpuNode), EV_OP_REPLY, a, result, Math.round(this.opExtraNs));
        return;
      }
      case EV_OP_REPLY:
        opReply(this, a, b, c);
        return;
      case EV_KSWAPD_WAKE:
        this.kswapdWakeups++;
        this.kswapdWake();
        return;
      default:
        if (kind >= FIRST_MODEL_EVENT) this.handleWorkloadEvent(kind, a, b, c);
        else if (SpinlockHome.handles(kind)) this.home.handle(kind, a, b, c);
        else this.client.handle(kind, a, b, c);
    }
  }

  /** Runs a CPU's program from its current step until it has to wait for time, a lock or an answer. */
  step(cpu: number): void {
    const i = this.idx(cpu);
    for (;;) {
      const p = this.prog[i];
      if (p >= MM_STEP_END) {
        if (this.program(i, cpu, p)) continue;
        return;
      }
      if (!this.sharedStep(i, cpu, p)) return;
    }
  }

  /**
   * Every delay a CPU's program takes outside a lock first pays the time the CPU owes (IPIs, text
   * fetches, its task's own lines: cpu-state.ts). Inside a hold the debt waits: a kernel entry's
   * fetches come before the path takes its first lock, and an interrupt that lands inside a hold
   * is irq-in-hold.ts's to price, so neither may lengthen a hold here.
   */
  after(cpu: number, delayNs: number): void {
    if (cpu < this.s.topo.cpus) {
      const owed = this.cpuState.owed;
      const i = cpu - this.first;
      if (owed[i] > 0 && this.held.depth[i] === 0) {
        delayNs += owed[i];
        owed[i] = 0;
      }
    }
    this.kernel.schedule(delayNs, EV_STEP, cpu, 0, 0);
  }

  // --- the shared kernel paths ------------------------------------------------------------------

  /** Empties the CPU's pagevec (`lru_add_drain`, or the release of pages waiting to leave); then `next`. */
  protected flushPagevec(i: number, next: number): void {
    if (this.pagevecs.count[i] === 0) {
      this.prog[i] = next;
      return;
    }
    this.pagevecs.startDrain(i, this.pagevecs.op[i], next);
  }

  private sharedStep(i: number, cpu: number, p: number): boolean {
    if (FaultPath.owns(p)) return this.faults.step(i, cpu, p);
    switch (p) {
      case P_FREE_PV:
        return !this.pagevecs.freeNext(i, cpu);
      case P_LOCK:
        this.prog[i] = P_OP_WAIT;
        this.takeLock(i, cpu, this.cpuState.opLock[i], this.cpuState.opCaller[i]);
        return false;
      case P_OP_RELEASE: {
        const st = this.cpuState;
        if (st.opKeep[i] === 1) st.opKeep[i] = 0; // still held: the caller nests inside it
        else this.dropLock(i, cpu, st.opLock[i]);
        st.opLock[i] = -1;
        if (st.opPending[i] > 0) {
          // remoteOps=direct: released after its own accesses; the answer it needs is still on its way.
          this.prog[i] = P_PAGE_OP_WAIT;
          return false;
        }
        this.prog[i] = st.opNext[i];
        return true;
      }
      case P_DRAIN:
        return this.pagevecs.drain(i, cpu);
      case P_DRAIN_RELEASE:
        this.dropLock(i, cpu, this.cpuState.opLock[i]);
        this.cpuState.opLock[i] = -1;
        this.pagevecs.groupDone(i);
        return true;
      case P_IDLE:
      case P_RECLAIM_WAIT:
        return false;
      default:
        invariant(false, `CPU ${cpu} is at step ${p}, which has no handler`);
    }
  }

  freePage(i: number, cpu: number, node: number, frame: number, next: number): void {
    const type = this.zoneTypeOf(node, frame);
    const hold = this.s.cfg.costs.buddyOpNs + this.structPageNs(node);
    this.lockedOp(i, cpu, this.s.zoneLock[node * 3 + type], this.s.callers.__free_pages_ok, OP_FREE, node, frame, hold, LINES_BUDDY, next);
  }

  pageStreamNs(node: number, localNs: number): number {
    return this.costs.pageStreamNs(node, localNs);
  }

  structPageNs(node: number, view = this.node): number {
    return this.costs.structPageNs(node, view);
  }

  pagecacheHoldNs(node: number): number {
    return this.costs.pagecacheHoldNs(node);
  }

  // --- work under a lock ------------------------------------------------------------------------

  /**
   * Takes `lock` (after `delayNs`, if any), applies `op` to `node`'s memory (`arg`: a zone type for
   * rmqueue, a frame otherwise) — here, or on its node by a message there and back while the lock
   * is held — holds for `holdNs` plus `lines` cache lines from the previous holder, releases, and
   * goes on at `next`.
   */
  lockedOp(i: number, cpu: number, lock: number, caller: number, op: number, node: number, arg: number, holdNs: number, lines: number, next: number, delayNs = 0): void {
    const st = this.cpuState;
    st.opLock[i] = lock;
    st.opCaller[i] = caller;
    st.opCode[i] = op;
    st.opNode[i] = node;
    st.opArg[i] = arg;
    st.opHold[i] = holdNs;
    st.opLines[i] = lines;
    st.opNext[i] = next;
    if (delayNs > 0) {
      this.prog[i] = P_LOCK;
      this.after(cpu, delayNs);
      return;
    }
    this.prog[i] = P_OP_WAIT;
    this.takeLock(i, cpu, lock, caller);
  }

  /**
   * An operation on `node`'s memory that needs no lock of its own (the caller holds none or the
   * page's state is per-page atomic): here at once, or by a message there and back. The answer is
   * in `opResult[i]`; then `next`.
   */
  pageOp(i: number, cpu: number, node: number, op: number, arg: number, next: number): boolean {
    if (node === this.node) {
      this.opResult[i] = this.applyOp(op, ZONE_NORMAL, arg);
      this.prog[i] = next;
      return true;
    }
    this.cpuState.opNext[i] = next;
    this.prog[i] = P_PAGE_OP_WAIT;
    this.kernel.send(this.s.topo.nodeLp[node], this.s.topo.hopNs(this.node, node), EV_OP, cpu, op, arg);
    return false;
  }

  lockAcquired(cpu: number, lock: number, prevHolder: number): void {
    const i = this.idx(cpu);
    if (this.kmap !== null && this.kmap.waitsForLock(i, cpu)) {
      this.kmap.lockAcquired(i, cpu, prevHolder);
      return;
    }
    // Kept small (the hand-off, the remote case and the bug in their own methods): V8 then inlines
    // this into the lock protocol's grant handler, which calls it on every acquisition.
    const st = this.cpuState;
    const p = this.prog[i];
    const carried = carriedNs(this, i, cpu, lock, prevHolder, p);
    if (p === P_DRAIN_WAIT) {
      this.pagevecs.locked(i, cpu, carried);
      return;
    }
    if (p !== P_OP_WAIT) this.notWaiting(cpu);
    st.opHold[i] += carried;
    const op = st.opCode[i];
    if (op === OP_NONE) {
      this.holdThenRelease(i, cpu, P_OP_RELEASE, st.opHold[i]);
      return;
    }
    const node = st.opNode[i];
    if (node !== this.node) {
      sendOp(this, i, cpu, op, node);
      return;
    }
    this.opExtraNs = 0;
    this.opCpu = cpu;
    this.opResult[i] = this.applyOp(op, st.opArg[i] as ZoneType, st.opArg[i]);
    // Scans (refill_inactive, shrink_cache) hold for as long as they looked at pages.
    st.opHold[i] += this.opExtraNs;
    this.holdThenRelease(i, cpu, P_OP_RELEASE, st.opHold[i]);
  }

  private notWaiting(cpu: number): never {
    bug(`CPU ${cpu} got a lock it was not waiting for`);
  }

  lockRefused(): void {
    invariant(false, 'the memory workloads take no trylocks');
  }

  /** Asks for `lock` for the work CPU index `i`'s program set up (a subsystem's own locked section). */
  acquireFor(i: number, cpu: number, lock: number, caller: number): void {
    this.cpuState.opLock[i] = lock;
    this.takeLock(i, cpu, lock, caller);
  }

  /**
   * Every lock a CPU of this node takes goes through here: onto its held-lock stack, then the lock
   * protocol. `shared`: down_read on an rwsem (locks/rwsem.ts); otherwise spin_lock or down_write.
   */
  takeLock(i: number, cpu: number, lock: number, caller: number, shared = false): void {
    if (this.held.depth[i] > 0) this.client.stats.recordNested(lock);
    this.held.take(i, cpu, lock);
    this.client.acquire(cpu, lock, caller, false, shared);
  }

  dropLock(i: number, cpu: number, lock: number): void {
    this.held.drop(i, cpu, lock);
    this.client.release(cpu, lock);
  }

  /** With the lock held: hold for `holdNs`, once `remote` answers are back (none: at once), then `releaseStep`. */
  holdUnderLock(i: number, cpu: number, holdNs: number, remote: number, releaseStep: number): void {
    this.cpuState.opHold[i] = holdNs;
    if (remote === 0) this.holdThenRelease(i, cpu, releaseStep, holdNs);
    else this.cpuState.opPending[i] = remote;
  }

  /** Holds CPU index `i`'s lock for `holdNs` (and any interrupt landing in it), then goes to `releaseStep`. */
  holdThenRelease(i: number, cpu: number, releaseStep: number, holdNs: number): void {
    // Interrupts arriving in a plain spin_lock hold run inside it (locks/irq-in-hold.ts).
    if (this.irq.enabled && this.s.lockIrqSafe[this.cpuState.opLock[i]] === 0) holdNs += this.irq.stretchNs(i, this.kernel.now, holdNs);
    this.prog[i] = releaseStep;
    this.after(cpu, holdNs);
  }

  /**
   * remoteOps=direct: CPU index `i`'s hold of `holdNs` began at `startNs` (its grant), the work done
   * on another node's LP, whose answer is here now. The lock goes back when the hold (and any
   * interrupt landing in it) is over, or now if the answer came later: the model cannot release
   * before it knows the length (remote-ops.ts).
   */
  holdFromGrant(i: number, cpu: number, releaseStep: number, startNs: number, holdNs: number): void {
    if (this.irq.enabled && this.s.lockIrqSafe[this.cpuState.opLock[i]] === 0) holdNs += this.irq.stretchNs(i, startNs, holdNs);
    this.prog[i] = releaseStep;
    this.after(cpu, Math.max(0, startNs + holdNs - this.kernel.now));
  }

  /**
   * Applies an operation to this node's memory. `type` is the zone for rmqueue, `arg` the frame
   * (or a workload op's argument). Answers a frame for rmqueue, 0 otherwise.
   */
  applyOp(op: number, type: ZoneType, arg: number): number {
    switch (op) {
      case OP_RMQUEUE:
        return this.mem.rmqueue(type);
      case OP_FREE:
        this.mem.free(arg);
        return 0;
      case OP_LRU_ADD:
        this.mem.lruAdd(arg);
        return 0;
      case OP_LRU_DEL:
        this.mem.lruDel(arg);
        return 0;
      case OP_NODE_NEXT:
        return this.alloc.nodeNext();
    }
    return this.doWorkloadOp(op, arg);
  }

  /** The LRU lock that guards a page: the global pagemap_lru_lock, or its zone's lru_lock (2.5). */
  lruLockOf(node: number, frame: number): number {
    if (this.s.cfg.lru !== '2.5-zone') return this.s.pagemapLruLock;
    return this.s.zoneLruLock[node * 3 + this.zoneTypeOf(node, frame)];
  }

  zoneTypeOf(node: number, frame: number): ZoneType {
    const zones = this.s.maps[node].zones;
    for (let k = 0; k < zones.length; k++) if (frame >= zones[k].start && frame < zones[k].start + zones[k].pages) return zones[k].type;
    bug(`page ${frame} of node ${node} is in no zone`);
  }
}
