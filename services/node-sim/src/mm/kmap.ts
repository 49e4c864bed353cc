/**
 * kmap on i386, after Linux 2.4.0–2.4.18 mm/highmem.c (`kmap_high`, `map_new_virtual`,
 * `flush_all_zero_pkmaps`, `kunmap_high`) and include/asm-i386/highmem.h (`kmap_atomic`), with
 * the address-space variants of the LSE call of 22 March 2002: the callers' side of the kmap
 * pools (mm/highmem.ts holds a pool's state). The node composes one `Kmap`; a workload calls
 * `copy` where the kernel of the era mapped a highmem page (exec's `copy_strings`,
 * `file_read_actor`, `generic_file_write`), and the mode (`kmap` knob) decides what that costs:
 *
 * - `global`: the 2.4 pool (`PkmapPool`, mm/highmem.ts) lives on node 0 with the global
 *   `kmap_lock`. `kmap_high` takes the lock, sends the operation to node 0 (pattern 1 of
 *   docs/MEMORY-MODEL.md: the lock held across the round trip), reuses `page->virtual` or takes
 *   a new slot; a wrap of `last_pkmap_nr` runs `flush_all_zero_pkmaps` — a pte_clear per unused
 *   slot and `flush_tlb_all()`: an IPI event to every node, each CPU but the initiator paying
 *   `ipiNs`, the initiator waiting (lock held) for the slowest acknowledgement. No free slot: the
 *   task drops the lock and sleeps on `pkmap_map_wait` until a `kunmap_high` frees one, then
 *   starts over (a context switch each way). `kunmap_high` takes the lock again.
 *   With `remoteOps=direct` (the i386 NUMA-Q layout, remote-ops.ts) there is no message: the CPU
 *   reads and writes `pkmap_count`, `last_pkmap_nr` and the pkmap ptes in node 0's lowmem itself,
 *   so its hold is those accesses (and a flush's IPIs, sent from its own node). The model keeps a
 *   replica of the pool on every node: the holder applies its operation to its own node's replica
 *   at the start of its hold and posts it to the other nodes (`SYNC`), which apply it without
 *   answering. Why every holder finds every earlier holder's change in its replica: the argument
 *   of remote-ops.ts, with the replica's node in place of the page's node — a change posted at t
 *   from node a reaches node b at t + hop(a, b), and the next holder on b can act no sooner than
 *   t + hold + hop(a, h) + hop(h, b) ≥ t + hold + hop(a, b) (triangle inequality, checked when the
 *   run is built; hold > 0 always: pteSetNs or a struct page miss). So the replicas apply the same
 *   operations in the order of the lock's holds, and compute the same slots, the same
 *   flush_all_zero_pkmaps (the pool's wrap is a function of that order) and the same
 *   pkmap_map_wait queue; only the holder's node acts on a result (a flush's IPIs, a wake-up, the
 *   counters). A sleeper enters the queue under the lock as in the kernel (its operation is posted
 *   like any other), and a kunmap_high that frees a slot wakes it from the kunmapping CPU's node.
 * - `atomic`: every caller uses its CPU's fixmap slot: set_pte + one invlpg (`tlbFlushOneNs`),
 *   no lock, no flush (hypothetical for 2.4: these callers may sleep, which kmap_atomic forbids).
 * - `per-mm`: a UKVA pool per address space, on the mm's home node, under the mm's own lock
 *   (`mm->kmap_lock`); a wrap flushes only the CPUs that run the mm's threads (`flush_tlb_mm`,
 *   the mm's cpu_vm_mask). A new mm (exec) starts with an empty pool.
 * - `per-task`: a private window per task: no lock; a wrap flushes the local TLB only. Its price
 *   (Linus's objection on that call): a PGD page per task (counted, `pgdPages`), and a cr3
 *   reload on every switch between threads of one mm (`threadSwitch`: file-read's threads).
 *
 * Locking rule: a pool's `pkmap_count`, `last_pkmap_nr` and `page->virtual` change only on the
 * pool's node, under `kmap_lock` (global) or the mm's `mm->kmap_lock` (per-mm), held by the
 * calling CPU across the round trip; per-task windows and kmap_atomic slots are the CPU's own
 * and take no lock. kmap_lock is outermost in the VM's lock order (kmap_high may sleep).
 *
 * TLB-flush IPIs hit CPUs in the middle of their own step chains; an LP cannot delay an event it
 * already scheduled, so a CPU's IPI time goes into the node's per-CPU owed-time account (`owed`,
 * shared with the kernel-text fetches), which the node adds to the next delay that CPU's program
 * takes.
 *
 * Costs (every one a documented parameter of machine.ts; A = assumption): kmap_high holds the
 * lock for `pteSetNs` (the new pte) plus a miss on the page's struct page (`page->virtual`), plus
 * LINES_KMAP lines dirtied by the previous holder (the pkmap_count entry and last_pkmap_nr);
 * kunmap_high for the struct page miss and one line; flush_all_zero_pkmaps adds `pteSetNs` per
 * slot it clears (A); an IPI costs its target `ipiNs` (A: no published figure); a local
 * flush (per-task wrap) costs `ipiNs` too (A: an upper bound — the same handler work without the
 * interrupt). Left out / simplified: under `remoteOps=message` the IPIs leave from the pool's node
 * (node 0 for the global pool), not from the initiator's (under `direct` they leave from the
 * initiator's); and the initiator's wait is computed from the distances
 * (targets take the interrupt at once: no interrupts-off windows); TLB refills after a flush are
 * not charged; one waiter is woken per freed slot (PkmapPool).
 */
