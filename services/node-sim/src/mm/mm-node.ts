/**
 * The LP of one node in a memory workload: that node's memory (zones, buddy allocator, LRU
 * lists), its side of the spinlocks, and the CPUs of the node running resumable kernel-path
 * programs over typed arrays. Workloads (page-fault, kernbench, …) subclass it with their own
 * program; the kernel paths they share live here:
 *
 * - an anonymous fault, Linux 2.4 mm/memory.c `do_anonymous_page`: `__alloc_pages` over the
 *   zonelist, clear the page (through `kmap_atomic` when it is highmem), set the pte under
 *   `mm->page_table_lock`, (-rmap: `page_add_rmap` under `pagemap_lru_lock`), `lru_cache_add`;
 * - a page-cache page written by `generic_file_write`: `__find_lock_page` (a miss) under
 *   `pagecache_lock`, allocate, copy from the user buffer, `add_to_page_cache` under it again,
 *   `lru_cache_add`;
 * - an unmap, `zap_page_range` + `free_page_and_swap_cache`: clear the pte, (-rmap:
 *   `page_remove_rmap`), `lru_cache_del`, `__free_pages_ok`;
 * - pagevecs (2.5.31): LRU additions and removals 16 pages per lock acquisition.
 *
 * It composes the subsystems those paths call: the zonelist walk (page-alloc.ts), the pagevecs
 * (pagevec.ts), and each CPU's held locks (locks/held-locks.ts: every lock goes through
 * `takeLock`/`dropLock`, in the VM's lock order of mm-shared.ts). Its steps, events and
 * operations are MM_PROTOCOL's (mm-protocol.ts); the layers built on it claim theirs after
 * (numbering.ts).
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
import { HIST_BUCKETS, histBucket, LockStats } from '../locks/lock-stats.js';
import { FIRST_MODEL_EVENT, handoffNs, SpinlockClient, SpinlockHome, type LockUser } from '../locks/spinlock.js';
import { NodeMemory } from './node-memory.js';
import { ZONE_HIGHMEM, ZONE_NORMAL, type ZoneType } from './zone.js';
import { PageAlloc } from './page-alloc.js';
import { Pagevecs } from './pagevec.js';
import { HeldLocks } from '../locks/held-locks.js';
import { LINES_BUDDY, LINES_LRU, LINES_PAGECACHE, type MmShared } from './mm-shared.js';
import {
  EV_KSWAPD_WAKE, EV_OP, EV_OP_REPLY, EV_PROBE, EV_PROBE_REPLY, EV_STEP, FAULT_ANON, MM_STEP_END, OP_FREE, OP_LRU_ADD,
  OP_LRU_DEL, OP_NONE, OP_RMQUEUE, P_DRAIN, P_DRAIN_RELEASE, P_DRAIN_WAIT, P_FAULT,
  P_FAULT_DONE, P_FILL, P_FREE, P_FREE_PV, P_IDLE, P_LOCK, P_LRU_ADD, P_LRU_DEL, P_MAP, P_OP_RELEASE, P_OP_WAIT, P_PAGE_OP_WAIT,
  P_RECLAIM_WAIT, P_RMAP_ADD, P_RMAP_DEL, P_TAKEN, P_UNMAP, P_WALK,
} from './mm-protocol.js';
import { NS_ZERO } from '../engine/time.js';
export { MM_PROTOCOL, OP_NONE, OP_RMQUEUE, OP_FREE, OP_LRU_ADD, OP_LRU_DEL, FAULT_ANON, FAULT_PAGECACHE_WRITE, PAGEVEC_SIZE } from './mm-protocol.js';


export class MmNode implements LogicalProcess, LockUser {
  readonly mem: NodeMemory;
  readonly home: SpinlockHome;
  readonly client: SpinlockClient;
  protected readonly rng: Rng;
  protected readonly first: number;
  protected readonly n: number;
  /** Page slots per CPU: a workload keeps the pages a CPU's process maps in slots 0 … S−1. */
  readonly S: number;
  // Per CPU of this node, indexed by cpu − first ("i").
  /** The step each CPU's program is at (its subsystems move it on). */
  readonly prog: Int32Array;
  /** Step to go on at when a shared kernel path ends. */
  private readonly cont: Int32Array;
  /** Page slot the current fault or unmap works on. */
  readonly slot: Int32Array;
  private readonly faultKind: Int32Array;
  /** Node and node-local frame of each slot's page: [i * S + k]; frame −1: no page. */
  protected readonly pageNode: Int32Array;
  readonly pageFrame: Int32Array;
  private readonly faultStart: Float64Array;
  readonly reclaimWaits: Int32Array; // times the current allocation waited for reclaim
  /** `__alloc_pages`' zonelist walks of this node's CPUs (page-alloc.ts). */
  readonly alloc: PageAlloc;
  private readonly opLock: Int32Array; // the pending or held lock and what to do under it
  private readonly opCaller: Int32Array;
  private readonly opCode: Int32Array;
  private readonly opNode: Int32Array;
  private readonly opArg: Int32Array;
  private readonly opHold: Float64Array;
  private readonly opLines: Int32Array;
  private readonly opNext: Int32Array;
  /** Answer of the last operation (a frame for rmqueue; a workload op's result). */
  readonly opResult: Int32Array;
  private readonly opPending: Int32Array;
  /** The locks each CPU (and kswapd) holds, in the VM's lock order (locks/held-locks.ts). */
  readonly held: HeldLocks;
  /** The CPUs' pagevecs (pagevec.ts). */
  readonly pagevecs: Pagevecs;
  // Statistics (observation only: nothing the model decides reads them).
  readonly anonFaults: Float64Array;
  allocationFailures = 0;
  kswapdWakeups = 0;
  kmapAtomic = 0;
  /** Extra hold an operation done under a lock asks for (a scan's length), ns. */
  opExtraNs = NS_ZERO;
  readonly faultLatencyHist = new Float64Array(HIST_BUCKETS);
  faultLatencyTotal = NS_ZERO;
  faultLatencyMax = NS_ZERO;

  constructor(
    readonly kernel: Kernel,
    readonly node: number,
    readonly s: MmShared,
    slotsPerCpu: number,
  ) {
    const t = s.topo;
    this.n = t.nodes;
    this.rng = new Rng(s.cfg.seed, node);
    this.first = t.firstCpu(node);
    this.S = slotsPerCpu;
    this.mem = new NodeMemory(s.maps[node]);
    this.home = new SpinlockHome(kernel, t, s.locks, this.rng);
    this.client = new SpinlockClient(kernel, t, s.locks, new LockStats(s.registry.lockCount, s.registry.callerCount), this);
    // One program slot per CPU of the node, and one more for the node's kswapd (index cpusPerNode).
    const c = t.cpusPerNode + 1;
    const i32 = (len: number) => new Int32Array(len);
    const f64 = (len: number) => new Float64Array(len);
    this.prog = i32(c);
    this.cont = i32(c);
    this.slot = i32(c);
    this.faultKind = i32(c);
    this.pageNode = i32(c * this.S);
    this.pageFrame = i32(c * this.S).fill(-1);
    this.faultStart = f64(c);
    this.reclaimWaits = i32(c);
    this.alloc = new PageAlloc(this, c);
    this.opLock = i32(c).fill(-1);
    this.opCaller = i32(c);
    this.opCode = i32(c);
    this.opNode = i32(c);
    this.opArg = i32(c);
    this.opHold = f64(c);
    this.opLines = i32(c);
    this.opNext = i32(c);
    this.opResult = i32(c);
    this.opPending = i32(c);
    this.held = new HeldLocks(c, s.lockRank, s.registry.names, process.env.NUMASIM_DEBUG === '1');
    this.pagevecs = new Pagevecs(this, c);
    this.anonFaults = f64(c);
  }

  // --- what a workload provides -----------------------------------------------------------------

  /**
   * Runs workload step `p` of CPU `cpu` (index `i`). Returns true to go on stepping (the program
   * moved to another step), false when the CPU now waits for time, a lock or an answer.
   */
  protected program(i: number, cpu: number, p: number): boolean {
    invariant(false, `CPU ${this.first + i} is at step ${p}, which has no handler`);
  }

  /** Events of the parts built on the node (kinds claimed after MM_PROTOCOL's). */
  protected handleWorkloadEvent(kind: number, a: number, b: number, c: number): void {
    invariant(false, `event kind ${kind} (${a}, ${b}, ${c}) has no handler`);
  }

  /** Operations on this node's memory of the parts built on the node (claimed after MM_PROTOCOL's). */
  protected doWorkloadOp(op: number, arg: number): number {
    invariant(false, `operation ${op} (${arg}) has no handler`);
  }

  /** Index of a CPU (or of this node's kswapd) in the per-CPU arrays. */
  idx(cpu: number): number {
    return cpu < this.s.topo.cpus ? cpu - this.first : this.s.topo.cpusPerNode;
  }

  /** Reaching the pte a fault or unmap on CPU index `i` sets, beyond pteSetNs (where page tables live: mm/page-tables.ts). */
  protected pteAccessNs(_i: number): number {
    return 0;
  }

  /** `mm->page_table_lock` of the mm running on `cpu` now: by default its one process's (mix switches tasks). */
  protected ptlOf(cpu: number): number {
    return this.s.ptl[cpu];
  }

  /** kswapd of this node was woken (vmscan.ts runs it). */
  protected kswapdWake(): void {}

  /**
   * An allocation by `cpu` failed every pass; `waits` is how often it already waited for reclaim.
   * Returns true when the CPU now waits for reclaim on `node` (vmscan.ts retries it);
   * false lets the allocation fail.
   */
  outOfMemory(_cpu: number, _node: number, _waits: number): boolean {
    return false;
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
        const result = this.applyOp(b & 0xff, (b >>> 8) as ZoneType, c);
        this.kernel.send(this.s.topo.nodeLp[cpuNode], this.s.topo.hopNs(this.node, cpuNode), EV_OP_REPLY, a, result, Math.round(this.opExtraNs));
        return;
      }
      case EV_OP_REPLY:
        this.opReply(a, b, c);
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

  after(cpu: number, delayNs: number): void {
    this.kernel.schedule(delayNs, EV_STEP, cpu, 0, 0);
  }

  // --- the shared kernel paths ------------------------------------------------------------------

  /** Faults a page into slot `slot[i]`: anonymous (`FAULT_ANON`) or a page-cache write; then `next`. */
  protected beginFault(i: number, kind: number, next: number): void {
    this.faultKind[i] = kind;
    this.cont[i] = next;
    this.prog[i] = P_FAULT;
  }

  /** Unmaps and frees the page in slot `slot[i]` (nothing when the slot is empty); then `next`. */
  protected beginUnmap(i: number, next: number): void {
    this.cont[i] = next;
    this.prog[i] = P_UNMAP;
  }

  /** Empties the CPU's pagevec (`lru_add_drain`, or the release of pages waiting to leave); then `next`. */
  protected flushPagevec(i: number, next: number): void {
    if (this.pagevecs.count[i] === 0) {
      this.prog[i] = next;
      return;
    }
    this.pagevecs.startDrain(i, this.pagevecs.op[i], next);
  }

  private sharedStep(i: number, cpu: number, p: number): boolean {
    const s = this.s;
    const costs = s.cfg.costs;
    const at = i * this.S + this.slot[i];
    switch (p) {
      case P_FAULT:
        this.faultStart[i] = this.kernel.now;
        this.reclaimWaits[i] = 0;
        this.alloc.start(i);
        this.prog[i] = P_WALK;
        if (this.faultKind[i] === FAULT_ANON) {
          this.after(cpu, costs.pageFaultNs);
          return false;
        }
        // generic_file_write's __grab_cache_page looks the page up first (a miss: the hash bucket only).
        this.lockedOp(i, cpu, s.pagecacheLock, s.callers.__find_lock_page, OP_NONE, -1, 0, costs.pagecacheOpNs + s.memNs[this.node * this.n + s.kernelDataNode], 0, P_WALK);
        return false;
      case P_WALK:
        this.alloc.run(i, cpu);
        return false;
      case P_TAKEN: {
        if (this.opResult[i] < 0) {
          this.alloc.skipZone(i);
          this.prog[i] = P_WALK;
          return true;
        }
        const served = this.alloc.zoneAt(i).node;
        this.pageNode[at] = served;
        this.pageFrame[at] = this.opResult[i];
        this.alloc.countServed(i, served);
        this.prog[i] = P_FILL;
        return true;
      }
      case P_FILL: {
        // clear_user_highpage / the copy from the user buffer: a highmem anonymous page is cleared
        // through kmap_atomic (one per-CPU pte and one invlpg, no lock); a page-cache page written by
        // generic_file_write is kmapped by the workload (mm/kmap.ts). A remote page costs remote bandwidth.
        const node = this.pageNode[at];
        let ns = this.pageStreamNs(node, this.faultKind[i] === FAULT_ANON ? costs.pageClearNs : costs.pageCopyNs);
        if (this.faultKind[i] === FAULT_ANON && this.zoneTypeOf(node, this.pageFrame[at]) === ZONE_HIGHMEM) {
          this.kmapAtomic++;
          ns += costs.tlbFlushOneNs;
        }
        this.prog[i] = P_MAP;
        this.after(cpu, ns);
        return false;
      }
      case P_MAP:
        if (this.faultKind[i] === FAULT_ANON) {
          this.lockedOp(i, cpu, this.ptlOf(cpu), s.callers.do_anonymous_page, OP_NONE, -1, 0, costs.pteSetNs + this.pteAccessNs(i), 0, s.cfg.lru === 'rmap' ? P_RMAP_ADD : P_LRU_ADD);
        } else {
          this.lockedOp(i, cpu, s.pagecacheLock, s.callers.add_to_page_cache, OP_NONE, -1, 0, this.pagecacheHoldNs(this.pageNode[at]), LINES_PAGECACHE, P_LRU_ADD);
        }
        return false;
      case P_RMAP_ADD:
        this.lockedOp(i, cpu, s.pagemapLruLock, s.callers.page_add_rmap, OP_NONE, -1, 0, costs.rmapOpNs + this.structPageNs(this.pageNode[at]), LINES_LRU, P_LRU_ADD);
        return false;
      case P_LRU_ADD:
        if (s.cfg.pagevec) {
          if (this.pagevecs.push(i, OP_LRU_ADD, this.pageNode[at], this.pageFrame[at])) this.pagevecs.startDrain(i, OP_LRU_ADD, P_FAULT_DONE);
          else this.prog[i] = P_FAULT_DONE;
          return true;
        }
        this.lruOp(i, cpu, OP_LRU_ADD, s.callers.lru_cache_add, this.pageNode[at], this.pageFrame[at], P_FAULT_DONE);
        return false;
      case P_FAULT_DONE: {
        if (this.faultKind[i] === FAULT_ANON && this.pageFrame[at] >= 0) {
          const lat = this.kernel.now - this.faultStart[i];
          this.faultLatencyHist[histBucket(lat)]++;
          this.faultLatencyTotal += lat;
          if (lat > this.faultLatencyMax) this.faultLatencyMax = lat;
          this.anonFaults[i]++;
        }
        this.prog[i] = this.cont[i];
        return true;
      }
      case P_UNMAP:
        if (this.pageFrame[at] < 0) {
          this.prog[i] = this.cont[i]; // that slot holds no page
          return true;
        }
        this.lockedOp(i, cpu, this.ptlOf(cpu), s.callers.zap_page_range, OP_NONE, -1, 0, costs.pteSetNs + this.pteAccessNs(i), 0, s.cfg.lru === 'rmap' ? P_RMAP_DEL : P_LRU_DEL);
        return false;
      case P_RMAP_DEL:
        this.lockedOp(i, cpu, s.pagemapLruLock, s.callers.page_remove_rmap, OP_NONE, -1, 0, costs.rmapOpNs + this.structPageNs(this.pageNode[at]), LINES_LRU, P_LRU_DEL);
        return false;
      case P_LRU_DEL: {
        if (s.cfg.pagevec) {
          if (this.pagevecs.count[i] > 0 && this.pagevecs.op[i] !== OP_LRU_DEL) {
            // Pages still waiting to go on the LRU go first (lru_add_drain), then this one leaves.
            this.pagevecs.startDrain(i, OP_LRU_ADD, P_LRU_DEL);
            return true;
          }
          // Off the LRU 16 at a time (release_pages), then back to the buddy allocator one by one.
          const full = this.pagevecs.push(i, OP_LRU_DEL, this.pageNode[at], this.pageFrame[at]);
          this.pageFrame[at] = -1;
          if (full) this.pagevecs.startDrain(i, OP_LRU_DEL, this.cont[i]);
          else this.prog[i] = this.cont[i];
          return true;
        }
        const frame = this.pageFrame[at];
        this.pageFrame[at] = -1;
        this.lruOp(i, cpu, OP_LRU_DEL, s.callers.lru_cache_del, this.pageNode[at], frame, P_FREE);
        return false;
      }
      case P_FREE:
        // lruOp left the page's node and frame in opNode/opArg.
        this.freePage(i, cpu, this.opNode[i], this.opArg[i], this.cont[i]);
        return false;
      case P_FREE_PV:
        return !this.pagevecs.freeNext(i, cpu);
      case P_LOCK:
        this.prog[i] = P_OP_WAIT;
        this.takeLock(i, cpu, this.opLock[i], this.opCaller[i]);
        return false;
      case P_OP_RELEASE:
        this.dropLock(i, cpu, this.opLock[i]);
        this.opLock[i] = -1;
        this.prog[i] = this.opNext[i];
        return true;
      case P_DRAIN:
        return this.pagevecs.drain(i, cpu);
      case P_DRAIN_RELEASE:
        this.dropLock(i, cpu, this.opLock[i]);
        this.opLock[i] = -1;
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

  /** An LRU list operation on one page under its LRU lock. */
  private lruOp(i: number, cpu: number, op: number, caller: number, node: number, frame: number, next: number): void {
    const hold = this.s.cfg.costs.lruListOpNs + this.structPageNs(node);
    this.lockedOp(i, cpu, this.lruLockOf(node, frame), caller, op, node, frame, hold, LINES_LRU, next);
  }

  /**
   * Clearing or copying a page of `node`'s memory. The copy streams (the PIII's bcopy, 110 MB/s,
   * is slower than either bus), so a remote page pays the crossing once, not per line (A).
   */
  pageStreamNs(node: number, localNs: number): number {
    return localNs + this.s.memNs[this.node * this.n + node] - this.s.cfg.costs.memLocalNs;
  }

  /** A cache miss on the struct page of a frame of `node`, from this node. */
  structPageNs(node: number): number {
    return this.s.memNs[this.node * this.n + this.s.structPageNode[node]];
  }

  /** `pagecache_lock` held for a hash-chain walk (kernel data on node 0) and the page's count. */
  pagecacheHoldNs(node: number): number {
    return this.s.cfg.costs.pagecacheOpNs + this.s.memNs[this.node * this.n + this.s.kernelDataNode] + this.structPageNs(node);
  }

  // --- work under a lock ------------------------------------------------------------------------

  /**
   * Takes `lock` (after `delayNs`, if any), applies `op` to `node`'s memory (`arg`: a zone type for
   * rmqueue, a frame otherwise) — here, or on its node by a message there and back while the lock
   * is held — holds for `holdNs` plus `lines` cache lines from the previous holder, releases, and
   * goes on at `next`.
   */
  lockedOp(i: number, cpu: number, lock: number, caller: number, op: number, node: number, arg: number, holdNs: number, lines: number, next: number, delayNs = 0): void {
    this.opLock[i] = lock;
    this.opCaller[i] = caller;
    this.opCode[i] = op;
    this.opNode[i] = node;
    this.opArg[i] = arg;
    this.opHold[i] = holdNs;
    this.opLines[i] = lines;
    this.opNext[i] = next;
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
    this.opNext[i] = next;
    this.prog[i] = P_PAGE_OP_WAIT;
    this.kernel.send(this.s.topo.nodeLp[node], this.s.topo.hopNs(this.node, node), EV_OP, cpu, op, arg);
    return false;
  }

  lockAcquired(cpu: number, _lock: number, prevHolder: number): void {
    const i = this.idx(cpu);
    const lines = this.prog[i] === P_DRAIN_WAIT ? LINES_LRU : this.opLines[i];
    let carried = lines > 0 && prevHolder >= 0 ? lines * handoffNs(this.s.topo, this.s.locks.handoff, prevHolder, cpu) : 0;
    // list_del after this CPU's own hold (an exit's zap loop): the near neighbour is in its cache,
    // but the far one is a miss on its struct page, which no holder has touched since it was added.
    if (prevHolder === cpu && this.opCode[i] === OP_LRU_DEL && this.prog[i] === P_OP_WAIT) carried += this.structPageNs(this.opNode[i]);
    if (this.prog[i] === P_DRAIN_WAIT) {
      this.pagevecs.locked(i, cpu, carried);
      return;
    }
    if (this.prog[i] !== P_OP_WAIT) bug(`CPU ${cpu} got a lock it was not waiting for`);
    this.opHold[i] += carried;
    const op = this.opCode[i];
    if (op === OP_NONE) {
      this.holdThenRelease(i, cpu, P_OP_RELEASE, this.opHold[i]);
      return;
    }
    const node = this.opNode[i];
    if (node === this.node) {
      this.opExtraNs = 0;
      this.opResult[i] = this.applyOp(op, this.opArg[i] as ZoneType, this.opArg[i]);
      // Scans (refill_inactive, shrink_cache) hold for as long as they looked at pages.
      this.opHold[i] += this.opExtraNs;
      this.holdThenRelease(i, cpu, P_OP_RELEASE, this.opHold[i]);
      return;
    }
    this.opPending[i] = 1;
    const zoneBits = op === OP_RMQUEUE ? this.opArg[i] << 8 : 0;
    this.kernel.send(this.s.topo.nodeLp[node], this.s.topo.hopNs(this.node, node), EV_OP, cpu, op | zoneBits, this.opArg[i]);
  }

  lockRefused(): void {
    invariant(false, 'the memory workloads take no trylocks');
  }

  private opReply(cpu: number, result: number, extraNs: number): void {
    const i = this.idx(cpu);
    if (this.prog[i] === P_DRAIN_WAIT) {
      if (--this.opPending[i] === 0) this.holdThenRelease(i, cpu, P_DRAIN_RELEASE, this.opHold[i]);
      return;
    }
    this.opResult[i] = result;
    if (this.prog[i] === P_PAGE_OP_WAIT) {
      this.prog[i] = this.opNext[i];
      this.step(cpu);
      return;
    }
    this.holdThenRelease(i, cpu, P_OP_RELEASE, this.opHold[i] + extraNs);
  }

  /** Asks for `lock` for the work CPU index `i`'s program set up (a subsystem's own locked section). */
  acquireFor(i: number, cpu: number, lock: number, caller: number): void {
    this.opLock[i] = lock;
    this.takeLock(i, cpu, lock, caller);
  }

  /** Every spinlock a CPU of this node takes goes through here: onto its held-lock stack, then the lock protocol. */
  takeLock(i: number, cpu: number, lock: number, caller: number): void {
    this.held.take(i, cpu, lock);
    this.client.acquire(cpu, lock, caller, false);
  }

  dropLock(i: number, cpu: number, lock: number): void {
    this.held.drop(i, cpu, lock);
    this.client.release(cpu, lock);
  }

  /** With the lock held: hold for `holdNs`, once `remote` answers are back (none: at once), then `releaseStep`. */
  holdUnderLock(i: number, cpu: number, holdNs: number, remote: number, releaseStep: number): void {
    this.opHold[i] = holdNs;
    if (remote === 0) this.holdThenRelease(i, cpu, releaseStep, holdNs);
    else this.opPending[i] = remote;
  }

  private holdThenRelease(i: number, cpu: number, releaseStep: number, holdNs: number): void {
    this.prog[i] = releaseStep;
    this.after(cpu, holdNs);
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
    }
    return this.doWorkloadOp(op, arg);
  }

  /** The LRU lock that guards a page: the global pagemap_lru_lock, or its zone's lru_lock (2.5). */
  lruLockOf(node: number, frame: number): number {
    if (this.s.cfg.lru !== '2.5-zone') return this.s.pagemapLruLock;
    return this.s.zoneLruLock[node * 3 + this.zoneTypeOf(node, frame)];
  }

  protected zoneTypeOf(node: number, frame: number): ZoneType {
    const zones = this.s.maps[node].zones;
    for (let k = 0; k < zones.length; k++) if (frame >= zones[k].start && frame < zones[k].start + zones[k].pages) return zones[k].type;
    bug(`page ${frame} of node ${node} is in no zone`);
  }
}
