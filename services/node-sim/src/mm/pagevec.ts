/**
 * Per-CPU pagevecs, after Linux 2.5.31 mm/swap.c (`pagevec_add`, `__pagevec_lru_add`,
 * `release_pages`, `lru_add_drain`): on the 2.4.18 base a knob (`pagevec`), not a kernel feature.
 * LRU additions and removals wait in the CPU's pagevec and go to the lists PAGEVEC_SIZE pages per
 * lock acquisition; pages leaving go back to the buddy allocator one by one after the group.
 *
 * Locking rule: each group of consecutive pages that share an LRU lock (all of them under 2.4's
 * global `pagemap_lru_lock`; per zone under 2.5's `zone->lru_lock`) is moved under one hold of it;
 * a page of another node is moved by a message to its node while the lock is held (pattern 1 of
 * docs/MEMORY-MODEL.md), and the lock is released once every answer is back. Under
 * remoteOps=direct (remote-ops.ts) those changes are posted: the hold is the CPU's own accesses
 * to every page of the group (known here), and the lock goes back without waiting for anything.
 *
 * Left out: the page count (`put_page_testzero`) release_pages checks; the cold/hot split.
 */
import { invariant } from '../errors.js';
import { EV_OP, OP_LRU_ADD, PAGEVEC_SIZE, P_DRAIN, P_DRAIN_RELEASE, P_DRAIN_WAIT, P_FREE_PV } from './mm-protocol.js';
import { ZONE_NORMAL } from './zone.js';
import type { NodeCore } from './node-services.js';
import { EV_OP_POSTED } from './remote-ops.js';

export class Pagevecs {
  /** Per CPU index: pages held, what they wait for (OP_LRU_ADD or OP_LRU_DEL), and the drain's place. */
  readonly count: Int32Array;
  readonly op: Int32Array;
  /** [i * PAGEVEC_SIZE + j]: each page's node and node-local frame. */
  private readonly pageNode: Int32Array;
  private readonly pageFrame: Int32Array;
  private readonly done: Int32Array;
  private readonly end: Int32Array;
  private readonly nextFree: Int32Array;
  private readonly cont: Int32Array;

  constructor(
    private readonly lp: NodeCore,
    threads: number,
  ) {
    this.count = new Int32Array(threads);
    this.op = new Int32Array(threads);
    this.pageNode = new Int32Array(threads * PAGEVEC_SIZE);
    this.pageFrame = new Int32Array(threads * PAGEVEC_SIZE);
    this.done = new Int32Array(threads);
    this.end = new Int32Array(threads);
    this.nextFree = new Int32Array(threads);
    this.cont = new Int32Array(threads);
  }

  /** pagevec_add: returns true when the pagevec is now full. */
  push(i: number, op: number, node: number, frame: number): boolean {
    const j = i * PAGEVEC_SIZE + this.count[i]++;
    this.op[i] = op;
    this.pageNode[j] = node;
    this.pageFrame[j] = frame;
    return this.count[i] === PAGEVEC_SIZE;
  }

  /** Empties CPU index `i`'s pagevec as `op`, then its program goes on at `next`. */
  startDrain(i: number, op: number, next: number): void {
    this.op[i] = op;
    this.done[i] = 0;
    this.nextFree[i] = 0;
    this.cont[i] = next;
    this.lp.prog[i] = P_DRAIN;
  }

  /**
   * The next group of pages that share an LRU lock: ask for its lock. Returns true when the drain
   * is over and the program goes on (removals then go back to the buddy allocator page by page).
   */
  drain(i: number, cpu: number): boolean {
    const lp = this.lp;
    const base = i * PAGEVEC_SIZE;
    if (this.done[i] >= this.count[i]) {
      if (this.op[i] === OP_LRU_ADD) {
        this.count[i] = 0;
        lp.prog[i] = this.cont[i];
      } else {
        this.nextFree[i] = 0;
        lp.prog[i] = P_FREE_PV;
      }
      return true;
    }
    const lock = lp.lruLockOf(this.pageNode[base + this.done[i]], this.pageFrame[base + this.done[i]]);
    let end = this.done[i] + 1;
    while (end < this.count[i] && lp.lruLockOf(this.pageNode[base + end], this.pageFrame[base + end]) === lock) end++;
    this.end[i] = end;
    lp.prog[i] = P_DRAIN_WAIT;
    lp.acquireFor(i, cpu, lock, this.op[i] === OP_LRU_ADD ? lp.s.callers.lru_cache_add : lp.s.callers.lru_cache_del);
    return false;
  }

  /** With the group's lock held: every page's list operation, here or by message to its node. */
  locked(i: number, cpu: number, carriedNs: number): void {
    const lp = this.lp;
    const s = lp.s;
    const base = i * PAGEVEC_SIZE;
    // remoteOps=direct: the CPU moves another node's pages itself; each change is posted (remote-ops.ts).
    const posted = s.directOps ? EV_OP_POSTED : 0;
    let remote = 0;
    let hold = carriedNs;
    for (let j = this.done[i]; j < this.end[i]; j++) {
      const node = this.pageNode[base + j];
      const frame = this.pageFrame[base + j];
      hold += s.cfg.costs.lruListOpNs + lp.structPageNs(node);
      if (node === lp.node) lp.applyOp(this.op[i], ZONE_NORMAL, frame);
      else {
        remote++;
        lp.kernel.send(s.topo.nodeLp[node], s.topo.hopNs(lp.node, node), EV_OP, cpu, this.op[i] | posted, frame);
      }
    }
    invariant(posted === 0 || hold > 0, `CPU ${cpu}: a drain with posted changes needs a hold longer than zero to stay ordered`);
    lp.holdUnderLock(i, cpu, hold, posted === 0 ? remote : 0, P_DRAIN_RELEASE);
  }

  /** The group's lock is released: on to the next group. */
  groupDone(i: number): void {
    this.done[i] = this.end[i];
    this.lp.prog[i] = P_DRAIN;
  }

  /** release_pages' second half: the next page back to the buddy allocator; false when none is left. */
  freeNext(i: number, cpu: number): boolean {
    const j = this.nextFree[i]++;
    if (j < this.count[i]) {
      const b = i * PAGEVEC_SIZE + j;
      this.lp.freePage(i, cpu, this.pageNode[b], this.pageFrame[b], P_FREE_PV);
      return true;
    }
    this.count[i] = 0;
    this.lp.prog[i] = this.cont[i];
    return false;
  }
}
