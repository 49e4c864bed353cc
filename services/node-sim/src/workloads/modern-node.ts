/**
 * The node LP of the modern workloads (workloads/modern.ts): it runs its node's CPUs through page
 * phases — fault in, copy-on-write, read, re-read, unmap — on the modern allocator and LRU
 * (mm/pcp.ts, mm/lruvec.ts), and is the home of its node's `zone->lock`s and LRU locks.
 *
 * Speed: a phase runs from one lock operation to the next in a single event. Between two
 * operations a CPU touches only its own per-CPU list and folio batches, so the pages in between
 * cost a known time each and need no event of their own; the events are the lock protocol's
 * (mm/pcp.ts: zone->lock once per batch each way; mm/lruvec.ts: the LRU lock once per folio batch).
 *
 * Paths, as in 6.x mm/memory.c and mm/swap.c: a fault allocates from the per-CPU list (refilled
 * under zone->lock when empty), clears (or, COW, copies) the page, sets the pte and adds the folio
 * to the CPU's lru_add batch (drained under the LRU lock when full). munmap zaps the ptes, and
 * release_pages takes the pages off the LRU under the LRU lock a batch at a time, then frees them
 * to the per-CPU list, which drains a batch to the zone under zone->lock when it reaches high.
 * In thread mode the mm is shared: a fault takes mmap_lock for read, mmap and munmap for write
 * (mm/mmap-lock.ts: a placeholder on the spinlock model until the rwsem lands).
 */
import type { Kernel, LogicalProcess } from '../engine/kernel.js';
import { bug } from '../errors.js';
import { FIRST_MODEL_EVENT, SpinlockClient, SpinlockHome, type LockUser } from '../locks/spinlock.js';
import { LocalTicketLocks, type LocalLockUser } from '../locks/local-ticket.js';
import { LockStats } from '../locks/lock-stats.js';
import { buddyHoldNs, PerCpuPages } from '../mm/pcp.js';
import { LruBatches, lruLockOf } from '../mm/lruvec.js';
import { Rng } from '../engine/rng.js';
import type { ModernShared } from './modern-shared.js';

const EV_STEP = FIRST_MODEL_EVENT; // a: cpu
const EV_HOLD_DONE = FIRST_MODEL_EVENT + 1; // a: cpu, b: lock

/** Page phases. */
export const PH_IDLE = 0;
export const PH_FAULT = 1;
export const PH_COW = 2;
export const PH_READ = 3;
export const PH_REREAD = 4;
export const PH_UNMAP = 5;
export const PH_USER = 6;
export const PH_MMAP = 7;

/** Lock operations, each a kernel function (its caller name in the lock table). */
const OP_NONE = 0;
const OP_REFILL = 1; // rmqueue_bulk
const OP_DRAIN = 2; // free_pcppages_bulk
const OP_LRU_ADD = 3; // folio_batch_move_lru (lru_add)
const OP_LRU_RELEASE = 4; // release_pages
const OP_ACTIVATE = 5; // folio_batch_move_lru (activate)
const OP_MMAP_READ = 6; // do_user_addr_fault: mmap_read_lock
const OP_MMAP_MAP = 7; // do_mmap: mmap_write_lock
const OP_MMAP_UNMAP = 8; // __vm_munmap: mmap_write_lock, held across the unmap

/** What a workload's driver does when a CPU has finished a phase. */
export interface TaskDriver {
  next(node: ModernNode, i: number): void;
}

