/**
 * The ticket spinlock of locks/spinlock.ts for locks whose word and every user sit on one LP: the
 * same hand-off rule (FIFO; the holder's turn begins when the lock's cache line has moved from the
 * CPU that held it last: same CPU, same node or another node, `handoffNs`), the same contention
 * rule (an acquisition is contended when it finds the lock held or waiters queued) and the same
 * statistics (LockStats: WAIT from the request to the turn, for contended acquisitions; HOLD from
 * the turn to the release), computed without the protocol's request, grant and release events.
 * With home and user on one LP those messages take no time, so the outcome is the one the
 * protocol gives; only same-instant ties between CPUs may order differently. The modern node uses
 * it for its zone and LRU locks, which only its own CPUs take (mm/lruvec.ts), to keep big machines
 * fast: one event per acquisition instead of four.
 *
 * Queued spinlocks (qspinlock, CNA): a lock whose policy is 'qspinlock' or 'cna' keeps its queue
 * in a QueuedSpinlockHome (locks/qspinlock.ts, with locks/cna.ts's ordering) driven on this LP: the
 * same pending-bit fast path, MCS queue and hand-off timing as through the protocol, with a
 * stand-in engine whose `send` is the grant's turn here (home and user on one LP: no hop). So
 * each waiter spins on its own queue node, the head and the pending waiter on the lock word, and a
 * hand-off is one transfer of the lock word's line, plus the MCS pass-on when the next head's
 * node had not been written yet.
 *
 * Locking rule of the model itself: a lock's holder and queue are touched only by its LP.
 */
import { bug } from '../errors.js';
import type { Topology } from '../machine/topology.js';
import type { Handoff } from '@numasim/shared';
import type { Rng } from '../engine/rng.js';
import { EV_LOCK_GRANT, EV_LOCK_RELEASE, EV_LOCK_REQUEST, handoffNs, type LockTableConfig } from './spinlock.js';
import type { LockStats } from './lock-stats.js';
import { QueuedSpinlockHome } from './qspinlock.js';

/** What the lock tells its user: `cpu`'s turn on `lock` begins `delayNs` from now. */
export interface LocalLockUser {
  lockTurn(cpu: number, lock: number, delayNs: number): void;
}

export class LocalTicketLocks {
  private readonly holder: Int32Array;
  private readonly lastHolder: Int32Array;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly nextWaiter: Int32Array;
  private readonly reqTime: Float64Array;
  private readonly reqCaller: Int32Array;
  /** When each CPU's hold began (its turn), and of which caller. */
  private readonly heldSince: Float64Array;
  private readonly heldCaller: Int32Array;
  /** Queued locks (qspinlock, CNA): 1 by lock id; their queues live in `queued`. */
  private readonly isQueued: Uint8Array;
  private readonly queued: QueuedSpinlockHome | null = null;
  /** The stand-in engine of `queued`: the time of the operation under way. */
  private readonly clock = { now: 0, send: (_lp: number, delayNs: number, kind: number, cpu: number, lock: number, c: number) => this.queuedGrant(kind, cpu, lock, c, delayNs) };

  constructor(
    private readonly topo: Topology,
    private readonly handoff: Handoff,
    locks: number,
    private readonly stats: LockStats,
    private readonly user: LocalLockUser,
    /** With `table` (and its `rng` for CNA's shuffle reduction), locks whose policy is 'qspinlock' or 'cna' queue as those do. */
    table?: LockTableConfig,
    rng?: Rng,
  ) {
    this.holder = new Int32Array(locks).fill(-1);
    this.lastHolder = new Int32Array(locks).fill(-1);
    this.head = new Int32Array(locks).fill(-1);
    this.tail = new Int32Array(locks).fill(-1);
    const t = topo.threads;
    this.nextWaiter = new Int32Array(t).fill(-1);
    this.reqTime = new Float64Array(t);
    this.reqCaller = new Int32Array(t);
    this.heldSince = new Float64Array(t);
    this.heldCaller = new Int32Array(t);
    this.isQueued = new Uint8Array(locks);
    if (table !== undefined) {
      for (let l = 0; l < locks; l++) this.isQueued[l] = table.policy[l] === 'qspinlock' || table.policy[l] === 'cna' ? 1 : 0;
      if (this.isQueued.includes(1)) {
        if (rng === undefined) bug('queued local locks need the LP\'s random stream (CNA)');
        this.queued = new QueuedSpinlockHome(this.clock, topo, table, rng);
      }
    }
  }