import type { KmapCallerReport, KmapReport } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import { bug, invariant } from '../errors.js';
import { HIST_BUCKETS, histBucket } from '../locks/lock-stats.js';
import { handoffNs } from '../locks/spinlock.js';
import { NS_ZERO } from '../engine/time.js';
import { KMAP_CALLERS, PAGE_TAG_FRESH, PkmapPool, kmapPageId, type KmapShared } from './highmem.js';
import { summarize } from './mm-report.js';
import type { MmShared } from './mm-shared.js';
import type { HighmemCore } from './node-services.js';
import { PAGE_TABLES_PROTOCOL } from './page-tables.js';

/** Lines a kmap_high section writes that the previous holder dirtied: its pkmap_count entry and last_pkmap_nr. */
export const LINES_KMAP = 2;

/** The highmem layer's numbers (kmap), after the page tables'. */
export const HIGHMEM_PROTOCOL = PAGE_TABLES_PROTOCOL.extend('highmem.c', {
  steps: ['kmap', 'lock wait', 'remote wait', 'release', 'sleep', 'work', 'kunmap'],
  events: ['kmap op', 'kmap reply', 'kmap flush', 'kmap wake'],
});
// EV_KMAP_OP: to the pool's node. a: cpu, b: page, c: KOP_* (| SYNC: remoteOps=direct, apply to this node's replica, answer nothing). EV_KMAP_REPLY: to the CPU's node. a: cpu, b: result.
// EV_KMAP_FLUSH: TLB-flush IPI to a node. a: mm (−1: every CPU), b: initiating cpu. EV_KMAP_WAKE: wake_up(&pkmap_map_wait). a: cpu.
const [EV_KMAP_OP, EV_KMAP_REPLY, EV_KMAP_FLUSH, EV_KMAP_WAKE] = HIGHMEM_PROTOCOL.events;
const EV_FIRST = EV_KMAP_OP;
const EV_END = HIGHMEM_PROTOCOL.eventEnd;

