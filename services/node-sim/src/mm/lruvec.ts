/**
 * LRU vectors and their locks, after Linux 5.11+ mm/swap.c and mm/memcontrol.c: each memory
 * cgroup has a `struct lruvec` per node, and since Alex Shi's series (5.11) each lruvec its own
 * `lru_lock`; before that (4.8–5.10) one `pgdat->lru_lock` per node covered every memcg's lists.
 * Folios reach the lists through per-CPU batches (`folio_batch`, PAGEVEC_SIZE = 15 folios in
 * 5.x/6.x): `folio_add_lru` fills the CPU's lru_add batch and `folio_batch_move_lru` adds the
 * whole batch under one lock hold; `folio_activate` batches the same way; `release_pages` (munmap,
 * truncation) takes the lock once per `lruReleaseBatch` folios (SWAP_CLUSTER_MAX lock_batch).
 *
 * Locking rule (as in the kernel): a batch is its CPU's own; a list and its counts only under its
 * lruvec's lock. Pages are allocated on their CPU's node, so a CPU's batches only ever hold its
 * node's folios, and every LRU lock a CPU takes is homed on its own node.
 *
 * Simplified: counts, not lists. Reclaim's lists and isolation are mm/vmscan-modern.ts'.
 */
import type { LockRegistry } from '../locks/lock-registry.js';
import type { LruLockMode } from '@numasim/shared';

export const LRU_LOCK_CLASS = 'lruvec->lru_lock';

/** Declares the LRU locks: one per node (per-node) or one per memcg per node (per-memcg). Returns lock ids by `lockIndex`. */
export function declareLruLocks(registry: LockRegistry, mode: LruLockMode, nodes: number, containers: number): Int32Array {
  const perNode = mode === 'per-node' ? 1 : containers;
  const ids = new Int32Array(nodes * perNode);
  for (let n = 0; n < nodes; n++) {
    for (let m = 0; m < perNode; m++) {
      const name = mode === 'per-node' ? `pgdat->lru_lock[node ${n}]` : containers === 1 ? `lruvec->lru_lock[node ${n}]` : `lruvec->lru_lock[memcg ${m}, node ${n}]`;
      ids[n * perNode + m] = registry.addLock(name, LRU_LOCK_CLASS, n);
    }
  }
  return ids;
}

/** The lock of memcg `memcg`'s lruvec on `node` (ids from declareLruLocks). */
export function lruLockOf(ids: Int32Array, mode: LruLockMode, containers: number, node: number, memcg: number): number {
  return mode === 'per-node' ? ids[node] : ids[node * containers + memcg];
}

/** The per-CPU folio batches of one node's CPUs: folios waiting to be added, activated or released. */
export class LruBatches {
  readonly add: Int32Array;
  readonly activate: Int32Array;
  readonly release: Int32Array;

  constructor(cpus: number) {
    this.add = new Int32Array(cpus);
    this.activate = new Int32Array(cpus);
    this.release = new Int32Array(cpus);
  }
}