  /** The queues of the qspinlock / CNA locks (tests look at where waiters spin), or null. */
  get queuedHome(): QueuedSpinlockHome | null {
    return this.queued;
  }

  /** spin_lock by `cpu` at `now` from call site `caller`. */
  acquire(cpu: number, lock: number, caller: number, now: number): void {
    if (this.holder[lock] === cpu) bug(`CPU ${cpu} asks for lock ${lock}, which it holds: a self-deadlock`);
    this.reqTime[cpu] = now;
    this.reqCaller[cpu] = caller;
    if (this.isQueued[lock] === 1) {
      this.clock.now = now;
      this.queued!.handle(EV_LOCK_REQUEST, cpu, lock, 0);
      return;
    }
    if (this.holder[lock] < 0 && this.head[lock] < 0) {
      this.turn(cpu, lock, now, false);
      return;
    }
    if (this.tail[lock] < 0) this.head[lock] = cpu;
    else this.nextWaiter[this.tail[lock]] = cpu;
    this.tail[lock] = cpu;
  }

  /** spin_unlock by `cpu` at `now`: the next waiter's turn comes after the line moves to it. */
  release(cpu: number, lock: number, now: number): void {
    if (this.isQueued[lock] === 1) {
      if (this.queued!.holder[lock] !== cpu) bug(`CPU ${cpu} releases lock ${lock}, held by ${this.queued!.holder[lock]}`);
      this.stats.recordHold(lock, this.heldCaller[cpu], now - this.heldSince[cpu]);
      this.clock.now = now;
      this.queued!.handle(EV_LOCK_RELEASE, cpu, lock, 0);
      return;
    }
    if (this.holder[lock] !== cpu) bug(`CPU ${cpu} releases lock ${lock}, held by ${this.holder[lock]}`);
    this.stats.recordHold(lock, this.heldCaller[cpu], now - this.heldSince[cpu]);
    this.holder[lock] = -1;
    const w = this.head[lock];
    if (w < 0) return;
    this.head[lock] = this.nextWaiter[w];
    if (this.head[lock] < 0) this.tail[lock] = -1;
    this.nextWaiter[w] = -1;
    this.turn(w, lock, now, true);
  }

  /** The queued home's grant (through the stand-in `send`): `c` is the protocol's (previous holder + 1) * 2 + contended. */
  private queuedGrant(kind: number, cpu: number, lock: number, c: number, delay: number): void {
    if (kind !== EV_LOCK_GRANT) bug(`a queued local lock sent event ${kind}: the modern paths take no trylock`);
    this.begin(cpu, lock, this.clock.now, (c & 1) === 1, (c >> 1) - 1, delay);
  }

  private turn(cpu: number, lock: number, now: number, contended: boolean): void {
    const prev = this.lastHolder[lock];
    const delay = handoffNs(this.topo, this.handoff, prev, cpu);
    this.holder[lock] = cpu;
    this.lastHolder[lock] = cpu;
    this.begin(cpu, lock, now, contended, prev, delay);
  }

  /** `cpu`'s hold of `lock` begins `delay` after `now`: the statistics, and the user told. */
  private begin(cpu: number, lock: number, now: number, contended: boolean, prev: number, delay: number): void {
    const caller = this.reqCaller[cpu];
    this.stats.recordAcquire(lock, caller, contended, now + delay - this.reqTime[cpu], prev >= 0 && prev !== cpu);
    this.heldSince[cpu] = now + delay;
    this.heldCaller[cpu] = caller;
    this.user.lockTurn(cpu, lock, delay);
  }
}
