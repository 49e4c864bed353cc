/**
 * The queued spinlock (qspinlock) of Linux since 4.2 (kernel/locking/qspinlock.c, v5.10; Waiman
 * Long's series, 2014–2015; docs/SOURCES.md#qspinlock), and CNA on top of it (locks/cna.ts).
 *
 * The lock word holds a locked byte, a pending bit and the tail of an MCS queue. A CPU that finds
 * the lock free takes it with one cmpxchg. The first CPU to find it held, with nobody pending or
 * queued, sets the pending bit and spins on the lock word itself (the pending fast path: no queue
 * node touched). Everyone else joins the MCS queue (xchg of the tail) and spins on the `locked`
 * field of its own per-CPU queue node — its own cache line, which nobody writes until its turn.
 * Only the queue head spins on the lock word, waiting for both the locked byte and the pending bit
 * to clear; when it takes the lock it writes its successor's `locked`, which makes the successor
 * the new head. So a release moves the lock word to at most two spinners (pending waiter and
 * head), never to all of them, and the order is FIFO: pending waiter first, then the queue.
 *
 * Timing (home time, as in locks/spinlock.ts): a grant reaches the new holder hop(home, holder) +
 * handoff(previous holder, holder) later — one line transfer of the lock word. A queued waiter
 * can take the lock word only once it is the head: when its predecessor's grant arrived plus one
 * transfer of its queue node's line from the predecessor (`readyAt`). A release that comes before
 * then waits for it: with critical sections shorter than that transfer the MCS pass-on shows.
 * Contention is decided as in spinlock.ts, with the same correction for requests that reached the
 * home within the release's round trip.
 *
 * Simplifications: the lock word's cmpxchg/xchg on arrival are not charged (the client's request
 * hop stands for them); a waiter never gives up spinning (no paravirt halting); one pending waiter
 * and the queue, no nesting contexts (the kernel's four per-CPU queue nodes for irq nesting).
 *
 * Locking rule of the model: only the home LP reads or writes a lock's queues and holder.
 */
import type { Kernel } from '../engine/kernel.js';
import type { Rng } from '../engine/rng.js';
import { bug } from '../errors.js';
import type { Topology } from '../machine/topology.js';
import { cnaOrderOnAcquire, CNA_THRESHOLD_NS, type CnaQueues } from './cna.js';
import { EV_LOCK_GRANT, EV_LOCK_REFUSED, EV_LOCK_REQUEST, handoffNs, type LockTableConfig } from './spinlock.js';

/** Where a waiting CPU spins. */
export const SPIN_NONE = 0;
/** On the lock word (the pending waiter and the MCS head). */
export const SPIN_LOCK_WORD = 1;
/** On its own MCS queue node. */
export const SPIN_OWN_NODE = 2;

/** What the queue needs of the engine: the time and a way to send the grant (locks/local-queued.ts passes a same-LP stand-in). */
export type QueueKernel = Pick<Kernel, 'now' | 'send'>;

export class QueuedSpinlockHome {
  readonly holder: Int32Array;
  readonly lastHolder: Int32Array;
  /** The CPU spinning with the pending bit set, or −1. */
  readonly pending: Int32Array;
  private readonly q: CnaQueues;
  private readonly isCna: Uint8Array;
  private readonly waitSince: Float64Array;
  /** Home time from which a queued waiter is the MCS head and may take the lock word. */
  private readonly readyAt: Float64Array;
  private readonly thresholdNs: number;
  /** Lock-word line transfers to spinners caused by releases (the pending waiter and the head), per lock. */
  readonly spinnerTransfers: Float64Array;

  constructor(
    private readonly kernel: QueueKernel,
    private readonly topo: Topology,
    private readonly cfg: LockTableConfig,
    private readonly rng: Rng,
  ) {
    const n = cfg.policy.length;
    this.holder = new Int32Array(n).fill(-1);
    this.lastHolder = new Int32Array(n).fill(-1);
    this.pending = new Int32Array(n).fill(-1);
    this.q = {
      next: new Int32Array(topo.threads).fill(-1),
      head: new Int32Array(n).fill(-1),
      tail: new Int32Array(n).fill(-1),
      secHead: new Int32Array(n).fill(-1),
      secTail: new Int32Array(n).fill(-1),
      preferred: new Int32Array(n).fill(-1),
      secSince: new Float64Array(n),
    };
    this.isCna = Uint8Array.from(cfg.policy, (p) => (p === 'cna' ? 1 : 0));
    this.waitSince = new Float64Array(topo.threads);
    this.readyAt = new Float64Array(topo.threads);
    this.thresholdNs = cfg.cnaThresholdNs ?? CNA_THRESHOLD_NS;
    this.spinnerTransfers = new Float64Array(n);
  }

  handle(kind: number, cpu: number, lock: number, c: number): void {
    if (kind === EV_LOCK_REQUEST) this.request(cpu, lock, c === 1);
    else this.release(cpu, lock);
  }

  /** CPUs waiting for `lock`: pending, main and secondary queues. */
  waiters(lock: number): number {
    let n = this.pending[lock] >= 0 ? 1 : 0;
    for (let w = this.q.head[lock]; w >= 0; w = this.q.next[w]) n++;
    for (let w = this.q.secHead[lock]; w >= 0; w = this.q.next[w]) n++;
    return n;
  }

