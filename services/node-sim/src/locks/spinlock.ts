/**
 * Spinlocks as a NUMA machine sees them: a lock word homed in one node's memory, CPUs on every
 * node spinning on it, and a cache line that has to travel to each new holder.
 *
 * Follows the i386 spinlocks of Linux 2.4/2.5 (include/asm-i386/spinlock.h: `lock; decb` then
 * spin on a read of the byte, i.e. test-and-test-and-set, no fairness) and the later FIFO ticket
 * lock (2.6.25) as the fair alternative. Simplified: no preemption, and no interrupts while a CPU
 * spins (interrupts inside holds are the memory node's, locks/irq-in-hold.ts); a CPU spins on one
 * lock at a time (as in the kernel); the hardware arbitration that makes test-and-set unfair is
 * summed up by one bias parameter. `lineTiming` (LockTableConfig) times grants by the lock line's
 * travel from its last holder instead of adding it to the hops, and opens the test-and-set
 * releaser's re-acquire window (`EV_LOCK_DECIDE`).
 *
 * Two halves, because of the engine's LP rule (an LP changes only its own state):
 * - `SpinlockHome` lives on the lock's home LP and owns the lock's state: holder, waiters,
 *   the CPU that last held it. Requests and releases reach it as events.
 * - `SpinlockClient` lives on the LP of the CPUs that use locks: it sends requests and releases,
 *   receives grants and refusals, and keeps the statistics (what lockmeter measured on the CPU).
 *
 * Timing of one acquisition by CPU q on node n of a lock homed on node h (hop(x,y) is the
 * topology's message latency: 0 on one node, a cache-line transfer between nodes):
 *   request leaves q at t0, reaches h at t0 + hop(n,h);
 *   when the lock is free (or q is next), the home grants it; the grant reaches q
 *   hop(h,n) + handoff(prev, q) later, where handoff is the cost of the line moving from the CPU
 *   that held the lock last to q (same CPU / same node / another node, by SLIT distance);
 *   q holds the lock from the grant's arrival to its release; the release reaches the home
 *   hop(n,h) later, and only then can the next waiter be granted.
 * So a lock passed across the interconnect stays unusable for the round trip, as a contended
 * cache line does on a real machine. Lockmeter semantics (docs/SOURCES.md#lock-stats): an acquisition is
 * contended when its `lock; decb` found the lock held; WAIT is measured from the request to the
 * grant's arrival, for contended acquisitions only; HOLD from the grant's arrival to the release.
 * The home learns of a release one hop after it happened, and a request it forwards reaches the
 * holder one hop later, so a request that came in within that round trip before the release
 * arrived found the lock already free at the holder's cache: when no earlier request waits, it is
 * granted as uncontended (`release`). Deciding contention at the home without that correction
 * would count every acquisition of a remote holder's last two hops as contended. A spin_trylock
 * that arrives in that window is still refused, since the home cannot know yet that it would
 * have succeeded: RJECT can be a little high for locks with remote holders.
 */
import type { Handoff } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import type { Rng } from '../engine/rng.js';
import { bug } from '../errors.js';
import type { Topology } from '../machine/topology.js';
import type { LockStats } from './lock-stats.js';
import { QueuedSpinlockHome } from './qspinlock.js';
import { RwsemHome } from './rwsem.js';
import { SLIT_LOCAL, SLIT_REMOTE_DEFAULT } from '@numasim/shared';

/** Event kinds of the lock protocol. Model kinds start at `FIRST_MODEL_EVENT`. */
export const EV_LOCK_REQUEST = 1; // a: cpu, b: lock, c: 1 for spin_trylock
export const EV_LOCK_RELEASE = 2; // a: cpu, b: lock
export const EV_LOCK_GRANT = 3; // a: cpu, b: lock, c: (previous holder + 1) * 2 + contended
export const EV_LOCK_REFUSED = 4; // a: cpu, b: lock: a spin_trylock that failed
export const EV_LOCK_DECIDE = 5; // a: releasing cpu, b: lock, c: decision mark (home-local: the re-acquire window closed)
export const FIRST_MODEL_EVENT = 16;

