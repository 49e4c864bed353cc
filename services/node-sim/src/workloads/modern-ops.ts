/**
 * The modern node's page phases and lock operations (workloads/modern-node.ts), with the kernel
 * function each operation is (its caller name in the lock table) and, for rwsem call sites, its
 * mode: numbers shared by the node, its read-only tables (modern-shared.ts) and the drivers.
 */
/** Page phases. */
export const PH_IDLE = 0;
export const PH_FAULT = 1;
export const PH_COW = 2;
export const PH_READ = 3;
export const PH_REREAD = 4;
export const PH_UNMAP = 5;
export const PH_USER = 6;
export const PH_MMAP = 7;

/** Lock operations, each a kernel function (its caller name in the lock table). */
export const OP_NONE = 0;
export const OP_REFILL = 1; // rmqueue_bulk
export const OP_DRAIN = 2; // free_pcppages_bulk
export const OP_LRU_ADD = 3; // folio_batch_move_lru (lru_add)
export const OP_LRU_RELEASE = 4; // release_pages
export const OP_ACTIVATE = 5; // folio_batch_move_lru (activate)
export const OP_MMAP_READ = 6; // do_user_addr_fault: mmap_read_lock
export const OP_MMAP_MAP = 7; // do_mmap: mmap_write_lock
export const OP_MMAP_UNMAP = 8; // __vm_munmap: mmap_write_lock, held across the unmap
export const OP_VMA_READ = 9; // lock_vma_under_rcu: down_read_trylock of the VMA's lock
export const OP_VMA_WRITE = 10; // vma_start_write (munmap), under mmap_write_lock
export const OP_PTL = 11; // do_anonymous_page / do_cow_fault: pte_offset_map_lock on a shared page_table_lock
export const OP_PTL_COW = 12;
export const OP_PTL_ZAP = 13; // zap_pte_range: the ptl held across the zap of one page-table page's ptes
export const OP_SHRINK_ACTIVE = 14; // shrink_active_list: isolate from the active tail
export const OP_SHRINK_ACTIVE_PUT = 15; // shrink_active_list: move the isolated folios to the inactive list
export const OP_SHRINK_INACTIVE = 16; // shrink_inactive_list: isolate from the inactive tail (isolate_lru_folios)
export const OP_SHRINK_INACTIVE_PUT = 17; // shrink_inactive_list: move_folios_to_lru of the kept folios, the reclaim statistics

/** ptes per page-table page on x86_64 (PTRS_PER_PTE): zap_pte_range takes the ptl once per such page. */
export const PTRS_PER_PTE = 512;

/** Caller names of the lock operations, by op number (index 0 unused). */
export const OP_CALLERS = [
  '',
  'rmqueue_bulk',
  'free_pcppages_bulk',
  'lru_add',
  'release_pages',
  'folio_activate',
  'mmap_read_lock (fault)',
  'mmap_write_lock (mmap)',
  'mmap_write_lock (munmap)',
  'lock_vma_under_rcu',
  'vma_start_write (munmap)',
  'do_anonymous_page',
  'do_cow_fault',
  'zap_pte_range',
  'shrink_active_list',
  'shrink_active_list',
  'shrink_inactive_list',
  'shrink_inactive_list',
];
/** rwsem call sites' modes (perf lock contention's rwsem:R / rwsem:W), by op number. */
export const OP_MODES: readonly ('R' | 'W' | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined, 'R', 'W', 'W', 'R', 'W', undefined, undefined, undefined, undefined, undefined, undefined, undefined];
export const OP_COUNT = OP_CALLERS.length;
