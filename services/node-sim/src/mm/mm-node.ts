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
import type { ZoneRef } from './zonelist.js';
import { zoneStep } from './alloc-passes.js';
import { LINES_BUDDY, LINES_LRU, LINES_PAGECACHE, type MmShared } from './mm-shared.js';
import {
  EV_KSWAPD_WAKE, EV_OP, EV_OP_REPLY, EV_PROBE, EV_PROBE_REPLY, EV_STEP, FAULT_ANON, MM_STEP_END, OP_FREE, OP_LRU_ADD,
  OP_LRU_DEL, OP_NONE, OP_RMQUEUE, PAGEVEC_SIZE, PASSES, PASS_LOW, PASS_MIN, P_DRAIN, P_DRAIN_RELEASE, P_DRAIN_WAIT, P_FAULT,
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
  protected readonly S: number;
  private rr = 0;
  // Per CPU of this node, indexed by cpu − first ("i").
  protected readonly prog: Int32Array;
  /** Step to go on at when a shared kernel path ends. */
  private readonly cont: Int32Array;
  /** Page slot the current fault or unmap works on. */
  protected readonly slot: Int32Array;
  private readonly faultKind: Int32Array;
  /** Node and node-local frame of each slot's page: [i * S + k]; frame −1: no page. */
  protected readonly pageNode: Int32Array;
  protected readonly pageFrame: Int32Array;
  private readonly faultStart: Float64Array;
  private readonly reclaimWaits: Int32Array; // times the current allocation waited for reclaim
  private readonly reclaimRetry: Int32Array; // where a waiting allocation resumes; −1: its zonelist walk
  private readonly pos: Int32Array; // zonelist walk: position, pass, running minimum, rotation
  private readonly pass: Int32Array;
  private readonly runMin: Float64Array;
  private readonly rotation: Int32Array;
  private readonly opLock: Int32Array; // the pending or held lock and what to do under it
  private readonly opCaller: Int32Array;
  private readonly opCode: Int32Array;
  private readonly opNode: Int32Array;
  private readonly opArg: Int32Array;
  private readonly opHold: Float64Array;
  private readonly opLines: Int32Array;
  private readonly opNext: Int32Array;
  /** Answer of the last operation (a frame for rmqueue; a workload op's result). */
  protected readonly opResult: Int32Array;
  private readonly opPending: Int32Array;
  private readonly pvCount: Int32Array; // pagevec: its pages, what it does, the drain's place
  private readonly pvNode: Int32Array; // [i * 16 + j]
  private readonly pvFrame: Int32Array;
  private readonly pvDone: Int32Array;
  private readonly pvEnd: Int32Array;
  private readonly pvOp: Int32Array;
  private readonly pvNext: Int32Array;
  private readonly pvCont: Int32Array;
  // Statistics (observation only: nothing the model decides reads them).
  readonly anonFaults: Float64Array;
  allocationFailures = 0;
  zonesVisited = 0;
  kswapdWakeups = 0;
  kmapAtomic = 0;
  /** Extra hold an operation done under a lock asks for (a scan's length), ns. */
  protected opExtraNs = NS_ZERO;
  readonly numastat: Float64Array; // [node * 5]: hit, miss, foreign, local, other
  readonly faultLatencyHist = new Float64Array(HIST_BUCKETS);
  faultLatencyTotal = NS_ZERO;
  faultLatencyMax = NS_ZERO;

  constructor(
    protected readonly kernel: Kernel,
    readonly node: number,
    protected readonly s: MmShared,
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
    this.reclaimRetry = i32(c).fill(-1);
    this.pos = i32(c);
    this.pass = i32(c);
    this.runMin = f64(c);
    this.rotation = i32(c);
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
    this.pvCount = i32(c);
    this.pvNode = i32(c * PAGEVEC_SIZE);
    this.pvFrame = i32(c * PAGEVEC_SIZE);
    this.pvDone = i32(c);
    this.pvEnd = i32(c);
    this.pvOp = i32(c);
    this.pvNext = i32(c);
    this.pvCont = i32(c);
    this.anonFaults = f64(c);
    this.numastat = f64(this.n * 5);
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
  protected idx(cpu: number): number {
    return cpu < this.s.topo.cpus ? cpu - this.first : this.s.topo.cpusPerNode;
  }

  /** Reaching the pte a fault or unmap on CPU index `i` sets, beyond pteSetNs (where page tables live: mm/kmap.ts). */
  protected pteAccessNs(_i: number): number {
    return 0;
  }

  /** `mm->page_table_lock` of the mm running on `cpu` now: by default its one process's (mix switches tasks). */
  protected ptlOf(cpu: number): number {
    return this.s.ptl[cpu];
  }

  /** kswapd of this node was woken (reclaim-node.ts runs it). */
  protected kswapdWake(): void {}

  /**
   * An allocation by `cpu` failed every pass; `waits` is how often it already waited for reclaim.
   * Returns true when the CPU now waits for reclaim on `node` and will call `retryAllocation`;
   * false lets the allocation fail.
   */
  protected outOfMemory(_cpu: number, _node: number, _waits: number): boolean {
    return false;
  }

  /** Reclaim freed pages: the waiting allocation walks its zonelist again (or resumes where it asked to). */
  protected retryAllocation(cpu: number): void {
    const i = this.idx(cpu);
    if (this.prog[i] !== P_RECLAIM_WAIT) bug(`CPU ${cpu} was not waiting for reclaim`);
    if (this.reclaimRetry[i] >= 0) {
      this.prog[i] = this.reclaimRetry[i];
      this.reclaimRetry[i] = -1;
    } else {
      this.startWalk(i);
      this.prog[i] = P_WALK;
    }
    this.step(cpu);
  }

  /**
   * A workload's own allocation on `node` failed: wait for that node's reclaim and resume at
   * `retryStep` (true), or give up (false) after MAX rounds. `first` starts a new allocation's count.
   */
  protected waitForReclaim(i: number, cpu: number, node: number, retryStep: number, first: boolean): boolean {
    if (first) this.reclaimWaits[i] = 0;
    if (!this.outOfMemory(cpu, node, this.reclaimWaits[i]++)) return false;
    this.reclaimRetry[i] = retryStep;
    this.prog[i] = P_RECLAIM_WAIT;
    return true;
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
        this.probe(a, b & 0xfffff, (b >>> 20) & 1, b >>> 21, c);
        return;
      case EV_PROBE_REPLY:
        this.probeReply(a, b & 0xfffff, b >>> 20 === 1, c);
        return;
      case EV_OP: {
        const cpuNode = this.s.topo.cpuNode[a];
        this.opExtraNs = 0; // a scan's time (refill, shrink, swap_out's walk) goes back to the lock holder
        const result = this.doOp(b & 0xff, (b >>> 8) as ZoneType, c);
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
  protected step(cpu: number): void {
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

  protected after(cpu: number, delayNs: number): void {
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
    if (this.pvCount[i] === 0) {
      this.prog[i] = next;
      return;
    }
    this.startDrain(i, this.pvOp[i], next);
  }

  private sharedStep(i: number, cpu: number, p: number): boolean {
    const s = this.s;
    const costs = s.cfg.costs;
    const at = i * this.S + this.slot[i];
    switch (p) {
      case P_FAULT:
        this.faultStart[i] = this.kernel.now;
        this.reclaimWaits[i] = 0;
        this.startWalk(i);
        this.prog[i] = P_WALK;
        if (this.faultKind[i] === FAULT_ANON) {
          this.after(cpu, costs.pageFaultNs);
          return false;
        }
        // generic_file_write's __grab_cache_page looks the page up first (a miss: the hash bucket only).
        this.lockedOp(i, cpu, s.pagecacheLock, s.callers.__find_lock_page, OP_NONE, -1, 0, costs.pagecacheOpNs + s.memNs[this.node * this.n + s.kernelDataNode], 0, P_WALK);
        return false;
      case P_WALK:
        this.walk(i, cpu);
        return false;
      case P_TAKEN: {
        if (this.opResult[i] < 0) {
          this.pos[i]++; // the zone ran dry between probe and lock: on down the list, as the kernel's loop goes
          this.prog[i] = P_WALK;
          return true;
        }
        const zl = this.zonelistOf(i);
        const served = zl[this.pos[i]].node;
        this.pageNode[at] = served;
        this.pageFrame[at] = this.opResult[i];
        this.countNumaStat(served, zl[0].node);
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
          this.pvPush(i, OP_LRU_ADD, this.pageNode[at], this.pageFrame[at]);
          if (this.pvCount[i] === PAGEVEC_SIZE) this.startDrain(i, OP_LRU_ADD, P_FAULT_DONE);
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
          if (this.pvCount[i] > 0 && this.pvOp[i] !== OP_LRU_DEL) {
            // Pages still waiting to go on the LRU go first (lru_add_drain), then this one leaves.
            this.startDrain(i, OP_LRU_ADD, P_LRU_DEL);
            return true;
          }
          // Off the LRU 16 at a time (release_pages), then back to the buddy allocator one by one.
          this.pvPush(i, OP_LRU_DEL, this.pageNode[at], this.pageFrame[at]);
          this.pageFrame[at] = -1;
          if (this.pvCount[i] === PAGEVEC_SIZE) this.startDrain(i, OP_LRU_DEL, this.cont[i]);
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
      case P_FREE_PV: {
        const j = this.pvNext[i]++;
        if (j < this.pvCount[i]) {
          const b = i * PAGEVEC_SIZE + j;
          this.freePage(i, cpu, this.pvNode[b], this.pvFrame[b], P_FREE_PV);
          return false;
        }
        this.pvCount[i] = 0;
        this.prog[i] = this.pvCont[i];
        return true;
      }
      case P_LOCK:
        this.prog[i] = P_OP_WAIT;
        this.client.acquire(cpu, this.opLock[i], this.opCaller[i], false);
        return false;
      case P_OP_RELEASE:
        this.client.release(cpu, this.opLock[i]);
        this.opLock[i] = -1;
        this.prog[i] = this.opNext[i];
        return true;
      case P_DRAIN:
        return this.drain(i, cpu);
      case P_DRAIN_RELEASE:
        this.client.release(cpu, this.opLock[i]);
        this.opLock[i] = -1;
        this.pvDone[i] = this.pvEnd[i];
        this.prog[i] = P_DRAIN;
        return true;
      case P_IDLE:
      case P_RECLAIM_WAIT:
        return false;
      default:
        invariant(false, `CPU ${cpu} is at step ${p}, which has no handler`);
    }
  }

  protected freePage(i: number, cpu: number, node: number, frame: number, next: number): void {
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
  protected pageStreamNs(node: number, localNs: number): number {
    return localNs + this.s.memNs[this.node * this.n + node] - this.s.cfg.costs.memLocalNs;
  }

  /** A cache miss on the struct page of a frame of `node`, from this node. */
  protected structPageNs(node: number): number {
    return this.s.memNs[this.node * this.n + this.s.structPageNode[node]];
  }

  /** `pagecache_lock` held for a hash-chain walk (kernel data on node 0) and the page's count. */
  protected pagecacheHoldNs(node: number): number {
    return this.s.cfg.costs.pagecacheOpNs + this.s.memNs[this.node * this.n + this.s.kernelDataNode] + this.structPageNs(node);
  }

  // --- zonelist walk ----------------------------------------------------------------------------

  private zonelistOf(i: number): ZoneRef[] {
    return this.s.zonelists[this.node * this.n + this.rotation[i]];
  }

  private startWalk(i: number): void {
    this.pos[i] = 0;
    this.pass[i] = PASS_LOW;
    this.runMin[i] = 1; // 1 << order
    this.rotation[i] = this.s.cfg.zonelist === 'round-robin' ? this.rr++ % this.n : this.node;
  }

  /** Looks at local zones in zonelist order; a remote zone means a probe, a zone to use means rmqueue. */
  private walk(i: number, cpu: number): void {
    const zl = this.zonelistOf(i);
    const visitNs = this.s.cfg.costs.zoneVisitNs;
    let visits = 0;
    for (;;) {
      if (this.pos[i] >= zl.length) {
        if (this.pass[i] === PASS_LOW) {
          // Past the low pass: wake kswapd of the class zone's node, then the min pass.
          const cz = zl[0];
          this.kernel.send(this.s.topo.nodeLp[cz.node], this.s.topo.hopNs(this.node, cz.node), EV_KSWAPD_WAKE, cz.type, 0, 0);
          this.pass[i] = PASS_MIN;
          this.pos[i] = 0;
          this.runMin[i] = 1;
          continue;
        }
        this.zonesVisited += visits;
        if (this.outOfMemory(cpu, zl[0].node, this.reclaimWaits[i]++)) {
          this.prog[i] = P_RECLAIM_WAIT;
          return;
        }
        this.allocationFailures++;
        this.pageFrame[i * this.S + this.slot[i]] = -1;
        this.prog[i] = P_FAULT_DONE;
        this.after(cpu, visits * visitNs);
        return;
      }
      const ref = zl[this.pos[i]];
      if (ref.node !== this.node) {
        this.zonesVisited += visits;
        this.prog[i] = P_OP_WAIT;
        const b = this.pos[i] | (this.pass[i] << 20) | (this.rotation[i] << 21);
        this.kernel.send(this.s.topo.nodeLp[ref.node], this.s.topo.hopNs(this.node, ref.node) + visits * visitNs, EV_PROBE, cpu, b, this.runMin[i]);
        return;
      }
      visits++;
      const st = zoneStep(this.mem.zone(ref.type), PASSES[this.pass[i]], false, this.runMin[i]);
      this.runMin[i] = st.min;
      if (st.take) {
        this.zonesVisited += visits;
        this.rmqueue(i, cpu, ref, visits * visitNs);
        return;
      }
      this.pos[i]++;
    }
  }

  private rmqueue(i: number, cpu: number, ref: ZoneRef, delayNs: number): void {
    const hold = this.s.cfg.costs.buddyOpNs + this.structPageNs(ref.node);
    this.lockedOp(i, cpu, this.s.zoneLock[ref.node * 3 + ref.type], this.s.callers.rmqueue, OP_RMQUEUE, ref.node, ref.type, hold, LINES_BUDDY, P_TAKEN, delayNs);
  }

  /** At a zone's owner: look at the consecutive zones this node owns and say where the walk stands. */
  private probe(cpu: number, pos: number, pass: number, rotation: number, min: number): void {
    const cpuNode = this.s.topo.cpuNode[cpu];
    const zl = this.s.zonelists[cpuNode * this.n + rotation];
    let visits = 0;
    let take = 0;
    while (pos < zl.length && zl[pos].node === this.node) {
      visits++;
      const st = zoneStep(this.mem.zone(zl[pos].type), PASSES[pass], false, min);
      min = st.min;
      if (st.take) {
        take = 1;
        break;
      }
      pos++;
    }
    this.zonesVisited += visits;
    const delay = this.s.topo.hopNs(this.node, cpuNode) + visits * this.s.cfg.costs.zoneVisitNs;
    this.kernel.send(this.s.topo.nodeLp[cpuNode], delay, EV_PROBE_REPLY, cpu, pos | (take << 20), min);
  }

  private probeReply(cpu: number, pos: number, take: boolean, min: number): void {
    const i = this.idx(cpu);
    this.pos[i] = pos;
    this.runMin[i] = min;
    if (!take) {
      this.prog[i] = P_WALK;
      this.step(cpu);
      return;
    }
    this.rmqueue(i, cpu, this.zonelistOf(i)[pos], 0);
  }

  // --- work under a lock ------------------------------------------------------------------------

  /**
   * Takes `lock` (after `delayNs`, if any), applies `op` to `node`'s memory (`arg`: a zone type for
   * rmqueue, a frame otherwise) — here, or on its node by a message there and back while the lock
   * is held — holds for `holdNs` plus `lines` cache lines from the previous holder, releases, and
   * goes on at `next`.
   */
  protected lockedOp(i: number, cpu: number, lock: number, caller: number, op: number, node: number, arg: number, holdNs: number, lines: number, next: number, delayNs = 0): void {
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
    this.client.acquire(cpu, lock, caller, false);
  }

  /**
   * An operation on `node`'s memory that needs no lock of its own (the caller holds none or the
   * page's state is per-page atomic): here at once, or by a message there and back. The answer is
   * in `opResult[i]`; then `next`.
   */
  protected pageOp(i: number, cpu: number, node: number, op: number, arg: number, next: number): boolean {
    if (node === this.node) {
      this.opResult[i] = this.doOp(op, ZONE_NORMAL, arg);
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
      this.drainLocked(i, cpu, carried);
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
      this.opResult[i] = this.doOp(op, this.opArg[i] as ZoneType, this.opArg[i]);
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

  private holdThenRelease(i: number, cpu: number, releaseStep: number, holdNs: number): void {
    this.prog[i] = releaseStep;
    this.after(cpu, holdNs);
  }

  /**
   * Applies an operation to this node's memory. `type` is the zone for rmqueue, `arg` the frame
   * (or a workload op's argument). Answers a frame for rmqueue, 0 otherwise.
   */
  private doOp(op: number, type: ZoneType, arg: number): number {
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
  protected lruLockOf(node: number, frame: number): number {
    if (this.s.cfg.lru !== '2.5-zone') return this.s.pagemapLruLock;
    return this.s.zoneLruLock[node * 3 + this.zoneTypeOf(node, frame)];
  }

  protected zoneTypeOf(node: number, frame: number): ZoneType {
    const zones = this.s.maps[node].zones;
    for (let k = 0; k < zones.length; k++) if (frame >= zones[k].start && frame < zones[k].start + zones[k].pages) return zones[k].type;
    bug(`page ${frame} of node ${node} is in no zone`);
  }

  // --- pagevecs ---------------------------------------------------------------------------------

  private pvPush(i: number, op: number, node: number, frame: number): void {
    const j = i * PAGEVEC_SIZE + this.pvCount[i]++;
    this.pvOp[i] = op;
    this.pvNode[j] = node;
    this.pvFrame[j] = frame;
  }

  private startDrain(i: number, op: number, next: number): void {
    this.pvOp[i] = op;
    this.pvDone[i] = 0;
    this.pvNext[i] = 0;
    this.pvCont[i] = next;
    this.prog[i] = P_DRAIN;
  }

  /**
   * The next group of pagevec pages that share an LRU lock (all of them under the one global
   * lock; per zone under 2.5's zone->lru_lock): ask for its lock. Returns true when the drain is
   * over and the program goes on (removals then go back to the buddy allocator page by page).
   */
  private drain(i: number, cpu: number): boolean {
    const base = i * PAGEVEC_SIZE;
    if (this.pvDone[i] >= this.pvCount[i]) {
      if (this.pvOp[i] === OP_LRU_ADD) {
        this.pvCount[i] = 0;
        this.prog[i] = this.pvCont[i];
      } else {
        this.pvNext[i] = 0;
        this.prog[i] = P_FREE_PV;
      }
      return true;
    }
    const lock = this.lruLockOf(this.pvNode[base + this.pvDone[i]], this.pvFrame[base + this.pvDone[i]]);
    let end = this.pvDone[i] + 1;
    while (end < this.pvCount[i] && this.lruLockOf(this.pvNode[base + end], this.pvFrame[base + end]) === lock) end++;
    this.pvEnd[i] = end;
    this.opLock[i] = lock;
    this.prog[i] = P_DRAIN_WAIT;
    this.client.acquire(cpu, lock, this.pvOp[i] === OP_LRU_ADD ? this.s.callers.lru_cache_add : this.s.callers.lru_cache_del, false);
    return false;
  }

  /** With the group's lock held: every page's list operation, here or by message to its node. */
  private drainLocked(i: number, cpu: number, carriedNs: number): void {
    const base = i * PAGEVEC_SIZE;
    let remote = 0;
    let hold = carriedNs;
    for (let j = this.pvDone[i]; j < this.pvEnd[i]; j++) {
      const node = this.pvNode[base + j];
      const frame = this.pvFrame[base + j];
      hold += this.s.cfg.costs.lruListOpNs + this.structPageNs(node);
      if (node === this.node) this.doOp(this.pvOp[i], ZONE_NORMAL, frame);
      else {
        remote++;
        this.kernel.send(this.s.topo.nodeLp[node], this.s.topo.hopNs(this.node, node), EV_OP, cpu, this.pvOp[i], frame);
      }
    }
    this.opHold[i] = hold;
    if (remote === 0) this.holdThenRelease(i, cpu, P_DRAIN_RELEASE, hold);
    else this.opPending[i] = remote;
  }

  private countNumaStat(servedBy: number, preferred: number): void {
    const st = this.numastat;
    if (servedBy === preferred) st[servedBy * 5]++;
    else {
      st[servedBy * 5 + 1]++;
      st[preferred * 5 + 2]++;
    }
    if (servedBy === this.node) st[servedBy * 5 + 3]++;
    else st[servedBy * 5 + 4]++;
  }
}