/** 'qspinlock' and 'cna': locks/qspinlock.ts; 'rwsem' (a read-write semaphore, e.g. mmap_lock): locks/rwsem.ts. */
export type HandoffPolicy = 'ticket' | 'tas' | 'qspinlock' | 'cna' | 'rwsem';

/** Static description of the locks of a model: policy, home node, hand-off costs. Configuration, shared read-only. */
export interface LockTableConfig {
  /** Policy of each lock (by lock id). */
  readonly policy: readonly HandoffPolicy[];
  /** Home node of each lock. */
  readonly homeNode: readonly number[];
  /** tas: probability that a release goes to a waiter on the releasing CPU's node, when one spins there. */
  readonly tasLocalBias: number;
  /**
   * tas: charge the release storm. Every spinner reads the freed line and tries its locked
   * decrement; the attempts are serialized on the line, and the winner's comes on average after
   * half of the others', each a line transfer (Anderson, "The Performance of Spin Lock
   * Alternatives for Shared-Memory Multiprocessors", IEEE TPDS 1990: a test-and-test-and-set
   * release costs O(P) bus transactions). Off: the winner pays one hand-off only.
   */
  readonly tasStorm?: boolean;
  /**
   * SCI coherence (NUMA-Q's IQ-Link, IEEE 1596): a line's sharers form a list of quads, and a write
   * purges them one after another. The releasing store of a lock that other quads spin on waits
   * for one remote transaction per such quad before the next holder can have the line.
   */
  readonly sciPurge?: boolean;
  readonly handoff: Handoff;
  /** cna: numa_spinlock_threshold_ns (locks/cna.ts; default 1 ms). */
  readonly cnaThresholdNs?: number;
  /**
   * Time acquisitions as the hardware does (docs/MODEL.md, "Lock hand-offs as the hardware times
   * them"): the lock's line lives in the last holder's cache, not at the home, so a grant reaches
   * its CPU the line's travel time after the request (or the release) happened, never sooner than
   * the protocol's messages allow; and a test-and-set releaser that retakes the lock before the
   * first spinner's read of the freed line comes back wins it. Absent: the home-node protocol's
   * costs (hops to and from the home on top of the line's hand-off).
   */
  readonly lineTiming?: boolean;
  /**
   * NUMA-Q's remote cache model (locks/line-cost.ts): a line dirty in the cache of a quad that is
   * neither the requester's nor the line's home costs this many ns (SCI's extra round trip to the
   * owner); absent: every remote transfer costs `handoff.remote`.
   */
  readonly remoteDirtyNs?: number;
}

/**
 * Cost of the lock's cache line moving from CPU `from` to CPU `to` (no cost when nobody held it yet).
 * With `remoteDirtyNs` and the line's `home` node: a line dirty in a third quad (neither `to`'s nor
 * the home) costs `remoteDirtyNs` — SCI asks the home, then the owner.
 */
export function handoffNs(topo: Topology, h: Handoff, from: number, to: number, home = -1, remoteDirtyNs?: number): number {
  if (from < 0 || from === to) return from < 0 ? 0 : h.sameCpu;
  const a = topo.cpuNode[from];
  const b = topo.cpuNode[to];
  if (a === b) return h.sameCore !== undefined && topo.sameCore(from, to) ? h.sameCore : h.sameNode;
  if (remoteDirtyNs !== undefined && home >= 0 && a !== home && b !== home) return remoteDirtyNs;
  // Scale the remote figure (given for SLIT 20) linearly with distance from the local 10.
  const d = topo.distances[a][b];
  return Math.round(h.sameNode + ((h.remote - h.sameNode) * (d - SLIT_LOCAL)) / (SLIT_REMOTE_DEFAULT - SLIT_LOCAL));
}

/**
 * The home-side state of the locks homed on one LP.
 *
 * Locking rule of the model itself: only the home LP reads or writes a lock's `holder`,
 * `lastHolder` and waiter list. Waiters form one singly linked FIFO list per lock through
 * `nextWaiter[cpu]`, which is enough because a CPU spins on one lock at a time.
 */
