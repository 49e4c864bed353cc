/**
 * A read-write semaphore as `mmap_lock` is one (kernel/locking/rwsem.c, v5.10; docs/SOURCES.md#rwsem):
 * readers share it, a writer excludes readers and writers, and every acquisition and release by a
 * reader is an atomic add on the one `count` word — so under a read-mostly load the count's cache
 * line moves from reader to reader even though nobody waits.
 *
 * Usage (the API a model calls; see docs/MEMORY-MODEL.md#rwsem): declare the lock with
 * `registry.addLock(name, class, homeNode, 'rwsem')` and its policy `'rwsem'` in the
 * LockTableConfig; take it with `client.acquire(cpu, lock, caller, trylock, /* shared *\/ true)`
 * (down_read / down_read_trylock) or `shared = false` (down_write / down_write_trylock); release
 * with `client.release(cpu, lock)` (up_read / up_write: the home knows which). Grants arrive
 * through `LockUser.lockAcquired` as for a spinlock, and the statistics land in the same lock
 * table (an acquisition is contended when it queued).
 *
 * Model (home LP, as locks/spinlock.ts):
 * - down_read succeeds at once when no writer holds the lock and nobody waits (the kernel's
 *   rwsem_read_trylock fails on RWSEM_FLAG_WAITERS); its atomic needs the count line: the grant
 *   waits until the line is free (atomics on one line serialize) and pays its transfer from the
 *   CPU that touched it last. up_read's atomic occupies the line the same way.
 * - down_write succeeds when the count is 0 (no reader, no writer), with one transfer of the line.
 * - Otherwise the caller queues, FIFO. When the last reader leaves, a writer at the head gets the
 *   lock; when a writer leaves, a writer at the head gets it, or, with a reader at the head, every
 *   queued reader does (rwsem_mark_wake since 5.3 wakes up to MAX_READERS_WAKEUP = 256 readers
 *   from anywhere in the wait list, leaving the writers queued).
 *
 * Simplifications (listed in docs/MODEL.md): no optimistic spinning on the owner and no reader
 * lock stealing — a waiter waits in the queue, in the order it came; a waiter's wake-up costs one
 * line transfer (the waker's write to the waiter's wake flag), not a scheduler wake-up; the
 * releasing CPU does not stall on its atomic (only the line's next user waits for it); the
 * writer-handoff bit (RWSEM_FLAG_HANDOFF) is not modelled, FIFO order makes it unnecessary.
 */
import type { Kernel } from '../engine/kernel.js';
import { bug } from '../errors.js';
import type { Topology } from '../machine/topology.js';
import { EV_LOCK_GRANT, EV_LOCK_REFUSED, EV_LOCK_REQUEST, handoffNs, type LockTableConfig } from './spinlock.js';

/** Request flags in the protocol's `c` word: bit 0 trylock, bit 1 shared (down_read). */
export const RW_TRYLOCK = 1;
export const RW_SHARED = 2;
/** rwsem_mark_wake's MAX_READERS_WAKEUP (kernel/locking/rwsem.c, 5.3+). */
export const MAX_READERS_WAKEUP = 0x100;

export class RwsemHome {
  /** Readers holding each lock. */
  readonly readers: Int32Array;
  /** Writer holding each lock, or −1. */
  readonly writer: Int32Array;
  /** CPU whose atomic last touched the count line, or −1. */
  private readonly lineOwner: Int32Array;
  /** Home time at which the count line is free for the next atomic. */
  private readonly lineFreeAt: Float64Array;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly next: Int32Array;
  private readonly shared: Uint8Array;
  private readonly waitSince: Float64Array;
  /** Per CPU: holds a lock as a reader (1) or writer (2), to check releases; one rwsem per CPU at a time. */
  private readonly holding: Uint8Array;

  constructor(
    private readonly kernel: Kernel,
    private readonly topo: Topology,
    private readonly cfg: LockTableConfig,
  ) {
    const n = cfg.policy.length;
    this.readers = new Int32Array(n);
    this.writer = new Int32Array(n).fill(-1);
    this.lineOwner = new Int32Array(n).fill(-1);
    this.lineFreeAt = new Float64Array(n);
    this.head = new Int32Array(n).fill(-1);
    this.tail = new Int32Array(n).fill(-1);
    this.next = new Int32Array(topo.threads).fill(-1);
    this.shared = new Uint8Array(topo.threads);
    this.waitSince = new Float64Array(topo.threads);
    this.holding = new Uint8Array(topo.threads * n);
  }

  handle(kind: number, cpu: number, lock: number, c: number): void {
    if (kind === EV_LOCK_REQUEST) this.request(cpu, lock, (c & RW_TRYLOCK) !== 0, (c & RW_SHARED) !== 0);
    else this.release(cpu, lock);
  }

  waiters(lock: number): number {
    let n = 0;
    for (let w = this.head[lock]; w >= 0; w = this.next[w]) n++;
    return n;
  }