const KOP_KMAP = 1;
const KOP_KUNMAP = 2;
/** EV_KMAP_OP's flag for a holder's operation posted to another node's replica (remoteOps=direct). */
const SYNC = 1 << 4;
/** kmap_high's answer: the slot, with this bit when page->virtual was reused; −1: sleep. */
const REUSED = 1 << 20;

const [H_START, H_LOCK_WAIT, H_REMOTE_WAIT, H_RELEASE, H_SLEEP, H_WORK, H_UNMAP] = HIGHMEM_PROTOCOL.steps;
const H_FIRST = HIGHMEM_PROTOCOL.firstStep;
const H_END = HIGHMEM_PROTOCOL.stepEnd;

export class Kmap {
  /** The node's per-CPU owed-time account (cpu-state.ts): IPIs taken here and thread switches, paid by the next delay. */
  private readonly owed: Float64Array;
  private readonly kernel: Kernel;
  private readonly s: MmShared;
  private readonly node: number;
  private readonly first: number;
  /** The global pool (node 0 only; with remoteOps=direct a replica on every node). */
  private readonly globalPool: PkmapPool | null;
  /** remoteOps=direct with the global pool: the holder works on its own node's replica (see the header). */
  private readonly direct: boolean;
  /** Per-mm pools of the mms homed here, by mm. */
  private readonly mmPools = new Map<number, PkmapPool>();
  /** Per-task pools of the tasks on this node's CPUs, by CPU index × threadsPerCpu + thread. */
  private readonly taskPools: PkmapPool[] = [];
  /** The thread each CPU runs now (of threadsPerCpu). */
  private readonly thread: Int32Array;
  // Per CPU: the kmap being done.
  private readonly hCaller: Int32Array;
  private readonly hBase: Float64Array; // first page id
  private readonly hPages: Int32Array; // pages the rounds spread over
  private readonly hRounds: Int32Array; // kmap → work → kunmap rounds
  private readonly hDone: Int32Array;
  private readonly hPage: Float64Array;
  private readonly hPageNode: Int32Array;
  private readonly hHigh: Uint8Array;
  private readonly hWork: Float64Array;
  private readonly hExtra: Float64Array;
  private readonly hNext: Int32Array;
  private readonly hOp: Int32Array;
  private readonly hResult: Int32Array;
  private readonly hHold: Float64Array;
  private readonly hWake: Uint8Array;
  private readonly hSleepStart: Float64Array;
  private readonly fresh: Int32Array; // counter of fresh page ids per CPU
  // Statistics (observation only).
  readonly kmapHighCalls: Float64Array;
  readonly kmapReused: Float64Array;
  readonly kmapAtomicCalls: Float64Array;
  readonly kmapLowmem: Float64Array;
  poolWraps = 0;
  globalFlushes = 0;
  mmFlushes = 0;
  localFlushes = 0;
  ipisSent = 0;
  ipiStolenNs = NS_ZERO;
  sleeps = 0;
  readonly sleepHist = new Float64Array(HIST_BUCKETS);
  sleepTotal = NS_ZERO;
  sleepMax = NS_ZERO;
  /** PGD pages of per-task windows (one per task). */
  pgdPages = 0;
  threadSwitches = 0;
  pgdSwitches = 0;