export class SpinlockHome {
  /** CPU holding each lock (granted, release not yet arrived), or -1. */
  readonly holder: Int32Array;
  /** CPU that held each lock last, or -1: where its cache line is. */
  readonly lastHolder: Int32Array;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly nextWaiter: Int32Array;
  private readonly waiterNode: Int32Array;
  /** When each waiter's request reached the home. */
  private readonly waitSince: Float64Array;
  private readonly isTas: Uint8Array;
  /** Quads already counted by the release's purge under way (`purgeSeen[node] === purgeMark`). */
  private readonly purgeSeen: Int32Array;
  /** The same for a test-and-set winner's purge. */
  private readonly winnerSeen: Int32Array;
  /** The same for the release storm: nodes whose spinners' attempts already fetched the line across. */
  private readonly stormSeen: Int32Array;
  private purgeMark = 0;
  /** Locks with another policy go to their own home (0: this one, 1: queued, 2: rwsem). */
  private readonly delegate: Uint8Array;
  private readonly queued: QueuedSpinlockHome | null;
  private readonly rwsem: RwsemHome | null;
  /** lineTiming: when each lock's last release happened at its CPU (the home learns of it a hop later). */
  private readonly releasedAt: Float64Array;
  /** lineTiming: the releaser whose re-acquire window is open on each lock, or -1. */
  private readonly windowOf: Int32Array;
  /** lineTiming: tells the event that closes a window from one of a window already closed. */
  private readonly windowMark: Int32Array;
  /** Re-acquisitions that won the line during the re-acquire window, by lock. */
  readonly reacquireWins: Float64Array;

  constructor(
    private readonly kernel: Kernel,
    private readonly topo: Topology,
    private readonly cfg: LockTableConfig,
    private readonly rng: Rng,
  ) {
    const n = cfg.policy.length;
    this.holder = new Int32Array(n).fill(-1);
    this.lastHolder = new Int32Array(n).fill(-1);
    this.head = new Int32Array(n).fill(-1);
    this.tail = new Int32Array(n).fill(-1);
    this.nextWaiter = new Int32Array(topo.threads).fill(-1);
    this.waiterNode = new Int32Array(topo.threads);
    this.waitSince = new Float64Array(topo.threads);
    this.isTas = Uint8Array.from(cfg.policy, (p) => (p === 'tas' ? 1 : 0));
    this.purgeSeen = new Int32Array(topo.nodes);
    this.winnerSeen = new Int32Array(topo.nodes);
    this.stormSeen = new Int32Array(topo.nodes);
    this.delegate = Uint8Array.from(cfg.policy, (p) => (p === 'qspinlock' || p === 'cna' ? 1 : p === 'rwsem' ? 2 : 0));
    this.queued = this.delegate.includes(1) ? new QueuedSpinlockHome(kernel, topo, cfg, rng) : null;
    this.rwsem = this.delegate.includes(2) ? new RwsemHome(kernel, topo, cfg) : null;
    this.releasedAt = new Float64Array(n);
    this.windowOf = new Int32Array(n).fill(-1);
    this.windowMark = new Int32Array(n);
    this.reacquireWins = new Float64Array(n);
  }

  /** The home of the qspinlock / CNA locks, if any (for tests). */
  get queuedHome(): QueuedSpinlockHome | null {
    return this.queued;
  }

  /** True when `kind` is an event this half handles. */
  static handles(kind: number): boolean {
    return kind === EV_LOCK_REQUEST || kind === EV_LOCK_RELEASE || kind === EV_LOCK_DECIDE;
  }

  handle(kind: number, cpu: number, lock: number, c: number): void {
    const d = this.delegate[lock];
    if (d !== 0) {
      if (d === 1) this.queued!.handle(kind, cpu, lock, c);
      else this.rwsem!.handle(kind, cpu, lock, c);
      return;
    }
    if (kind === EV_LOCK_REQUEST) this.request(cpu, lock, c === 1);
    else if (kind === EV_LOCK_RELEASE) this.release(cpu, lock);
    else this.windowClosed(cpu, lock, c);
  }

