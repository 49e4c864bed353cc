/**
 * The spinlocks each CPU of a node holds (or is spinning for), as a stack: a CPU may hold several,
 * taken in the lock order of the kernel it models. The order is given as a rank per lock (lower:
 * outer; −1: a lock outside the order, never checked); with checking on (debug runs:
 * RunOptions.debug, kernel.debug), taking a lock whose rank is not above every lock the CPU already holds is a
 * bug(): a deadlock the kernel's order exists to rule out.
 *
 * Follows no kernel source: the kernel keeps no such record (lockdep, which checks the same rule,
 * came with 2.6.17).
 */
import { bug } from '../errors.js';

/** Locks one CPU may hold at once (the 2.4 VM nests at most four: mmlist_lock … zone->lock). */
export const MAX_HELD = 8;

export class HeldLocks {
  /** [i * MAX_HELD + k]: the k-th lock CPU index `i` took, outermost first. */
  private readonly stack: Int32Array;
  readonly depth: Int32Array;

  constructor(
    threads: number,
    /** Rank of each lock id in the lock order; −1 for a lock the order does not cover. */
    private readonly rank: Int32Array,
    private readonly names: readonly string[],
    private readonly check: boolean,
  ) {
    this.stack = new Int32Array(threads * MAX_HELD);
    this.depth = new Int32Array(threads);
  }

  /** CPU index `i` (CPU `cpu`) asks for `lock`. */
  take(i: number, cpu: number, lock: number): void {
    const d = this.depth[i];
    if (d === MAX_HELD) bug(`CPU ${cpu} holds ${MAX_HELD} locks and asks for ${this.names[lock]}`);
    if (this.check) {
      const r = this.rank[lock];
      for (let k = 0; k < d; k++) {
        const held = this.stack[i * MAX_HELD + k];
        if (held === lock) bug(`CPU ${cpu} asks for ${this.names[lock]}, which it already holds`);
        if (r >= 0 && this.rank[held] >= r) bug(`CPU ${cpu} asks for ${this.names[lock]} while holding ${this.names[held]}: out of the lock order`);
      }
    }
    this.stack[i * MAX_HELD + d] = lock;
    this.depth[i] = d + 1;
  }

  /** CPU index `i` releases `lock` (not necessarily its innermost). */
  drop(i: number, cpu: number, lock: number): void {
    const base = i * MAX_HELD;
    for (let k = this.depth[i] - 1; k >= 0; k--) {
      if (this.stack[base + k] !== lock) continue;
      for (let j = k + 1; j < this.depth[i]; j++) this.stack[base + j - 1] = this.stack[base + j];
      this.depth[i]--;
      return;
    }
    bug(`CPU ${cpu} releases ${this.names[lock]}, which it does not hold`);
  }
}