  constructor(
    private readonly lp: HighmemCore,
    private readonly km: KmapShared,
  ) {
    this.owed = lp.cpuState.owed;
    this.kernel = lp.kernel;
    this.s = lp.s;
    this.node = lp.node;
    const s = lp.s;
    const node = lp.node;
    this.first = s.topo.firstCpu(node);
    const c = s.topo.cpusPerNode;
    this.direct = km.mode === 'global' && s.directOps;
    this.globalPool = km.mode === 'global' && (node === 0 || this.direct) ? new PkmapPool(km.entries) : null;
    if (km.mode === 'per-mm') km.mmHome.forEach((home, mm) => home === node && this.mmPools.set(mm, new PkmapPool(km.entries)));
    if (km.mode === 'per-task') {
      for (let k = 0; k < c * km.threadsPerCpu; k++) this.taskPools.push(new PkmapPool(km.entries));
      this.pgdPages += c * km.threadsPerCpu;
    }
    this.thread = new Int32Array(c);
    this.hCaller = new Int32Array(c);
    this.hBase = new Float64Array(c);
    this.hPages = new Int32Array(c);
    this.hRounds = new Int32Array(c);
    this.hDone = new Int32Array(c);
    this.hPage = new Float64Array(c);
    this.hPageNode = new Int32Array(c);
    this.hHigh = new Uint8Array(c);
    this.hWork = new Float64Array(c);
    this.hExtra = new Float64Array(c);
    this.hNext = new Int32Array(c);
    this.hOp = new Int32Array(c);
    this.hResult = new Int32Array(c);
    this.hHold = new Float64Array(c);
    this.hWake = new Uint8Array(c);
    this.hSleepStart = new Float64Array(c);
    this.fresh = new Int32Array(c);
    const k = KMAP_CALLERS.length;
    this.kmapHighCalls = new Float64Array(k);
    this.kmapReused = new Float64Array(k);
    this.kmapAtomicCalls = lp.kmapAtomicCalls;
    this.kmapLowmem = new Float64Array(k);
  }

  // --- what a workload calls --------------------------------------------------------------------

  /**
   * `rounds` times: kmap a page, work `workNs` with it mapped, kunmap it; the rounds spread evenly
   * over `pages` consecutive page ids from `firstPage` (copy_strings fills one argument page with
   * many strings, each its own kmap). `highmem` false: a lowmem page, reached by page_address.
   * Then the program of CPU index `i` goes on at `next`.
   */
  copy(i: number, caller: number, firstPage: number, pages: number, pageNode: number, highmem: boolean, rounds: number, workNs: number, next: number): void {
    this.hCaller[i] = caller;
    this.hBase[i] = firstPage;
    this.hPages[i] = Math.max(1, pages);
    this.hRounds[i] = rounds;
    this.hDone[i] = 0;
    this.hPageNode[i] = pageNode;
    this.hHigh[i] = highmem ? 1 : 0;
    this.hWork[i] = workNs;
    this.hNext[i] = next;
    this.lp.prog[i] = rounds > 0 ? H_START : next;
  }

  /** Ids for `count` pages no other kmap has seen (a new process's argument pages, a new page-cache page). */
  freshPages(i: number, count: number): number {
    const first = this.fresh[i];
    this.fresh[i] = (first + count) & 0xffff;
    return kmapPageId(PAGE_TAG_FRESH, this.node, (i << 16) | first);
  }

  /**
   * A new address space on CPU index `i` (exec): a per-task window and, for a single-threaded
   * process, a per-mm pool start empty; per-task allocates the task's PGD. The mm of a
   * multi-threaded process (file-read's) lives as long as the run: its threads share one pool.
   */
  newAddressSpace(i: number, cpu: number): void {
    const mm = this.km.mmOfCpu[cpu];
    if (this.km.mode === 'per-mm' && this.km.mmCpus[mm].length === 1) {
      if (this.km.mmHome[mm] !== this.node) bug(`mm ${mm} of CPU ${cpu} is homed on node ${this.km.mmHome[mm]}, not here`);
      this.mmPools.set(mm, new PkmapPool(this.km.entries));
    } else if (this.km.mode === 'per-task') {
      this.taskPools[this.task(i)] = new PkmapPool(this.km.entries);
      this.pgdPages++;
    }
  }

  /** The task CPU index `i` runs now: its index among the per-task windows. */
  private task(i: number): number {
    return i * this.km.threadsPerCpu + this.thread[i];
  }