export class ModernNode implements LogicalProcess, LockUser, LocalLockUser {
  readonly home: SpinlockHome;
  readonly client: SpinlockClient;
  /** The node's zone and LRU locks when they are ticket locks (locks/local-ticket.ts); null: through the protocol. */
  private readonly local: LocalTicketLocks | null;
  readonly pcp: PerCpuPages;
  readonly lru: LruBatches;
  readonly first: number;
  readonly cpus: number;
  private readonly rng: Rng;
  readonly phase: Int32Array;
  private readonly left: Float64Array;
  private readonly op: Int32Array;
  private readonly opPages: Int32Array;
  /** 1 while a thread-mode CPU holds mmap_lock for write across its munmap. */
  private readonly mmapHeld: Uint8Array;
  /** 1 when a thread-mode CPU has passed mmap_read_lock for the fault it is about to take. */
  private readonly mmapRead: Uint8Array;
  /** The memory cgroup of the task on each CPU (the driver sets it). */
  readonly memcg: Int32Array;
  /** Drivers' own per-CPU state: a step counter and a count (iterations, jobs left…). */
  readonly stage: Int32Array;
  readonly work: Float64Array;
  /** /proc/vmstat-style counters. */
  pgalloc = 0;
  pgfree = 0;
  pgfault = 0;
  pgactivate = 0;
  pagesRead = 0;
  jobsDone = 0;
  /** Time the last job finished (kbuild), ns. */
  lastDoneNs = 0;

  constructor(
    private readonly kernel: Kernel,
    readonly node: number,
    private readonly s: ModernShared,
    private readonly driver: TaskDriver,
  ) {
    const topo = s.topo;
    this.first = topo.firstCpu(node);
    this.cpus = topo.cpusPerNode;
    this.rng = new Rng(s.cfg.seed, node);
    this.home = new SpinlockHome(kernel, topo, s.locks, this.rng);
    this.client = new SpinlockClient(kernel, topo, s.locks, new LockStats(s.registry.lockCount, s.registry.callerCount), this);
    this.local = s.cfg.spinlock === 'ticket' ? new LocalTicketLocks(topo, s.locks.handoff, s.registry.lockCount, this.client.stats, this) : null;
    this.pcp = new PerCpuPages(this.cpus, s.pcp);
    this.lru = new LruBatches(this.cpus);
    const n = this.cpus;
    this.phase = new Int32Array(n);
    this.left = new Float64Array(n);
    this.op = new Int32Array(n);
    this.opPages = new Int32Array(n);
    this.mmapHeld = new Uint8Array(n);
    this.mmapRead = new Uint8Array(n);
    this.memcg = new Int32Array(n);
    this.stage = new Int32Array(n);
    this.work = new Float64Array(n);
  }

  /** Simulated time now, ns (for drivers). */
  get now(): number {
    return this.kernel.now;
  }

  /** A uniform draw from the node's random stream (drivers). */
  random(): number {
    return this.rng.nextDouble();
  }

  /** Seeds each busy CPU's first step; CPUs the workload leaves idle get no event. */
  start(lp: number, busy: (cpu: number) => boolean): void {
    for (let i = 0; i < this.cpus; i++) if (busy(this.first + i)) this.kernel.post(lp, lp, i, EV_STEP, this.first + i, 0, 0);
  }

  handle(kind: number, a: number, b: number, c: number): void {
    if (kind === EV_STEP) {
      const i = a - this.first;
      if (this.phase[i] === PH_IDLE || this.phase[i] === PH_USER || this.phase[i] === PH_MMAP) this.finish(i);
      else this.step(i);
    } else if (kind === EV_HOLD_DONE) {
      if (this.local !== null && b !== this.s.mmapLock) this.local.release(a, b, this.kernel.now);
      else this.client.release(a, b);
      this.opDone(a - this.first);
    } else if (SpinlockHome.handles(kind)) this.home.handle(kind, a, b, c);
    else this.client.handle(kind, a, b, c);
  }

  /** Starts a page phase of `pages` pages on CPU index i. */
  begin(i: number, phase: number, pages: number): void {
    this.phase[i] = phase;
    this.left[i] = pages;
    if (phase === PH_UNMAP && this.s.mmapLock >= 0) {
      this.lockOp(i, OP_MMAP_UNMAP, this.s.mmapLock, 0);
      return;
    }
    this.step(i);
  }

  /** Runs user code (or a syscall's fixed work) for `ns`, then asks the driver again. */
  user(i: number, ns: number): void {
    this.phase[i] = PH_USER;
    this.kernel.schedule(ns, EV_STEP, this.first + i, 0, 0);
  }

