/**
 * The modern kernel's memory-model knobs (x86_64, Linux 4.16 … 6.x), shared by the modern workload
 * kinds (workload/modern.ts): per-CPU page lists in front of `zone->lock`, order-0 merging on free,
 * split zones, the LRU lock's granularity and memory cgroups; and the few costs the modern paths
 * charge that the 2002 cost model (`costs`, workload/machine.ts) has no field for. They live in
 * their own object, `mmCosts`, so the 2.4/2.5 kinds' configurations (and their hashes) stay as
 * they were. Sources: docs/SOURCES.md#modern.
 */
import { Type } from '@sinclair/typebox';
import { closedObject, nanoseconds } from './schema-kit.js';

/** `lruLock` values: pgdat->lru_lock (4.8–5.10) or lruvec->lru_lock, one per memcg per node (5.11, Alex Shi). */
export const LRU_LOCK_MODES = ['per-node', 'per-memcg'] as const;
export type LruLockMode = (typeof LRU_LOCK_MODES)[number];

/** Most zone instances a node's ZONE_NORMAL may be split into (the 2023 RFC made one per ~256 GB). */
export const MAX_ZONE_INSTANCES = 16;
/** Most memory cgroups a modern workload may run its tasks in. */
export const MAX_CONTAINERS = 256;

const ns = (def: number, description: string) => nanoseconds({ maximum: 1e9, default: def, description });

/**
 * Costs of the modern paths (A = assumption, argued in docs/SOURCES.md#modern):
 * - buddyPageNs 20 (A): instructions of __rmqueue_smallest / __free_one_page per order-0 page
 *   besides its struct page cache misses, which are charged at the machine's memLocalNs (Aaron Lu,
 *   Mar 2018: the struct page misses are the most time-consuming part under zone->lock).
 * - mergeMissesPerFree 2 (A): struct page misses of order-0 merging per freed page: the buddy's
 *   struct page is read at every order the walk reaches, and the walk stops at the first order
 *   whose buddy is not free — with even odds at every order, two reads on average.
 * - lruPageNs 30 (A): one folio's list_add / list_del and its lruvec statistics under the LRU lock,
 *   besides a miss on the list neighbour's struct page on removal (memLocalNs).
 * - zapPageNs 100 (A): zap_pte_range's work per present pte (clear, rmap, refcount, mmu_gather).
 */
export const MmCostsSpec = closedObject(
  {
    buddyPageNs: ns(20, 'buddy list work per order-0 page under zone->lock, besides struct page misses, ns'),
    mergeMissesPerFree: Type.Number({ minimum: 0, maximum: 16, default: 2, description: 'struct page cache misses of order-0 merging per freed page (mergeOnFree)' }),
    lruPageNs: ns(30, 'one folio added to or removed from an LRU list under the LRU lock, ns'),
    zapPageNs: ns(100, 'zap_pte_range work per present pte on munmap, ns'),
  },
  { default: {}, description: 'Costs of the modern memory paths, ns (the machine costs apply besides).' },
);

export interface MmCosts {
  buddyPageNs: number;
  mergeMissesPerFree: number;
  lruPageNs: number;
  zapPageNs: number;
}

export const modernMmProperties = {
  pcpBatch: Type.Integer({
    minimum: 0,
    maximum: 4096,
    default: 0,
    description: 'pages moved between a per-CPU list and the zone per zone->lock hold; 0: the kernel\'s zone_batchsize() for the zone (31 on 4.16 for zones over 512 MiB, 63 from 5.x)',
  }),
  pcpHigh: Type.Union([Type.Integer({ minimum: 0, maximum: 1 << 20 }), Type.Literal('auto')], {
    default: 0,
    description: 'per-CPU list high mark: past it a free drains a batch to the zone. 0: the era\'s default (6 × batch); "auto": the 2023 auto-tuning (raised by a batch on every refill, decayed by 1/8 every second, between high_min and high_max)',
  }),
  kernelEra: Type.Union([Type.Literal('4.16'), Type.Literal('6.6')], {
    default: '6.6',
    description: 'which kernel\'s defaults fill pcpBatch=0 and pcpHigh=0: "4.16" (batch 31, high 6 × batch) or "6.6" (batch 63, high from the low watermark)',
  }),
  mergeOnFree: Type.Boolean({ default: true, description: 'free_pcppages_bulk merges each order-0 page with its buddies under zone->lock (false: Aaron Lu\'s 2018 skip-merge RFC)' }),
  zoneInstances: Type.Integer({ minimum: 1, maximum: MAX_ZONE_INSTANCES, default: 1, description: 'ZONE_NORMAL of each node as N instances, each with its own zone->lock; CPUs spread over them (2023 split-zones RFC)' }),
  lruLock: Type.Union(
    LRU_LOCK_MODES.map((m) => Type.Literal(m)),
    { default: 'per-memcg', description: '"per-node": one pgdat->lru_lock per node (4.8–5.10); "per-memcg": lruvec->lru_lock, one per memory cgroup per node (5.11)' },
  ),
  lruBatch: Type.Integer({ minimum: 1, maximum: 64, default: 15, description: 'folios per per-CPU lru_add / activate batch (PAGEVEC_SIZE 15 in 5.x/6.x)' }),
  lruReleaseBatch: Type.Integer({ minimum: 1, maximum: 512, default: 32, description: 'folios release_pages frees per LRU lock hold on munmap (SWAP_CLUSTER_MAX lock_batch)' }),
  containers: Type.Integer({ minimum: 1, maximum: MAX_CONTAINERS, default: 1, description: 'memory cgroups the tasks run in, tasks spread round-robin; each has its own lruvec per node' }),
  vmaLocks: Type.Boolean({
    default: false,
    description:
      'per-VMA locks (6.4+): a fault read-locks its VMA (lock_vma_under_rcu) and takes mmap_lock only when that fails — the VMA write-locked by an mmap or munmap under way',
  }),
  pteLocks: Type.Union([Type.Literal('mm'), Type.Literal('split')], {
    default: 'split',
    description: '"split": a ptl per page-table page (USE_SPLIT_PTE_PTLOCKS, x86_64 since 2.6.15); "mm": one mm->page_table_lock per mm for every pte',
  }),
  mmCosts: MmCostsSpec,
};

export interface ModernMmConfig {
  pcpBatch: number;
  pcpHigh: number | 'auto';
  kernelEra: '4.16' | '6.6';
  mergeOnFree: boolean;
  zoneInstances: number;
  lruLock: LruLockMode;
  lruBatch: number;
  lruReleaseBatch: number;
  containers: number;
  vmaLocks: boolean;
  pteLocks: 'mm' | 'split';
  mmCosts: MmCosts;
}