  /**
   * CPU index `i` switches to its next thread of the same mm (file-read's threads taking turns):
   * `contextSwitchNs`, owed; with per-task windows every task has its own PGD, so the switch also
   * loads cr3 and loses the TLB — charged as a second `contextSwitchNs` (assumption: what a switch
   * between two processes costs over one between threads; Linus's objection on the LSE call).
   */
  threadSwitch(i: number): void {
    if (this.km.threadsPerCpu === 1) return;
    this.thread[i] = (this.thread[i] + 1) % this.km.threadsPerCpu;
    this.threadSwitches++;
    let ns = this.s.cfg.costs.contextSwitchNs;
    if (this.km.mode === 'per-task') {
      this.pgdSwitches++;
      ns += this.s.cfg.costs.contextSwitchNs;
    }
    this.owed[i] += ns;
  }

  // --- the kmap program ---------------------------------------------------------------------------

  static owns(p: number): boolean {
    return p >= H_FIRST && p < H_END;
  }

  step(i: number, cpu: number, p: number): boolean {
    switch (p) {
      case H_START:
        return this.kmapStart(i, cpu);
      case H_RELEASE:
        this.lp.dropLock(i, cpu, this.km.lockOfCpu[cpu]);
        return this.released(i);
      case H_SLEEP:
        if (this.hWake[i] === 0) return false;
        this.wakeUp(i, cpu);
        return false;
      case H_WORK:
        this.lp.prog[i] = H_UNMAP;
        this.lp.after(cpu, this.hWork[i] + this.hExtra[i]);
        this.hExtra[i] = 0;
        return false;
      case H_UNMAP:
        return this.kunmapStart(i, cpu);
      default:
        invariant(false, `CPU ${cpu} stepped while waiting at kmap step ${p}`);
    }
  }

  private kmapStart(i: number, cpu: number): boolean {
    const k = this.hDone[i];
    const page = this.hBase[i] + Math.floor((k * this.hPages[i]) / this.hRounds[i]);
    this.hPage[i] = page;
    const caller = this.hCaller[i];
    const costs = this.s.cfg.costs;
    if (this.hHigh[i] === 0) {
      this.kmapLowmem[caller]++;
      this.lp.prog[i] = H_WORK;
      return true;
    }
    switch (this.km.mode) {
      case 'atomic':
        this.kmapAtomicCalls[caller]++;
        this.lp.kmapAtomic++;
        this.hExtra[i] += costs.tlbFlushOneNs;
        this.lp.prog[i] = H_WORK;
        return true;
      case 'per-task': {
        const pool = this.taskPools[this.task(i)];
        const r = pool.kmapHigh(page, cpu);
        if (r.slot < 0) bug(`a task's private kmap window is full (CPU ${cpu})`);
        this.kmapHighCalls[caller]++;
        if (!r.mapped) this.kmapReused[caller]++;
        else this.hExtra[i] += costs.pteSetNs;
        if (r.flushed) {
          this.poolWraps++;
          this.localFlushes++;
          this.hExtra[i] += pool.lastFlushCleared * costs.pteSetNs + costs.ipiNs;
        }
        this.lp.prog[i] = H_WORK;
        return true;
      }
      default:
        this.hOp[i] = KOP_KMAP;
        this.lp.prog[i] = H_LOCK_WAIT;
        this.lp.takeLock(i, cpu, this.km.lockOfCpu[cpu], this.s.callers.kmap_high);
        return false;
    }
  }

  private kunmapStart(i: number, cpu: number): boolean {
    if (this.hHigh[i] === 0 || this.km.mode === 'atomic') return this.nextRound(i);
    if (this.km.mode === 'per-task') {
      const woken = this.taskPools[this.task(i)].kunmapHigh(this.hPage[i]);
      invariant(woken === undefined, 'nobody sleeps on a private kmap window');
      return this.nextRound(i);
    }
    this.hOp[i] = KOP_KUNMAP;
    this.lp.prog[i] = H_LOCK_WAIT;
    this.lp.takeLock(i, cpu, this.km.lockOfCpu[cpu], this.s.callers.kunmap_high);
    return false;
  }