  /** Where `cpu` spins while it waits for `lock` (SPIN_*). */
  spinsOn(cpu: number, lock: number): number {
    if (this.pending[lock] === cpu || this.q.head[lock] === cpu) return SPIN_LOCK_WORD;
    for (let w = this.q.head[lock]; w >= 0; w = this.q.next[w]) if (w === cpu) return SPIN_OWN_NODE;
    for (let w = this.q.secHead[lock]; w >= 0; w = this.q.next[w]) if (w === cpu) return SPIN_OWN_NODE;
    return SPIN_NONE;
  }

  /** The waiters of `lock` in the order they will get it, as far as the queues say now (main, then secondary). */
  queueOrder(lock: number): number[] {
    const out: number[] = [];
    if (this.pending[lock] >= 0) out.push(this.pending[lock]);
    for (let w = this.q.head[lock]; w >= 0; w = this.q.next[w]) out.push(w);
    for (let w = this.q.secHead[lock]; w >= 0; w = this.q.next[w]) out.push(w);
    return out;
  }

  private request(cpu: number, lock: number, trylock: boolean): void {
    const q = this.q;
    const queued = q.head[lock] >= 0 || q.secHead[lock] >= 0;
    if (this.holder[lock] < 0 && this.pending[lock] < 0 && !queued) {
      this.grant(cpu, lock, 0, 0);
      return;
    }
    if (trylock) {
      // queued_spin_trylock: the cmpxchg from 0 fails on any set bit.
      const node = this.topo.cpuNode[cpu];
      this.kernel.send(this.topo.nodeLp[node], this.topo.hopNs(this.cfg.homeNode[lock], node), EV_LOCK_REFUSED, cpu, lock, 0);
      return;
    }
    if (this.holder[lock] === cpu) bug(`CPU ${cpu} asks for lock ${lock}, which it holds: a self-deadlock`);
    this.waitSince[cpu] = this.kernel.now;
    if (this.pending[lock] < 0 && !queued) {
      this.pending[lock] = cpu;
      this.readyAt[cpu] = this.kernel.now;
      return;
    }
    if (q.next[cpu] !== -1 || q.tail[lock] === cpu) bug(`CPU ${cpu} is already queued when it asks for lock ${lock}`);
    // The first in the queue has no predecessor to wait for: it is the head at once.
    this.readyAt[cpu] = q.head[lock] < 0 ? this.kernel.now : Infinity;
    if (q.head[lock] < 0) q.head[lock] = cpu;
    else q.next[q.tail[lock]] = cpu;
    q.tail[lock] = cpu;
  }

  private release(cpu: number, lock: number): void {
    if (this.holder[lock] !== cpu) bug(`CPU ${cpu} releases lock ${lock}, held by ${this.holder[lock]}`);
    this.holder[lock] = -1;
    const q = this.q;
    const fromPending = this.pending[lock] >= 0;
    const next = fromPending ? this.pending[lock] : q.head[lock];
    if (next < 0) return;
    const now = this.kernel.now;
    if (fromPending) this.pending[lock] = -1;
    else this.popHead(lock);
    this.spinnerTransfers[lock] += (fromPending && q.head[lock] >= 0 ? 2 : 1);
    // As in spinlock.ts: a request that reached the home within the release's round trip found
    // the lock free at the holder's cache, and takes it uncontended.
    const home = this.cfg.homeNode[lock];
    const node = this.topo.cpuNode[cpu];
    const uncontended = this.waitSince[next] > now - this.topo.hopNs(node, home) - this.topo.hopNs(home, node);
    const notReady = Math.max(0, this.readyAt[next] - now);
    const delay = this.grant(next, lock, uncontended ? 0 : 1, notReady);
    if (!fromPending) this.passMcs(next, lock, now + delay);
  }

  /** Takes the main queue's head off (it is being granted the lock). */
  private popHead(lock: number): void {
    const q = this.q;
    const w = q.head[lock];
    q.head[lock] = q.next[w];
    if (q.head[lock] < 0) q.tail[lock] = -1;
    q.next[w] = -1;
  }

  /**
   * `holder`, the old MCS head, got the lock at home time `arrives`: it (CNA: after ordering the
   * queue) writes its successor's queue node, which makes the successor the head one transfer later.
   */
  private passMcs(holder: number, lock: number, arrives: number): void {
    const q = this.q;
    if (this.isCna[lock] === 1) cnaOrderOnAcquire(q, lock, holder, this.topo.cpuNode, this.kernel.now, this.thresholdNs, this.rng);
    const succ = q.head[lock];
    if (succ >= 0) this.readyAt[succ] = Math.min(this.readyAt[succ], arrives + handoffNs(this.topo, this.cfg.handoff, holder, succ));
  }

  /** Sends the grant; returns its delay. */
  private grant(cpu: number, lock: number, contended: number, extraNs: number): number {
    if (this.holder[lock] !== -1) bug(`lock ${lock} granted to CPU ${cpu} while CPU ${this.holder[lock]} holds it`);
    const prev = this.lastHolder[lock];
    this.holder[lock] = cpu;
    this.lastHolder[lock] = cpu;
    const node = this.topo.cpuNode[cpu];
    const delay = this.topo.hopNs(this.cfg.homeNode[lock], node) + handoffNs(this.topo, this.cfg.handoff, prev, cpu) + extraNs;
    this.kernel.send(this.topo.nodeLp[node], delay, EV_LOCK_GRANT, cpu, lock, (prev + 1) * 2 + contended);
    return delay;
  }
}
