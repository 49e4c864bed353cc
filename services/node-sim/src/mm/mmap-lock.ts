/**
 * The seam for `mm->mmap_lock` (mmap_sem before 5.8), an rwsem: page faults take it for read
 * (`do_user_addr_fault`: mmap_read_lock), mmap and munmap for write. Only thread-mode workloads
 * share an mm between CPUs, so only they declare the lock; a process's own mmap_lock is
 * uncontended and charged as its atomic (lockAtomicNs) in the fault's cost.
 *
 * PLACEHOLDER until the rwsem model lands: `MmapLockPlaceholder` puts the lock on the spinlock
 * model. A reader holds it only for down_read's atomic on the count (readers do not exclude each
 * other, but their atomics serialize on the count's cache line, which is what bounces between
 * sockets); a writer holds it across its whole mmap or munmap, so readers arriving meanwhile wait
 * behind it — spinning, where the rwsem would put them to sleep. To drop the rwsem in, implement
 * `MmapLockModel` and return it from `mmapLockModel`.
 */
import type { Costs } from '@numasim/shared';

export const MMAP_LOCK_CLASS = 'mmap_lock';

export interface MmapLockModel {
  /** Name of the model, for docs and reports. */
  readonly name: string;
  /** How long a fault's mmap_read_lock holds the lock word before the fault goes on, ns (Infinity: until mmap_read_unlock). */
  readHoldNs(): number;
  /** True when a writer holds the lock across its whole operation (the fault path then never overlaps it). */
  readonly writerHoldsAcross: boolean;
}

export class MmapLockPlaceholder implements MmapLockModel {
  readonly name = 'spinlock placeholder';
  readonly writerHoldsAcross = true;
  constructor(private readonly costs: Costs) {}
  readHoldNs(): number {
    return this.costs.lockAtomicNs;
  }
}

/** The mmap_lock model the modern workloads use. */
export function mmapLockModel(costs: Costs): MmapLockModel {
  return new MmapLockPlaceholder(costs);
}