  /** Number of CPUs spinning on `lock` (for tests and sampling). */
  waiters(lock: number): number {
    if (this.delegate[lock] === 1) return this.queued!.waiters(lock);
    if (this.delegate[lock] === 2) return this.rwsem!.waiters(lock);
    let n = 0;
    for (let w = this.head[lock]; w >= 0; w = this.nextWaiter[w]) n++;
    return n;
  }

  private request(cpu: number, lock: number, trylock: boolean): void {
    if (this.windowOf[lock] === cpu) {
      // The releaser's `lock; decb` hit the line still in its cache before any spinner's read of
      // the freed line came back: it wins, and finds the lock free (lockmeter: no wait).
      this.windowOf[lock] = -1;
      this.reacquireWins[lock]++;
      this.grant(cpu, lock, 0, 0);
      return;
    }
    const busy = this.holder[lock] >= 0 || this.head[lock] >= 0;
    if (!busy) {
      this.grant(cpu, lock, 0, 0);
      return;
    }
    if (trylock) {
      const node = this.topo.cpuNode[cpu];
      this.kernel.send(this.topo.nodeLp[node], this.topo.hopNs(this.homeNode(lock), node), EV_LOCK_REFUSED, cpu, lock, 0);
      return;
    }
    if (this.nextWaiter[cpu] !== -1 || this.tail[lock] === cpu) bug(`CPU ${cpu} is already spinning when it asks for lock ${lock}`);
    if (this.holder[lock] === cpu) bug(`CPU ${cpu} asks for lock ${lock}, which it holds: a self-deadlock`);
    this.waiterNode[cpu] = this.topo.cpuNode[cpu];
    this.waitSince[cpu] = this.kernel.now;
    if (this.tail[lock] < 0) this.head[lock] = cpu;
    else this.nextWaiter[this.tail[lock]] = cpu;
    this.tail[lock] = cpu;
  }

  private release(cpu: number, lock: number): void {
    if (this.holder[lock] !== cpu) bug(`CPU ${cpu} releases lock ${lock}, held by ${this.holder[lock]}`);
    this.holder[lock] = -1;
    const home = this.homeNode(lock);
    const node = this.topo.cpuNode[cpu];
    if (this.cfg.lineTiming === true) this.releasedAt[lock] = this.kernel.now - this.topo.hopNs(node, home);
    if (this.head[lock] < 0) return;
    // The release happened hop(holder, home) ago; a request forwarded to the holder takes
    // hop(home, holder). The head is the oldest request: if it came in after that round trip
    // began, every waiter found the lock free at the holder's cache, and the first one takes it
    // uncontended, with no spinners to purge.
    if (this.waitSince[this.head[lock]] > this.kernel.now - this.topo.hopNs(node, home) - this.topo.hopNs(home, node)) {
      const w = this.popHead(lock);
      this.grant(w, lock, 0, 0, this.waitSince[w]);
      return;
    }
    const tas = this.isTas[lock] === 1;
    if (tas && this.cfg.lineTiming === true) {
      // Test-and-set on the hardware: the release is a store to a line the releaser owns; the
      // spinners' reads miss and come back a line transfer later, and only then can their locked
      // decrements start. Until the nearest one's read is back, the releaser's own retake hits its
      // cache and wins. Keep the decision open that long: the release and a retake travel here
      // over the same hop, so a retake within the window on the CPU arrives within it here.
      let window = Infinity;
      for (let w = this.head[lock]; w >= 0; w = this.nextWaiter[w]) window = Math.min(window, this.lineNs(cpu, w, lock));
      const mark = (this.windowMark[lock] = (this.windowMark[lock] + 1) & 0x3fffffff);
      this.windowOf[lock] = cpu;
      this.kernel.schedule(window, EV_LOCK_DECIDE, cpu, lock, mark);
      return;
    }
    const next = tas ? this.pickTas(lock, node) : this.popHead(lock);
    this.grant(next, lock, 1, this.releaseCostNs(lock, cpu, next, tas));
  }

