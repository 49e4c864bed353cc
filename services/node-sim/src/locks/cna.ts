/**
 * CNA, the compact NUMA-aware lock: the queue ordering that the CNA patch series puts into
 * qspinlock's slow path (Alex Kogan, Dave Dice et al., "Add NUMA-awareness to qspinlock",
 * v15, kernel/locking/qspinlock_cna.h, May 2021; docs/SOURCES.md#cna). Never merged.
 *
 * The MCS queue is split in two: the main queue, filtered down to waiters on one preferred NUMA
 * node, and a secondary queue of the remote waiters taken out of it. The MCS head, while it waits
 * for the lock word (cna_wait_head_or_lock), looks at its successor: a successor on another node
 * that has a successor of its own moves to the secondary queue's tail (cna_order_queue — never
 * the main queue's tail, which a new arrival may be linking onto), until the successor is local.
 * When it takes the lock it passes the MCS lock to its successor, which inherits the preferred
 * node while the secondary queue is not empty (cna_lock_handoff). The secondary queue goes back
 * in front of the main queue when the main queue has nobody left (cna_try_clear_tail), or when the
 * waiter at its head has waited longer than `numa_spinlock_threshold_ns` (default 1 ms, the
 * series' v15 starvation avoidance): that flush moves the preference to that waiter's node.
 * While the secondary queue is empty the head skips the ordering with probability 1 − 2^−7 (the
 * shuffle-reduction optimization, SHUFFLE_REDUCTION_PROB_ARG 7), so a lightly contended lock
 * stays FIFO.
 *
 * Simplifications: the ordering runs to completion at the moment the head takes the lock (the
 * kernel interleaves it with spinning, and stops when the lock frees); its reads of the other
 * waiters' queue nodes are not charged (they overlap the holder's critical section); no
 * priority waiters (irq / RT context, CNA_PRIORITY_NODE) — every model CPU runs in task context.
 *
 * This file holds the queue surgery as plain functions over the queue arrays of
 * `QueuedSpinlockHome` (locks/qspinlock.ts), which calls them at each hand-off.
 */
import type { Rng } from '../engine/rng.js';

/** numa_spinlock_threshold_ns's default in v15 of the series (1 ms). */
export const CNA_THRESHOLD_NS = 1_000_000;
/** SHUFFLE_REDUCTION_PROB_ARG: skip the ordering with probability 1 − 1/2^7 while the secondary queue is empty. */
export const CNA_SHUFFLE_REDUCTION_BITS = 7;

/** The queues of the locks homed on one LP: singly linked lists through `next[cpu]` (a CPU waits on one lock at a time). */
export interface CnaQueues {
  readonly next: Int32Array;
  readonly head: Int32Array;
  readonly tail: Int32Array;
  readonly secHead: Int32Array;
  readonly secTail: Int32Array;
  /** Node the main queue prefers (inherited by each new MCS head while the secondary queue is not empty), or −1: the head's own. */
  readonly preferred: Int32Array;
  /** When the secondary queue was created (cn->start_time), home time. */
  readonly secSince: Float64Array;
}

/**
 * The new holder `holder` (just taken off the main queue's head) orders what follows it and
 * picks the next MCS head. `now` is home time. Returns nothing: the queues are updated in place
 * (`head[lock]` is the next MCS head, if any).
 */
export function cnaOrderOnAcquire(
  q: CnaQueues,
  lock: number,
  holder: number,
  cpuNode: Int32Array,
  now: number,
  thresholdNs: number,
  rng: Rng,
): void {
  const pref = q.preferred[lock] >= 0 ? q.preferred[lock] : cpuNode[holder];
  const secEmpty = q.secHead[lock] < 0;
  if (!secEmpty && now - q.secSince[lock] > thresholdNs) {
    // Starvation avoidance: the secondary queue goes in front; its head's node is preferred now.
    spliceSecondaryFirst(q, lock);
    q.preferred[lock] = -1;
    return;
  }
  // Shuffle reduction: with an empty secondary queue, order only once in 2^7 hand-offs.
  const order = !secEmpty || (rng.nextInt(1 << CNA_SHUFFLE_REDUCTION_BITS) === 0);
  if (order) {
    for (let m = q.head[lock]; m >= 0 && cpuNode[m] !== pref; m = q.head[lock]) {
      const after = q.next[m];
      if (after < 0) break; // never move the main queue's tail
      q.head[lock] = after;
      q.next[m] = -1;
      if (q.secHead[lock] < 0) {
        q.secHead[lock] = m;
        q.secSince[lock] = now;
      } else q.next[q.secTail[lock]] = m;
      q.secTail[lock] = m;
    }
  }
  if (q.head[lock] < 0 && q.secHead[lock] >= 0) {
    // cna_try_clear_tail: nobody left in the main queue; the secondary queue becomes it.
    spliceSecondaryFirst(q, lock);
    q.preferred[lock] = -1;
    return;
  }
  q.preferred[lock] = q.secHead[lock] >= 0 ? pref : -1;
}

/** Puts the secondary queue in front of the main queue and empties it. */
function spliceSecondaryFirst(q: CnaQueues, lock: number): void {
  const sh = q.secHead[lock];
  if (sh < 0) return;
  q.next[q.secTail[lock]] = q.head[lock];
  if (q.head[lock] < 0) q.tail[lock] = q.secTail[lock];
  q.head[lock] = sh;
  q.secHead[lock] = -1;
  q.secTail[lock] = -1;
  q.secSince[lock] = 0;
}