  /** mmap of the task's region: in thread mode under mmap_lock for write. */
  mmap(i: number): void {
    this.phase[i] = PH_MMAP;
    if (this.s.mmapLock >= 0) this.lockOp(i, OP_MMAP_MAP, this.s.mmapLock, 0);
    else this.kernel.schedule(this.s.cfg.costs.syscallNs, EV_STEP, this.first + i, 0, 0);
  }

  /** The CPU stops: its driver has no more work for it. */
  idle(i: number): void {
    this.phase[i] = PH_IDLE;
  }

  private finish(i: number): void {
    this.phase[i] = PH_IDLE;
    this.driver.next(this, i);
  }

  /** Runs CPU index i's page phase up to its next lock operation (or its end). */
  private step(i: number): void {
    const s = this.s;
    const ph = this.phase[i];
    const pcp = this.pcp;
    const lru = this.lru;
    const left = this.left[i];
    let k: number;
    if (ph === PH_FAULT || ph === PH_COW || ph === PH_READ) {
      if (left === 0) return this.finish(i);
      if (pcp.count[i] === 0) return this.lockOp(i, OP_REFILL, this.zoneLock(i), pcp.batch);
      if (lru.add[i] >= s.cfg.lruBatch) return this.lockOp(i, OP_LRU_ADD, this.lruLock(i), lru.add[i]);
      if (s.mmapLock >= 0 && ph !== PH_READ) {
        if (this.mmapRead[i] === 0) return this.lockOp(i, OP_MMAP_READ, s.mmapLock, 0);
        this.mmapRead[i] = 0;
        k = 1;
      } else k = Math.min(left, pcp.count[i], s.cfg.lruBatch - lru.add[i]);
      pcp.count[i] -= k;
      lru.add[i] += k;
      this.pgalloc += k;
      if (ph === PH_READ) this.pagesRead += k;
      else this.pgfault += k;
    } else if (ph === PH_REREAD) {
      if (left === 0) return this.finish(i);
      if (lru.activate[i] >= s.cfg.lruBatch) return this.lockOp(i, OP_ACTIVATE, this.lruLock(i), lru.activate[i]);
      k = Math.min(left, s.cfg.lruBatch - lru.activate[i]);
      lru.activate[i] += k;
      this.pagesRead += k;
    } else if (ph === PH_UNMAP) {
      const rel = lru.release[i];
      if (rel >= s.cfg.lruReleaseBatch || (left === 0 && rel > 0)) return this.lockOp(i, OP_LRU_RELEASE, this.lruLock(i), rel);
      const drain = pcp.toDrain(i, this.kernel.now);
      if (drain > 0) return this.lockOp(i, OP_DRAIN, this.zoneLock(i), drain);
      if (left === 0) {
        if (this.mmapHeld[i] === 1) {
          this.mmapHeld[i] = 0;
          this.client.release(this.first + i, s.mmapLock);
        }
        return this.finish(i);
      }
      k = Math.min(left, s.cfg.lruReleaseBatch - rel);
      lru.release[i] += k;
    } else {
      bug(`CPU ${this.first + i} steps in phase ${ph}`);
    }
    this.left[i] = left - k;
    this.kernel.schedule(k * s.pageNs[ph], EV_STEP, this.first + i, 0, 0);
  }

  private zoneLock(i: number): number {
    const s = this.s;
    return s.zoneLocks[this.node * s.cfg.zoneInstances + (i % s.cfg.zoneInstances)];
  }

  private lruLock(i: number): number {
    const s = this.s;
    return lruLockOf(s.lruLocks, s.cfg.lruLock, s.cfg.containers, this.node, this.memcg[i]);
  }

  private lockOp(i: number, op: number, lock: number, pages: number): void {
    this.op[i] = op;
    this.opPages[i] = pages;
    if (this.local !== null && lock !== this.s.mmapLock) this.local.acquire(this.first + i, lock, this.s.callers[op], this.kernel.now);
    else this.client.acquire(this.first + i, lock, this.s.callers[op], false);
  }