  /** lineTiming: the re-acquire window of `releaser` on `lock` closed; a spinner wins the line. */
  private windowClosed(releaser: number, lock: number, mark: number): void {
    if (this.windowOf[lock] !== releaser || this.windowMark[lock] !== mark) return; // the releaser retook it
    this.windowOf[lock] = -1;
    if (this.head[lock] < 0) bug(`lock ${lock}: the re-acquire window closed with no spinner`);
    const next = this.pickTas(lock, this.topo.cpuNode[releaser]);
    this.grant(next, lock, 1, this.releaseCostNs(lock, releaser, next, true));
  }

  /** The lock line's transfer cost from `from`'s cache to `to` (third-quad aware). */
  private lineNs(from: number, to: number, lock: number): number {
    return handoffNs(this.topo, this.cfg.handoff, from, to, this.homeNode(lock), this.cfg.remoteDirtyNs);
  }

  private popHead(lock: number): number {
    const w = this.head[lock];
    this.head[lock] = this.nextWaiter[w];
    if (this.head[lock] < 0) this.tail[lock] = -1;
    this.nextWaiter[w] = -1;
    return w;
  }

  /**
   * Test-and-set: whoever's read of the freed line wins. Waiters on the releasing CPU's node see
   * it first; with probability `tasLocalBias` one of them (uniformly) takes the lock, otherwise
   * any waiter (uniformly). With bias near 1 remote waiters starve, as they did on NUMA-Q.
   */
  private pickTas(lock: number, releaseNode: number): number {
    let total = 0;
    let local = 0;
    for (let w = this.head[lock]; w >= 0; w = this.nextWaiter[w]) {
      total++;
      if (this.waiterNode[w] === releaseNode) local++;
    }
    const preferLocal = local > 0 && this.rng.nextDouble() < this.cfg.tasLocalBias;
    let k = this.rng.nextInt(preferLocal ? local : total);
    let prev = -1;
    let w = this.head[lock];
    for (;;) {
      if (!preferLocal || this.waiterNode[w] === releaseNode) {
        if (k === 0) break;
        k--;
      }
      prev = w;
      w = this.nextWaiter[w];
    }
    const after = this.nextWaiter[w];
    if (prev < 0) this.head[lock] = after;
    else this.nextWaiter[prev] = after;
    if (this.tail[lock] === w) this.tail[lock] = prev;
    this.nextWaiter[w] = -1;
    return w;
  }

  /** A fresh mark for `purgeSeen` and `winnerSeen`. */
  private nextPurgeMark(): number {
    if (this.purgeMark === 0x7fffffff) {
      this.purgeMark = 0;
      this.purgeSeen.fill(0);
      this.winnerSeen.fill(0);
      this.stormSeen.fill(0);
    }
    return ++this.purgeMark;
  }