  private nextRound(i: number): boolean {
    this.lp.prog[i] = ++this.hDone[i] < this.hRounds[i] ? H_START : this.hNext[i];
    return true;
  }

  /** With the kmap lock dropped: go on with the page mapped, or sleep on pkmap_map_wait. */
  private released(i: number): boolean {
    if (this.hOp[i] === KOP_KUNMAP) return this.nextRound(i);
    const caller = this.hCaller[i];
    const r = this.hResult[i];
    if (r < 0) {
      this.sleeps++;
      this.hSleepStart[i] = this.kernel.now;
      this.lp.prog[i] = H_SLEEP;
      return true;
    }
    this.kmapHighCalls[caller]++;
    if ((r & REUSED) !== 0) this.kmapReused[caller]++;
    this.lp.prog[i] = H_WORK;
    return true;
  }

  private wakeUp(i: number, cpu: number): void {
    this.hWake[i] = 0;
    const wait = this.kernel.now - this.hSleepStart[i];
    this.sleepHist[histBucket(wait)]++;
    this.sleepTotal += wait;
    if (wait > this.sleepMax) this.sleepMax = wait;
    // Scheduled back in, it goes to kmap_high's start again.
    this.lp.prog[i] = H_START;
    this.lp.after(cpu, this.s.cfg.costs.contextSwitchNs);
  }

  /** Whether `cpu` (index `i`) waits for a kmap lock: its grant is then this subsystem's (`lockAcquired`). */
  waitsForLock(i: number, cpu: number): boolean {
    return cpu < this.s.topo.cpus && this.lp.prog[i] === H_LOCK_WAIT;
  }

  /** The kmap lock granted to CPU `cpu` (index `i`), last held by `prevHolder`: run kmap_high or kunmap_high under it. */
  lockAcquired(i: number, cpu: number, prevHolder: number): void {
    const topo = this.s.topo;
    const kmap = this.hOp[i] === KOP_KMAP;
    const lines = kmap ? LINES_KMAP : 1;
    const carried = prevHolder >= 0 ? lines * handoffNs(topo, this.s.locks.handoff, prevHolder, cpu) : 0;
    const hold = carried + this.lp.structPageNs(this.hPageNode[i]) + (kmap ? this.s.cfg.costs.pteSetNs : 0);
    const owner = this.poolNode(cpu);
    if (this.direct) {
      invariant(hold > 0, `CPU ${cpu}: a kmap hold of 0 ns would let a replica's change overtake the lock`);
      this.postToReplicas(cpu, this.hPage[i], this.hOp[i]);
    }
    if (owner === this.node || this.direct) {
      this.hResult[i] = this.poolOp(this.hOp[i], cpu, this.hPage[i]);
      this.lp.prog[i] = H_RELEASE;
      this.lp.after(cpu, hold + this.opWaitNs);
      return;
    }
    this.hHold[i] = hold;
    this.lp.prog[i] = H_REMOTE_WAIT;
    this.kernel.send(topo.nodeLp[owner], topo.hopNs(this.node, owner), EV_KMAP_OP, cpu, this.hPage[i], this.hOp[i]);
  }

  // --- the pools' side ----------------------------------------------------------------------------

  /** remoteOps=direct: the holder's operation, posted to every other node's replica (see the header). */
  private postToReplicas(cpu: number, page: number, op: number): void {
    const topo = this.s.topo;
    for (let n = 0; n < topo.nodes; n++) if (n !== this.node) this.kernel.send(topo.nodeLp[n], topo.hopNs(this.node, n), EV_KMAP_OP, cpu, page, op | SYNC);
  }

  /** A holder's operation on another node, applied to this node's replica: same state change, no action on its result. */
  private replicaOp(op: number, cpu: number, page: number): void {
    const pool = this.globalPool;
    if (pool === null) bug(`node ${this.node} has no kmap replica`);
    if (op === KOP_KUNMAP) pool.kunmapHigh(page);
    else pool.kmapHigh(page, cpu);
  }