  lockTurn(cpu: number, lock: number, delayNs: number): void {
    this.lockAcquired(cpu, lock, -1, delayNs);
  }

  /** `cpu` holds `lock` from `delayNs` on (0 through the protocol, whose grant arrives at the turn). */
  lockAcquired(cpu: number, lock: number, _prev = -1, delayNs = 0): void {
    const i = cpu - this.first;
    const s = this.s;
    const n = this.opPages[i];
    const c = s.cfg.costs;
    let hold: number;
    switch (this.op[i]) {
      case OP_REFILL:
        hold = buddyHoldNs(n, false, s.buddy);
        break;
      case OP_DRAIN:
        hold = buddyHoldNs(n, true, s.buddy);
        break;
      case OP_LRU_ADD:
        hold = n * s.cfg.mmCosts.lruPageNs;
        break;
      case OP_LRU_RELEASE:
        hold = n * (s.cfg.mmCosts.lruPageNs + c.memLocalNs);
        break;
      case OP_ACTIVATE:
        hold = 2 * n * s.cfg.mmCosts.lruPageNs;
        break;
      case OP_MMAP_READ:
        hold = s.mmapModel.readHoldNs();
        break;
      case OP_MMAP_MAP:
        hold = c.syscallNs;
        break;
      case OP_MMAP_UNMAP:
        if (s.mmapModel.writerHoldsAcross && s.cfg.kernelEra === '4.16') {
          // 4.16 held mmap_sem for write across the whole munmap: the phase goes on under it and step() releases it at the end.
          this.op[i] = OP_NONE;
          this.mmapHeld[i] = 1;
          this.kernel.schedule(delayNs + c.syscallNs, EV_STEP, cpu, 0, 0);
          return;
        }
        // From 4.20 munmap detaches the VMAs under the write lock and downgrades it to read for the zap (Yang Shi, 2018).
        hold = c.syscallNs;
        break;
      default:
        bug(`CPU ${cpu} acquired lock ${lock} with no operation under way`);
    }
    this.kernel.schedule(delayNs + Math.round(hold), EV_HOLD_DONE, cpu, lock, 0);
  }

  lockRefused(cpu: number): void {
    bug(`CPU ${cpu}: the modern paths take no trylock`);
  }

  /** The lock operation of CPU index i is over (its lock released): apply it and go on. */
  private opDone(i: number): void {
    const n = this.opPages[i];
    const op = this.op[i];
    this.op[i] = OP_NONE;
    switch (op) {
      case OP_REFILL:
        this.pcp.refilled(i, n);
        break;
      case OP_DRAIN:
        this.pcp.count[i] -= n;
        break;
      case OP_LRU_ADD:
        this.lru.add[i] -= n;
        break;
      case OP_LRU_RELEASE:
        this.lru.release[i] -= n;
        this.pcp.count[i] += n;
        this.pgfree += n;
        break;
      case OP_ACTIVATE:
        this.lru.activate[i] -= n;
        this.pgactivate += n;
        break;
      case OP_MMAP_READ:
        this.mmapRead[i] = 1;
        break;
      case OP_MMAP_MAP:
        return this.finish(i);
    }
    this.step(i);
  }

  checkInvariants(): void {
    this.pcp.checkInvariants();
    for (let i = 0; i < this.cpus; i++) {
      if (this.lru.add[i] < 0 || this.lru.release[i] < 0 || this.lru.activate[i] < 0) bug(`CPU ${this.first + i}: a folio batch below zero`);
      if (this.lru.add[i] > this.s.cfg.lruBatch || this.lru.activate[i] > this.s.cfg.lruBatch) bug(`CPU ${this.first + i}: a folio batch over PAGEVEC_SIZE`);
    }
  }
}

/** Caller names of the lock operations, by op number (index 0 unused). */
export const OP_CALLERS = ['', 'rmqueue_bulk', 'free_pcppages_bulk', 'lru_add', 'release_pages', 'folio_activate', 'mmap_read_lock (fault)', 'mmap_write_lock (mmap)', 'mmap_write_lock (munmap)'];
export const OP_COUNT = OP_CALLERS.length;