  /**
   * What a contended release costs before `winner` (already off the list) holds the lock, in one
   * walk of the other spinners. Under SCI, the releasing store purges every quad but the
   * releaser's with a spinner (the winner's included): a remote line transfer each. Test-and-set
   * adds the storm (`tasStorm`: the losers' attempts the winner waits behind, on average half of
   * them) and, under SCI, the winner's own `lock; decb`, a write too, which purges every quad but
   * its own whose spinners re-read the freed line; a ticket holder writes nothing when its turn comes.
   *
   * The storm's attempts travel by node, not by CPU: the first attempt from a node fetches the
   * line across (from the releaser: `lineNs`), and the other spinners of that node take it from
   * one another on the node's own bus (`handoff.sameNode`). On NUMA-Q a quad is one SCI node —
   * its IQ-Link board asks the interconnect for the line once and its four CPUs snoop each other on
   * the P6 bus (Lovett & Clapp, ISCA 1996; IEEE 1596) — so a quad's spinners cost one crossing per
   * hand-off, not one each. Order simplified: each node's attempts are taken as one visit.
   */
  private releaseCostNs(lock: number, releaser: number, winner: number, tas: boolean): number {
    const storm = tas && this.cfg.tasStorm === true;
    const sci = this.cfg.sciPurge === true;
    if (!storm && !sci) return 0;
    const cpuNode = this.topo.cpuNode;
    const releaseNode = cpuNode[releaser];
    const winnerNode = cpuNode[winner];
    const mark = this.nextPurgeMark();
    let stormNs = 0;
    let releaseQuads = 0;
    let winnerQuads = 0;
    if (sci && winnerNode !== releaseNode) {
      this.purgeSeen[winnerNode] = mark;
      releaseQuads++;
    }
    for (let w = this.head[lock]; w >= 0; w = this.nextWaiter[w]) {
      const n = cpuNode[w];
      if (storm) {
        if (n === releaseNode || this.stormSeen[n] !== mark) stormNs += this.lineNs(releaser, w, lock);
        else stormNs += this.cfg.handoff.sameNode;
        this.stormSeen[n] = mark;
      }
      if (!sci) continue;
      if (n !== releaseNode && this.purgeSeen[n] !== mark) {
        this.purgeSeen[n] = mark;
        releaseQuads++;
      }
      if (tas && n !== winnerNode && this.winnerSeen[n] !== mark) {
        this.winnerSeen[n] = mark;
        winnerQuads++;
      }
    }
    return Math.round(stormNs / 2) + (releaseQuads + winnerQuads) * this.cfg.handoff.remote;
  }

  /** `askedNs`: when `cpu`'s request reached the home (for an uncontended grant). */
  private grant(cpu: number, lock: number, contended: number, extraNs: number, askedNs = this.kernel.now): void {
    if (this.holder[lock] !== -1) bug(`lock ${lock} granted to CPU ${cpu} while CPU ${this.holder[lock]} holds it`);
    const prev = this.lastHolder[lock];
    this.holder[lock] = cpu;
    this.lastHolder[lock] = cpu;
    const node = this.topo.cpuNode[cpu];
    const back = this.topo.hopNs(this.homeNode(lock), node);
    let delay = back + this.lineNs(prev, cpu, lock) + extraNs;
    if (this.cfg.lineTiming === true) {
      // The hardware's acquisition takes the line's travel (and the release's purges) from the
      // moment the lock came free at its last holder's cache, or from the request when it was
      // free already; the protocol's hop back is the least the engine allows.
      const from = contended === 1 ? this.releasedAt[lock] : askedNs - this.topo.hopNs(node, this.homeNode(lock));
      delay = Math.max(back, Math.max(from, this.releasedAt[lock]) + this.lineNs(prev, cpu, lock) + extraNs - this.kernel.now);
    }
    this.kernel.send(this.topo.nodeLp[node], delay, EV_LOCK_GRANT, cpu, lock, (prev + 1) * 2 + contended);
  }

  private homeNode(lock: number): number {
    return this.cfg.homeNode[lock];
  }
}

/** What the client calls back into: the model running on the CPUs. */
export interface LockUser {
  /**
   * `cpu` now holds `lock`; `prevHolder` is the CPU that held it last (−1: nobody yet), whose
   * cache holds the lines the critical section is about to write.
   */
  lockAcquired(cpu: number, lock: number, prevHolder: number): void;
  /** `cpu`'s spin_trylock on `lock` failed. */
  lockRefused(cpu: number, lock: number): void;
}

const MAX_HELD = 4;

/**
 * The CPU side of the locks: requests, releases, and the statistics of what each CPU saw.
 * Each CPU spins on at most one lock at a time and holds at most `MAX_HELD` at once (nested
 * kernel locks), so the bookkeeping is a few typed arrays indexed by CPU.
 */
export class SpinlockClient {
  private readonly reqTime: Float64Array;
  private readonly reqLock: Int32Array;
  private readonly reqCaller: Int32Array;
  private readonly heldLock: Int32Array;
  private readonly heldCaller: Int32Array;
  private readonly heldSince: Float64Array;
  private readonly heldCount: Int32Array;