  /** Node whose LP owns the pool a CPU's kmap_high uses. */
  private poolNode(cpu: number): number {
    return this.km.mode === 'global' ? 0 : this.km.mmHome[this.km.mmOfCpu[cpu]];
  }

  /** What the last poolOp makes its caller wait for, besides the section's own work (a flush's acknowledgements). */
  private opWaitNs = NS_ZERO;

  /** kmap_high or kunmap_high on the pool this node owns for `cpu`. Returns the answer for the CPU. */
  private poolOp(op: number, cpu: number, page: number): number {
    this.opWaitNs = 0;
    const mm = this.km.mmOfCpu[cpu];
    const pool = this.globalPool ?? this.mmPools.get(mm);
    if (pool === undefined) bug(`node ${this.node} owns no kmap pool for CPU ${cpu}`);
    if (op === KOP_KUNMAP) {
      const woken = pool.kunmapHigh(page);
      if (woken !== undefined) this.wake(woken);
      return 0;
    }
    const r = pool.kmapHigh(page, cpu);
    if (r.flushed) {
      this.poolWraps++;
      this.opWaitNs = pool.lastFlushCleared * this.s.cfg.costs.pteSetNs + this.flushTlb(cpu, this.globalPool ? -1 : mm);
    }
    return r.slot < 0 ? -1 : r.slot | (r.mapped ? 0 : REUSED);
  }

  /**
   * flush_tlb_all (mm −1) or flush_tlb_mm: an IPI to every target CPU but the initiator, by an
   * event per node (this node's CPUs are charged here). Returns how long the initiator waits for
   * the slowest acknowledgement.
   */
  private flushTlb(initiator: number, mm: number): number {
    const topo = this.s.topo;
    const ipiNs = this.s.cfg.costs.ipiNs;
    const from = topo.cpuNode[initiator];
    const targets = mm < 0 ? null : this.km.mmCpus[mm];
    let wait = 0;
    let sent = 0;
    const perNode = new Int32Array(this.s.topo.nodes);
    if (targets === null) {
      for (let n = 0; n < this.s.topo.nodes; n++) perNode[n] = topo.cpusPerNode;
    } else for (const c of targets) perNode[topo.cpuNode[c]]++;
    perNode[from]--;
    for (let n = 0; n < this.s.topo.nodes; n++) {
      if (perNode[n] <= 0) continue;
      sent += perNode[n];
      wait = Math.max(wait, topo.hopNs(from, n) + topo.hopNs(n, from) + ipiNs);
      if (n === this.node) this.takeIpi(mm, initiator);
      else this.kernel.send(topo.nodeLp[n], topo.hopNs(this.node, n), EV_KMAP_FLUSH, mm, initiator, 0);
    }
    this.ipisSent += sent;
    if (mm < 0) this.globalFlushes++;
    else this.mmFlushes++;
    return wait;
  }

  /** This node's CPUs take a TLB-flush IPI (all of them, or those running mm), except the initiator. */
  private takeIpi(mm: number, initiator: number): void {
    const ipiNs = this.s.cfg.costs.ipiNs;
    for (let i = 0; i < this.s.topo.cpusPerNode; i++) {
      const cpu = this.first + i;
      if (cpu === initiator || (mm >= 0 && this.km.mmOfCpu[cpu] !== mm)) continue;
      this.owed[i] += ipiNs;
      this.ipiStolenNs += ipiNs;
    }
  }

  /** wake_up(&pkmap_map_wait) for the first sleeper. */
  private wake(cpu: number): void {
    const node = this.s.topo.cpuNode[cpu];
    if (node === this.node) this.kernel.schedule(0, EV_KMAP_WAKE, cpu, 0, 0);
    else this.kernel.send(this.s.topo.nodeLp[node], this.s.topo.hopNs(this.node, node), EV_KMAP_WAKE, cpu, 0, 0);
  }