  private request(cpu: number, lock: number, trylock: boolean, shared: boolean): void {
    const free = shared ? this.writer[lock] < 0 && this.head[lock] < 0 : this.writer[lock] < 0 && this.readers[lock] === 0 && this.head[lock] < 0;
    if (free) {
      this.grant(cpu, lock, shared, 0, this.lineOwner[lock], 0);
      return;
    }
    if (trylock) {
      const node = this.topo.cpuNode[cpu];
      this.kernel.send(this.topo.nodeLp[node], this.topo.hopNs(this.cfg.homeNode[lock], node), EV_LOCK_REFUSED, cpu, lock, 0);
      return;
    }
    if (this.next[cpu] !== -1 || this.tail[lock] === cpu) bug(`CPU ${cpu} is already waiting when it asks for rwsem ${lock}`);
    if (this.holding[cpu * this.readers.length + lock] !== 0) bug(`CPU ${cpu} asks for rwsem ${lock}, which it holds: a self-deadlock`);
    this.shared[cpu] = shared ? 1 : 0;
    this.waitSince[cpu] = this.kernel.now;
    if (this.tail[lock] < 0) this.head[lock] = cpu;
    else this.next[this.tail[lock]] = cpu;
    this.tail[lock] = cpu;
  }

  private release(cpu: number, lock: number): void {
    const slot = cpu * this.readers.length + lock;
    const mode = this.holding[slot];
    if (mode === 0) bug(`CPU ${cpu} releases rwsem ${lock}, which it does not hold`);
    this.holding[slot] = 0;
    // up_read / up_write: an atomic on the count line.
    this.touchLine(lock, cpu);
    if (mode === 1) {
      this.readers[lock]--;
      if (this.readers[lock] === 0 && this.head[lock] >= 0 && this.shared[this.head[lock]] === 0) this.wakeWriter(lock, cpu);
      return;
    }
    this.writer[lock] = -1;
    const h = this.head[lock];
    if (h < 0) return;
    if (this.shared[h] === 0) this.wakeWriter(lock, cpu);
    else this.wakeReaders(lock, cpu);
  }

  private wakeWriter(lock: number, waker: number): void {
    const w = this.head[lock];
    this.head[lock] = this.next[w];
    if (this.head[lock] < 0) this.tail[lock] = -1;
    this.next[w] = -1;
    this.grant(w, lock, false, 1, waker, handoffNs(this.topo, this.cfg.handoff, waker, w));
  }

  /** Every queued reader (up to MAX_READERS_WAKEUP), from anywhere in the list; writers keep their places. */
  private wakeReaders(lock: number, waker: number): void {
    let prev = -1;
    let woken = 0;
    for (let w = this.head[lock]; w >= 0 && woken < MAX_READERS_WAKEUP; ) {
      const after = this.next[w];
      if (this.shared[w] === 1) {
        if (prev < 0) this.head[lock] = after;
        else this.next[prev] = after;
        if (this.tail[lock] === w) this.tail[lock] = prev;
        this.next[w] = -1;
        woken++;
        // The waker's one atomic counted them all in; each pays the wake flag's transfer.
        this.grantWoken(w, lock, handoffNs(this.topo, this.cfg.handoff, waker, w));
      } else prev = w;
      w = after;
    }
  }

  /** An atomic by `cpu` on the count line: it waits for the line, then moves it. Returns the wait + transfer, ns. */
  private touchLine(lock: number, cpu: number): number {
    const now = this.kernel.now;
    const wait = Math.max(0, this.lineFreeAt[lock] - now);
    const move = handoffNs(this.topo, this.cfg.handoff, this.lineOwner[lock], cpu);
    this.lineFreeAt[lock] = now + wait + move;
    this.lineOwner[lock] = cpu;
    return wait + move;
  }

  private grant(cpu: number, lock: number, shared: boolean, contended: number, prev: number, extraNs: number): void {
    const atomicNs = this.touchLine(lock, cpu);
    this.take(cpu, lock, shared);
    this.send(cpu, lock, prev, contended, atomicNs + extraNs);
  }

  private grantWoken(cpu: number, lock: number, extraNs: number): void {
    this.take(cpu, lock, true);
    this.send(cpu, lock, this.lineOwner[lock], 1, extraNs);
  }

  private take(cpu: number, lock: number, shared: boolean): void {
    if (shared) {
      if (this.writer[lock] >= 0) bug(`rwsem ${lock} read-granted to CPU ${cpu} while CPU ${this.writer[lock]} writes`);
      this.readers[lock]++;
    } else {
      if (this.writer[lock] >= 0 || this.readers[lock] > 0) bug(`rwsem ${lock} write-granted to CPU ${cpu} while held`);
      this.writer[lock] = cpu;
    }
    this.holding[cpu * this.readers.length + lock] = shared ? 1 : 2;
  }

  private send(cpu: number, lock: number, prev: number, contended: number, extraNs: number): void {
    const node = this.topo.cpuNode[cpu];
    // Contention as lockmeter counts it: the request found the lock unavailable. A request that
    // reached the home within a release's round trip is not corrected here (a simplification).
    const delay = this.topo.hopNs(this.cfg.homeNode[lock], node) + extraNs;
    this.kernel.send(this.topo.nodeLp[node], delay, EV_LOCK_GRANT, cpu, lock, (prev + 1) * 2 + contended);
  }
}