  constructor(
    private readonly kernel: Kernel,
    private readonly topo: Topology,
    private readonly cfg: LockTableConfig,
    readonly stats: LockStats,
    private readonly user: LockUser,
  ) {
    const cpus = topo.threads;
    this.reqTime = new Float64Array(cpus);
    this.reqLock = new Int32Array(cpus).fill(-1);
    this.reqCaller = new Int32Array(cpus);
    this.heldLock = new Int32Array(cpus * MAX_HELD).fill(-1);
    this.heldCaller = new Int32Array(cpus * MAX_HELD);
    this.heldSince = new Float64Array(cpus * MAX_HELD);
    this.heldCount = new Int32Array(cpus);
  }

  static handles(kind: number): boolean {
    return kind === EV_LOCK_GRANT || kind === EV_LOCK_REFUSED;
  }

  /**
   * `spin_lock` (or `spin_trylock` when `trylock`) by `cpu` from call site `caller`; on an rwsem,
   * down_write (down_write_trylock), or down_read (down_read_trylock) when `shared`.
   */
  acquire(cpu: number, lock: number, caller: number, trylock: boolean, shared = false): void {
    if (this.reqLock[cpu] !== -1) bug(`CPU ${cpu} asks for lock ${lock} while spinning on lock ${this.reqLock[cpu]}`);
    this.reqTime[cpu] = this.kernel.now;
    this.reqLock[cpu] = lock;
    this.reqCaller[cpu] = caller;
    const home = this.cfg.homeNode[lock];
    this.kernel.send(this.topo.nodeLp[home], this.topo.hopNs(this.topo.cpuNode[cpu], home), EV_LOCK_REQUEST, cpu, lock, (trylock ? 1 : 0) + (shared ? 2 : 0));
  }

  /** `spin_unlock`: records the hold and sends the release to the lock's home. */
  release(cpu: number, lock: number): void {
    const base = cpu * MAX_HELD;
    const n = this.heldCount[cpu];
    let k = n - 1;
    while (k >= 0 && this.heldLock[base + k] !== lock) k--;
    if (k < 0) bug(`CPU ${cpu} releases lock ${lock}, which it does not hold`);
    this.stats.recordHold(lock, this.heldCaller[base + k], this.kernel.now - this.heldSince[base + k]);
    // Keep the held set packed: move the last entry into the hole.
    const last = base + n - 1;
    this.heldLock[base + k] = this.heldLock[last];
    this.heldCaller[base + k] = this.heldCaller[last];
    this.heldSince[base + k] = this.heldSince[last];
    this.heldLock[last] = -1;
    this.heldCount[cpu] = n - 1;
    const home = this.cfg.homeNode[lock];
    this.kernel.send(this.topo.nodeLp[home], this.topo.hopNs(this.topo.cpuNode[cpu], home), EV_LOCK_RELEASE, cpu, lock, 0);
  }

  /** Locks `cpu` holds now. */
  heldBy(cpu: number): number {
    return this.heldCount[cpu];
  }

  handle(kind: number, cpu: number, lock: number, c: number): void {
    if (this.reqLock[cpu] !== lock) bug(`CPU ${cpu} got an answer for lock ${lock} it is not spinning on`);
    this.reqLock[cpu] = -1;
    const caller = this.reqCaller[cpu];
    if (kind === EV_LOCK_REFUSED) {
      this.stats.recordTrylockFailure(lock, caller);
      this.user.lockRefused(cpu, lock);
      return;
    }
    const contended = (c & 1) === 1;
    const prev = (c >> 1) - 1;
    const bounce = prev >= 0 && prev !== cpu;
    this.stats.recordAcquire(lock, caller, contended, this.kernel.now - this.reqTime[cpu], bounce);
    const n = this.heldCount[cpu];
    if (n >= MAX_HELD) bug(`CPU ${cpu} would hold more than ${MAX_HELD} locks`);
    const slot = cpu * MAX_HELD + n;
    this.heldLock[slot] = lock;
    this.heldCaller[slot] = caller;
    this.heldSince[slot] = this.kernel.now;
    this.heldCount[cpu] = n + 1;
    this.user.lockAcquired(cpu, lock, prev);
  }
}