  /** Whether `kind` is one of kmap's events. */
  static ownsEvent(kind: number): boolean {
    return kind >= EV_FIRST && kind < EV_END;
  }

  handleEvent(kind: number, a: number, b: number, c: number): void {
    const topo = this.s.topo;
    switch (kind) {
      case EV_KMAP_OP: {
        if ((c & SYNC) !== 0) {
          this.replicaOp(c & ~SYNC, a, b);
          return;
        }
        const result = this.poolOp(c, a, b);
        const node = topo.cpuNode[a];
        this.kernel.send(topo.nodeLp[node], topo.hopNs(this.node, node) + this.opWaitNs, EV_KMAP_REPLY, a, result, 0);
        return;
      }
      case EV_KMAP_REPLY: {
        const i = a - this.first;
        if (this.lp.prog[i] !== H_REMOTE_WAIT) bug(`CPU ${a} got a kmap answer it was not waiting for`);
        this.hResult[i] = b;
        this.lp.prog[i] = H_RELEASE;
        this.lp.after(a, this.hHold[i]);
        return;
      }
      case EV_KMAP_FLUSH:
        this.takeIpi(a, b);
        return;
      case EV_KMAP_WAKE: {
        const i = a - this.first;
        if (this.lp.prog[i] === H_SLEEP) this.wakeUp(i, a);
        else this.hWake[i] = 1; // woken before it got to sleep: it will not sleep
        return;
      }
      default:
        invariant(false, `event kind ${kind} is not kmap's`);
    }
  }

  checkInvariants(): void {
    this.globalPool?.checkInvariants();
    for (const p of this.mmPools.values()) p.checkInvariants();
    for (const p of this.taskPools) p.checkInvariants();
  }
}

/** The kmap part of the memory report, summed over the nodes. */
export function kmapReport(km: KmapShared, nodes: readonly Kmap[]): KmapReport {
  const sum = (f: (n: Kmap) => number) => nodes.reduce((s, n) => s + f(n), 0);
  const callers: KmapCallerReport[] = KMAP_CALLERS.map((caller, k) => ({
    caller,
    kmapHigh: sum((n) => n.kmapHighCalls[k]),
    reused: sum((n) => n.kmapReused[k]),
    kmapAtomic: sum((n) => n.kmapAtomicCalls[k]),
    lowmem: sum((n) => n.kmapLowmem[k]),
  }));
  const hist = new Float64Array(HIST_BUCKETS);
  for (const lp of nodes) for (let b = 0; b < HIST_BUCKETS; b++) hist[b] += lp.sleepHist[b];
  const woken = hist.reduce((a, b) => a + b, 0);
  return {
    mode: km.mode,
    pkmapEntries: km.entries,
    pools: km.mode === 'global' ? 1 : km.mode === 'per-mm' ? km.mmCpus.length : km.mode === 'per-task' ? sum((n) => n.pgdPages) : 0,
    callers,
    poolWraps: sum((n) => n.poolWraps),
    globalFlushes: sum((n) => n.globalFlushes),
    mmFlushes: sum((n) => n.mmFlushes),
    localFlushes: sum((n) => n.localFlushes),
    ipisSent: sum((n) => n.ipisSent),
    ipiStolenNs: sum((n) => n.ipiStolenNs),
    sleeps: sum((n) => n.sleeps),
    sleepWaitNs: summarize(hist, sum((n) => n.sleepTotal), woken, Math.max(0, ...nodes.map((n) => n.sleepMax))),
    pgdPages: km.mode === 'per-task' ? sum((n) => n.pgdPages) : 0,
    threadSwitches: sum((n) => n.threadSwitches),
    pgdSwitches: sum((n) => n.pgdSwitches),
  };
}
