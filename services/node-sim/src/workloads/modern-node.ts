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
 * In thread mode the mm is shared: a fault runs a page at a time under mmap_lock held for read
 * (or, with vmaLocks, its VMA's read lock, falling back to mmap_lock when the VMA is write-locked),
 * sets its pte under the ptl (a shared mm->page_table_lock goes through the lock protocol), and
 * mmap and munmap take mmap_lock for write (mm/mmap-lock.ts). In process mode those locks are the
 * process's own: counted in bulk, never waited for.
 * Reclaim (workloads/modern-reclaim.ts): a refill that finds the zone at its low watermark wakes
 * kswapd onto the CPU, at min the CPU reclaims directly; a reclaiming CPU runs shrink_active_list
 * and shrink_inactive_list lock operations on its node's lruvecs before going back to its task.
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
import { ModernReclaim } from './modern-reclaim.js';
import { GEN_DONE } from '../mm/vmscan-modern.js';
import {
  OP_ACTIVATE,
  OP_DRAIN,
  OP_LRU_ADD,
  OP_LRU_RELEASE,
  OP_MMAP_MAP,
  OP_MMAP_READ,
  OP_MMAP_UNMAP,
  OP_NONE,
  OP_PTL,
  OP_PTL_COW,
  OP_PTL_ZAP,
  OP_REFILL,
  OP_SHRINK_ACTIVE,
  OP_SHRINK_ACTIVE_PUT,
  OP_SHRINK_INACTIVE,
  OP_SHRINK_INACTIVE_PUT,
  OP_VMA_READ,
  OP_VMA_WRITE,
  PH_COW,
  PH_FAULT,
  PH_IDLE,
  PH_MMAP,
  PH_READ,
  PH_REREAD,
  PH_UNMAP,
  PH_USER,
  PTRS_PER_PTE,
} from './modern-ops.js';

export { PH_COW, PH_FAULT, PH_MMAP, PH_READ, PH_REREAD, PH_UNMAP, PH_USER } from './modern-ops.js';

const EV_STEP = FIRST_MODEL_EVENT; // a: cpu
const EV_HOLD_DONE = FIRST_MODEL_EVENT + 1; // a: cpu, b: lock

/** Where a thread-mode fault is (`fst`). */
const FS_NONE = 0; // no read lock yet
const FS_READ = 1; // holds mmap_lock or the VMA's lock for read
const FS_CLEARED = 2; // the page is allocated and cleared: the pte is next

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
  /** The node's file LRU lists, free count and reclaimers (workloads/modern-reclaim.ts). */
  readonly reclaim: ModernReclaim;
  /** Pages of a reader's file (readtwice), 0 for the other kinds. */
  private readonly filePages: number;
  /** The memcg whose lruvec a reclaiming CPU's lock operation is on. */
  private readonly opMemcg: Int32Array;
  readonly first: number;
  readonly cpus: number;
  private readonly rng: Rng;
  readonly phase: Int32Array;
  private readonly left: Float64Array;
  private readonly op: Int32Array;
  private readonly opPages: Int32Array;
  /** 1 while a thread-mode CPU holds mmap_lock for write across its munmap. */
  private readonly mmapHeld: Uint8Array;
  /** 1 while a thread-mode CPU holds its VMA write-locked (munmap, vmaLocks). */
  private readonly vmaHeld: Uint8Array;
  /** A thread-mode fault's state (FS_*), and the lock it holds for read. */
  private readonly fst: Uint8Array;
  private readonly readHeld: Int32Array;
  /** ptes of the page-table page under zap whose zap is already done or charged (munmap). */
  private readonly zapLeft: Int32Array;
  /** lock_vma_under_rcu failures, which fell back to mmap_lock (vmstat's VMA_LOCK_RETRY). */
  vmaFallbacks = 0;
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
    // Zone and LRU locks without protocol events, unless test-and-set (whose release storm is the protocol's).
    this.local = s.cfg.spinlock !== 'tas' ? new LocalTicketLocks(topo, s.locks.handoff, s.registry.lockCount, this.client.stats, this, s.locks, new Rng(s.cfg.seed, topo.nodes + node)) : null;
    this.pcp = new PerCpuPages(this.cpus, s.pcp);
    this.lru = new LruBatches(this.cpus);
    const managed = s.cfg.memPerNodeMiB * 256;
    this.reclaim = new ModernReclaim(this.cpus, s.cfg.containers, managed, managed * s.cfg.nodes);
    this.filePages = s.cfg.kind === 'readtwice' ? s.cfg.fileMiB * 256 : 0;
    this.opMemcg = new Int32Array(this.cpus);
    const n = this.cpus;
    this.phase = new Int32Array(n);
    this.left = new Float64Array(n);
    this.op = new Int32Array(n);
    this.opPages = new Int32Array(n);
    this.mmapHeld = new Uint8Array(n);
    this.vmaHeld = new Uint8Array(n);
    this.fst = new Uint8Array(n);
    this.readHeld = new Int32Array(n).fill(-1);
    this.zapLeft = new Int32Array(n);
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
      if (this.local !== null && this.s.nodeLocal[b] === 1) this.local.release(a, b, this.kernel.now);
      else this.client.release(a, b);
      this.opDone(a - this.first);
    } else if (SpinlockHome.handles(kind)) this.home.handle(kind, a, b, c);
    else this.client.handle(kind, a, b, c);
  }

  /** Starts a page phase of `pages` pages on CPU index i. */
  begin(i: number, phase: number, pages: number): void {
    this.phase[i] = phase;
    this.left[i] = pages;
    if (this.filePages > 0 && (phase === PH_READ || phase === PH_REREAD)) this.reclaim.beginFile(i, phase === PH_READ, pages, this.filePages);
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
    else {
      this.privateHold(i, this.s.mmapOf[this.first + i], OP_MMAP_MAP, 1, this.s.cfg.costs.syscallNs);
      this.kernel.schedule(this.s.cfg.costs.syscallNs, EV_STEP, this.first + i, 0, 0);
    }
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
    let perPage = s.pageNs[ph];
    if (this.reclaim.rk[i] !== 0) return this.reclaimRun(i);
    if (s.mmapLock >= 0 && (ph === PH_FAULT || ph === PH_COW)) return this.threadFault(i, ph);
    const r = this.reclaim;
    // A re-read of a page reclaim took: read again like a first read (a sparse file's hole: a new zeroed page).
    const refault = ph === PH_REREAD && this.filePages - left < r.evictedTo[i];
    if (ph === PH_FAULT || ph === PH_COW || ph === PH_READ || refault) {
      if (left === 0) return this.finish(i);
      if (pcp.count[i] === 0) {
        if (r.allocCheck(i)) return this.reclaimRun(i);
        return this.lockOp(i, OP_REFILL, this.zoneLock(i), pcp.batch);
      }
      if (lru.add[i] >= s.cfg.lruBatch) return this.lockOp(i, OP_LRU_ADD, this.lruLock(i), lru.add[i]);
      k = Math.min(left, pcp.count[i], s.cfg.lruBatch - lru.add[i]);
      const at = this.filePages - left;
      if (refault) k = Math.min(k, r.evictedTo[i] - at);
      pcp.count[i] -= k;
      lru.add[i] += k;
      this.pgalloc += k;
      if (ph === PH_READ || refault) {
        const m = this.memcg[i];
        if (refault) {
          // The refault distance exceeds the lists (the files together exceed memory): no workingset activation.
          r.rereadPos[i] = at + k;
          r.lists.inactive[m].push(-1, GEN_DONE, 0, k);
          perPage = s.pageNs[PH_READ];
        } else r.lists.inactive[m].push(i, r.gen[i], at, k);
        r.lists.nrInactive[m] += k;
        this.pagesRead += k;
      } else {
        this.pgfault += k;
        // The process's own mmap_lock (or VMA lock) across each fault, its ptl across each pte.
        const cpu = this.first + i;
        const c = s.cfg.costs;
        if (s.vmaOf[cpu] >= 0) this.privateHold(i, s.vmaOf[cpu], OP_VMA_READ, k, s.pageNs[ph]);
        else this.privateHold(i, s.mmapOf[cpu], OP_MMAP_READ, k, s.pageNs[ph]);
        this.privateHold(i, s.ptlOf[cpu], ph === PH_COW ? OP_PTL_COW : OP_PTL, k, c.pteSetNs);
      }
    } else if (ph === PH_REREAD) {
      if (left === 0) return this.finish(i);
      if (lru.activate[i] >= s.cfg.lruBatch) return this.lockOp(i, OP_ACTIVATE, this.lruLock(i), lru.activate[i]);
      k = Math.min(left, s.cfg.lruBatch - lru.activate[i]);
      lru.activate[i] += k;
      this.pagesRead += k;
      if (this.filePages > 0) {
        // Still cached from the first read: the folio moves to the active list (its run on the inactive list goes stale).
        const m = this.memcg[i];
        r.rereadPos[i] = this.filePages - left + k;
        r.lists.nrInactive[m] -= k;
        r.lists.nrActive[m] += k;
      }
    } else if (ph === PH_UNMAP) {
      const rel = lru.release[i];
      if (rel >= s.cfg.lruReleaseBatch || (left === 0 && rel > 0)) return this.lockOp(i, OP_LRU_RELEASE, this.lruLock(i), rel);
      const drain = pcp.toDrain(i, this.kernel.now);
      if (drain > 0) return this.lockOp(i, OP_DRAIN, this.zoneLock(i), drain);
      if (left === 0) {
        this.zapLeft[i] = 0;
        if (this.mmapHeld[i] === 1) {
          this.mmapHeld[i] = 0;
          this.dropVmaWrite(i);
          this.client.release(this.first + i, s.mmapLock);
        } else if (s.mmapLock < 0) this.privateHold(i, s.mmapOf[this.first + i], OP_MMAP_UNMAP, 1, s.cfg.costs.syscallNs);
        return this.finish(i);
      }
      // zap_pte_range: a page-table page at a time under its ptl. A shared ptl (pteLocks "mm", thread mode) is held across the
      // zap of the page's ptes, which are then released at no further cost; a private one is counted and the zap charged per page.
      const ptl = s.ptlOf[this.first + i];
      const sharedPtl = ptl >= 0 && s.privateLock[ptl] === 0;
      if (ptl >= 0 && this.zapLeft[i] === 0) {
        const n = Math.min(PTRS_PER_PTE, left);
        if (sharedPtl) return this.lockOp(i, OP_PTL_ZAP, ptl, n);
        this.privateHold(i, ptl, OP_PTL_ZAP, 1, n * s.pageNs[PH_UNMAP]);
        this.zapLeft[i] = n;
      }
      k = Math.min(left, s.cfg.lruReleaseBatch - rel);
      if (ptl >= 0) {
        k = Math.min(k, this.zapLeft[i]);
        this.zapLeft[i] -= k;
      }
      lru.release[i] += k;
      if (sharedPtl) {
        this.left[i] = left - k;
        return this.step(i);
      }
    } else {
      bug(`CPU ${this.first + i} steps in phase ${ph}`);
    }
    this.left[i] = left - k;
    this.kernel.schedule(k * perPage, EV_STEP, this.first + i, 0, 0);
  }

  /**
   * A thread-mode fault, one page: its read lock (the VMA's, or mmap_lock), then under it the
   * page allocated (a refill, an lru_add drain when due) and cleared, then its pte under the ptl,
   * then mmap_read_unlock (vma_end_read).
   */
  private threadFault(i: number, ph: number): void {
    const s = this.s;
    const cpu = this.first + i;
    for (;;) {
      const st = this.fst[i];
      if (st === FS_NONE) {
        if (this.left[i] === 0) return this.finish(i);
        if (s.vmaOf[cpu] >= 0) return this.lockOp(i, OP_VMA_READ, s.vmaOf[cpu], 0, true, true);
        return this.lockOp(i, OP_MMAP_READ, s.mmapLock, 0, false, true);
      }
      if (st === FS_READ) {
        if (this.pcp.count[i] === 0) return this.lockOp(i, OP_REFILL, this.zoneLock(i), this.pcp.batch);
        if (this.lru.add[i] >= s.cfg.lruBatch) return this.lockOp(i, OP_LRU_ADD, this.lruLock(i), this.lru.add[i]);
        this.pcp.count[i]--;
        this.lru.add[i]++;
        this.pgalloc++;
        this.pgfault++;
        this.left[i]--;
        this.fst[i] = FS_CLEARED;
        this.kernel.schedule(s.threadPageNs[ph], EV_STEP, cpu, 0, 0);
        return;
      }
      // FS_CLEARED: the pte, then the read lock goes.
      const ptl = s.ptlOf[cpu];
      const ptlOp = ph === PH_COW ? OP_PTL_COW : OP_PTL;
      if (s.privateLock[ptl] === 0) return this.lockOp(i, ptlOp, ptl, 0);
      this.privateHold(i, ptl, ptlOp, 1, s.cfg.costs.pteSetNs);
      this.endRead(i);
    }
  }

  /** mmap_read_unlock or vma_end_read of a thread-mode fault. */
  private endRead(i: number): void {
    this.client.release(this.first + i, this.readHeld[i]);
    this.readHeld[i] = -1;
    this.fst[i] = FS_NONE;
  }

  /** `n` acquisitions of a lock only this CPU takes (−1: none declared), each held `holdNs`. */
  private privateHold(i: number, lock: number, op: number, n: number, holdNs: number): void {
    if (lock >= 0) this.client.stats.recordPrivate(lock, this.s.callers[op], n, holdNs);
  }

  /** munmap's VMA write lock ends (mmap_write_unlock or mmap_write_downgrade: vma_end_write_all). */
  private dropVmaWrite(i: number): void {
    if (this.vmaHeld[i] === 0) return;
    this.vmaHeld[i] = 0;
    this.client.release(this.first + i, this.s.vmaOf[this.first + i]);
  }

  /** CPU index i reclaims (kswapd on it, or direct reclaim): its next lock operation, or back to its task. */
  private reclaimRun(i: number): void {
    const s = this.s;
    const r = this.reclaim.next(
      i,
      () => this.pcp.toDrain(i, this.kernel.now),
      (n) => {
        // free_unref_page_list: the freed page-cache folios go to this CPU's per-CPU list.
        this.pcp.count[i] += n;
        this.pgfree += n;
      },
    );
    if (r === null) return this.step(i);
    if (typeof r === 'number') return this.lockOp(i, OP_DRAIN, this.zoneLock(i), r);
    this.opMemcg[i] = r.memcg;
    this.lockOp(i, r.op, lruLockOf(s.lruLocks, s.cfg.lruLock, s.cfg.containers, this.node, r.memcg), 0);
  }

  private zoneLock(i: number): number {
    const s = this.s;
    return s.zoneLocks[this.node * s.cfg.zoneInstances + (i % s.cfg.zoneInstances)];
  }

  private lruLock(i: number): number {
    const s = this.s;
    return lruLockOf(s.lruLocks, s.cfg.lruLock, s.cfg.containers, this.node, this.memcg[i]);
  }

  private lockOp(i: number, op: number, lock: number, pages: number, trylock = false, shared = false): void {
    this.op[i] = op;
    this.opPages[i] = pages;
    if (this.local !== null && this.s.nodeLocal[lock] === 1) this.local.acquire(this.first + i, lock, this.s.callers[op], this.kernel.now);
    else this.client.acquire(this.first + i, lock, this.s.callers[op], trylock, shared);
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
        hold = buddyHoldNs(n, true, s.buddy, this.pcp.batch);
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
      case OP_VMA_READ:
        // mmap_read_lock / lock_vma_under_rcu: held across the fault, released by endRead.
        if (s.mmapModel.readHoldNs() !== Infinity) bug('the modern fault path holds mmap_lock across the fault');
        this.op[i] = OP_NONE;
        this.fst[i] = FS_READ;
        this.readHeld[i] = lock;
        return this.threadFault(i, this.phase[i]);
      case OP_PTL:
      case OP_PTL_COW:
        hold = c.pteSetNs;
        break;
      case OP_SHRINK_ACTIVE:
      case OP_SHRINK_ACTIVE_PUT:
      case OP_SHRINK_INACTIVE:
      case OP_SHRINK_INACTIVE_PUT: {
        // Isolation and putback move the folios at the hold's start; an empty isolation or the putback of nothing kept
        // still holds the lock for the list check and the statistics (one folio's list work; assumption).
        const op = this.op[i];
        const k = this.reclaim.acquired(i, op, this.opMemcg[i]);
        this.opPages[i] = k;
        const per = op === OP_SHRINK_INACTIVE ? s.cfg.mmCosts.lruPageNs + c.memLocalNs : s.cfg.mmCosts.lruPageNs;
        hold = op === OP_SHRINK_INACTIVE_PUT ? s.cfg.mmCosts.lruPageNs : Math.max(1, k) * per;
        break;
      }
      case OP_PTL_ZAP:
        hold = n * s.pageNs[PH_UNMAP];
        break;
      case OP_MMAP_MAP:
        hold = c.syscallNs;
        break;
      case OP_VMA_WRITE:
        this.vmaHeld[i] = 1;
        this.op[i] = OP_MMAP_UNMAP;
        return this.unmapLocked(i, cpu, delayNs);
      case OP_MMAP_UNMAP:
        if (s.vmaOf[cpu] >= 0) {
          // vma_start_write on the VMA munmap removes, under the write lock.
          this.lockOp(i, OP_VMA_WRITE, s.vmaOf[cpu], 0);
          return;
        }
        return this.unmapLocked(i, cpu, delayNs);
      default:
        bug(`CPU ${cpu} acquired lock ${lock} with no operation under way`);
    }
    this.kernel.schedule(delayNs + Math.round(hold), EV_HOLD_DONE, cpu, lock, 0);
  }

  /** munmap holds mmap_lock for write (and, with vmaLocks, its VMA write-locked) from `delayNs` on. */
  private unmapLocked(i: number, cpu: number, delayNs: number): void {
    const c = this.s.cfg.costs;
    if (this.s.mmapModel.writerHoldsAcross && this.s.cfg.kernelEra === '4.16') {
      // 4.16 held mmap_sem for write across the whole munmap: the phase goes on under it and step() releases it at the end.
      this.op[i] = OP_NONE;
      this.mmapHeld[i] = 1;
      this.kernel.schedule(delayNs + c.syscallNs, EV_STEP, cpu, 0, 0);
      return;
    }
    // From 4.20 munmap detaches the VMAs under the write lock and downgrades it to read for the zap (Yang Shi, 2018);
    // the downgrade ends the VMA's write lock too (vma_end_write_all).
    this.kernel.schedule(delayNs + c.syscallNs, EV_HOLD_DONE, cpu, this.s.mmapLock, 0);
  }

  lockRefused(cpu: number): void {
    const i = cpu - this.first;
    if (this.op[i] !== OP_VMA_READ) bug(`CPU ${cpu}: the modern paths take no trylock but lock_vma_under_rcu's`);
    // The VMA is write-locked: fall back to mmap_read_lock (lock_mm_and_find_vma).
    this.vmaFallbacks++;
    this.lockOp(i, OP_MMAP_READ, this.s.mmapLock, 0, false, true);
  }

  /** The lock operation of CPU index i is over (its lock released): apply it and go on. */
  private opDone(i: number): void {
    const n = this.opPages[i];
    const op = this.op[i];
    this.op[i] = OP_NONE;
    switch (op) {
      case OP_REFILL:
        this.pcp.refilled(i, n);
        this.reclaim.free -= n;
        break;
      case OP_DRAIN:
        this.pcp.count[i] -= n;
        this.reclaim.free += n;
        break;
      case OP_SHRINK_ACTIVE:
        // folio_referenced of each isolated folio, unlocked (a read of the folio: a miss each; assumption).
        this.kernel.schedule(n * this.s.cfg.costs.memLocalNs, EV_STEP, this.first + i, 0, 0);
        return;
      case OP_SHRINK_INACTIVE:
        if (n > 0) {
          // shrink_folio_list, unlocked: per folio a miss on it, folio_trylock and the mapping's xa_lock (their atomics),
          // and __remove_mapping's xarray store of the shadow entry (one list operation's work; assumption).
          const c = this.s.cfg.costs;
          this.kernel.schedule(n * (c.memLocalNs + 2 * c.lockAtomicNs + this.s.cfg.mmCosts.lruPageNs), EV_STEP, this.first + i, 0, 0);
          return;
        }
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
      case OP_PTL:
      case OP_PTL_COW:
        this.endRead(i);
        break;
      case OP_MMAP_UNMAP:
        this.dropVmaWrite(i);
        break;
      case OP_PTL_ZAP:
        this.zapLeft[i] = n;
        break;
      case OP_MMAP_MAP:
        return this.finish(i);
    }
    this.step(i);
  }

  checkInvariants(): void {
    this.pcp.checkInvariants();
    this.reclaim.checkInvariants();
    for (let i = 0; i < this.cpus; i++) {
      if (this.lru.add[i] < 0 || this.lru.release[i] < 0 || this.lru.activate[i] < 0) bug(`CPU ${this.first + i}: a folio batch below zero`);
      if (this.lru.add[i] > this.s.cfg.lruBatch || this.lru.activate[i] > this.s.cfg.lruBatch) bug(`CPU ${this.first + i}: a folio batch over PAGEVEC_SIZE`);
    }
  }
}

