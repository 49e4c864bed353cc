/**
 * `mm->mmap_lock` (mmap_sem before 5.8) and the locks the fault path takes beside it, for the
 * modern workloads (workloads/modern-node.ts), after Linux 6.4 arch/x86/mm/fault.c
 * do_user_addr_fault, mm/memory.c lock_vma_under_rcu and include/linux/mm.h (docs/SOURCES.md#vma-locks):
 *
 * - mmap_lock is an rwsem (locks/rwsem.ts): a fault holds it for read from mmap_read_lock to
 *   mmap_read_unlock — across the page's allocation, clearing and pte — and mmap and munmap for
 *   write. Thread mode: the tasks share one mm, so one mmap_lock, homed on node 0 (where the
 *   mm_struct was allocated: the first task runs there). Process mode: one per process, which
 *   only its own CPU takes: declared in the lock table, but its acquisitions are counted in bulk
 *   (LockStats.recordPrivate) — uncontended, its count line never leaves the CPU, and its atomics
 *   are in the fault's cost (lockAtomicNs).
 * - Per-VMA locks (`vmaLocks`, 6.4, Suren Baghdasaryan's series): the fault first tries
 *   lock_vma_under_rcu, a down_read_trylock of the VMA's own rwsem that fails while a writer has
 *   the VMA write-locked (vma_start_write under mmap_write_lock; the VMA stays write-locked until
 *   mmap_write_unlock or mmap_write_downgrade bumps mm_lock_seq). Only on failure does the fault
 *   go to mmap_read_lock (lock_mm_and_find_vma). munmap write-locks the VMA it removes; a new
 *   mapping is invisible to other tasks' faults until mmap returns, so mmap takes no VMA lock here.
 *   A VMA per task's mapping (will-it-scale: each task maps its own region; simplified: adjacent
 *   anonymous mappings are not merged), one for pft's shared region.
 * - Page-table locks (`pteLocks`, include/linux/mm.h ptlock / pte_lockptr): "mm" — every pte
 *   under the one mm->page_table_lock; "split" (USE_SPLIT_PTE_PTLOCKS, x86_64 with NR_CPUS ≥ 4)
 *   — a spinlock per page-table page (512 ptes). A task's faults touch only its own page-table
 *   pages (its own region, or its own share of pft's), so its split ptls are private: one lock
 *   row per task stands for all of them (simplified: the page-table pages at the edges of pft's
 *   shares, which two tasks may both touch, are not modelled). munmap's zap_pte_range holds the
 *   ptl across the zap of one page-table page's ptes (PTRS_PER_PTE, 512).
 */
import type { Costs } from '@numasim/shared';
import type { HandoffPolicy } from '../locks/spinlock.js';

export const MMAP_LOCK_CLASS = 'mmap_lock';
export const VMA_LOCK_CLASS = 'vma_lock';
/** The lock class of the one-per-mm page_table_lock, as the 2.4 workloads name it (VM_LOCK_ORDER). */
export const PTL_MM_CLASS = 'mm->page_table_lock';
/** The split PTE locks: ptlock_ptr(page). */
export const PTL_SPLIT_CLASS = 'ptl';

export interface MmapLockModel {
  /** Name of the model, for docs and reports. */
  readonly name: string;
  /** The lock policy the lock table gives mmap_lock. */
  readonly policy: HandoffPolicy;
  /** How long a fault's mmap_read_lock holds the lock word before the fault goes on, ns (Infinity: until mmap_read_unlock). */
  readHoldNs(): number;
  /** True when a writer holds the lock across its whole operation (the fault path then never overlaps it). */
  readonly writerHoldsAcross: boolean;
}

/** mmap_lock as the rwsem it is (locks/rwsem.ts): readers hold it across the fault. */
export class MmapLockRwsem implements MmapLockModel {
  readonly name = 'rwsem';
  readonly policy = 'rwsem';
  readonly writerHoldsAcross = true;
  readHoldNs(): number {
    return Infinity;
  }
}

/** The mmap_lock model the modern workloads use. */
export function mmapLockModel(_costs: Costs): MmapLockModel {
  return new MmapLockRwsem();
}
