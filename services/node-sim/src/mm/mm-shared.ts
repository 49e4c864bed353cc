/**
 * What every node of a memory workload reads and none writes: the machine, each node's memory
 * map, the locks of the VM with their homes, the zonelists, and the cost tables the critical
 * sections charge. Built once per run; configuration, not state (the engine's LP rule).
 *
 * Where the VM's shared structures live (Linux 2.4 on i386 discontigmem, as on NUMA-Q): the
 * global locks (`pagemap_lru_lock`, `pagecache_lock`) and the page-cache hash table are kernel
 * data in node 0's lowmem, and so is every node's `mem_map` (struct page must be in the kernel's
 * direct mapping, and only node 0 has lowmem). On x86_64 each node's `mem_map` is its own.
 */
import type { MachineConfig, MemoryLayout, VmConfig } from '@numasim/shared';
import type { Topology } from '../machine/topology.js';
import type { NodeMemory as NodeMemoryMap } from '../machine/memory-map.js';
import { LockRegistry } from '../locks/lock-registry.js';
import type { HandoffPolicy, LockTableConfig } from '../locks/spinlock.js';
import { ZONE_HIGHMEM, ZONE_NAMES, ZONE_NORMAL, type ZoneType } from './zone.js';
import { buildZonelist, type ZoneRef } from './zonelist.js';
import { lineTransferNs } from '@numasim/shared';
import { checkDirectOps } from './remote-ops.js';
import { RemoteCache } from '../machine/remote-cache.js';

/**
 * Lock classes 2.4/2.5 take with interrupts disabled (`spin_lock_irqsave`/`spin_lock_irq`): an
 * interrupt cannot land inside their holds (locks/irq-in-hold.ts). 2.4.18 mm/page_alloc.c takes
 * zone->lock with spin_lock_irqsave; 2.5's mm/swap.c and mm/vmscan.c take zone->lru_lock with
 * spin_lock_irq(save). Every other VM lock is a plain spin_lock.
 */
export const IRQSAFE_LOCK_CLASSES: readonly string[] = ['zone->lock', 'zone->lru_lock'];

export type MmConfig = MachineConfig & VmConfig & { seed: number };

/**
 * The VM's lock order, outermost first, by lock class (Linux 2.4.18; 2.5's zone->lru_lock takes
 * pagemap_lru_lock's place). A CPU holding a lock takes only locks of later classes, never two
 * of one class:
 * - kmap_high may sleep, so kmap_lock (and a per-mm pool's lock) is taken with nothing held;
 * - try_to_unuse holds mmlist_lock across unuse_process, which takes mm->page_table_lock;
 * - under page_table_lock, swap_out's try_to_swap_out adds to the swap cache (pagecache_lock) and
 *   rmap's page_add_rmap takes pagemap_lru_lock;
 * - shrink_cache holds pagemap_lru_lock while it takes pagecache_lock to drop a page;
 * - zone->lock is innermost: the buddy allocator takes nothing under it;
 * - node_lock (2.4 mm/numa.c, discontigmem without CONFIG_NUMA) is taken alone, with interrupts
 *   off, before __alloc_pages' walk: it nests with nothing (listed last).
 * The modern profile's locks (mm/mmap-lock.ts) take their places in it: mmap_lock (mmap_sem) is
 * outermost — a fault holds it for read across everything it does, mmap and munmap for write —
 * and munmap write-locks a VMA (vma_lock) under it; a fault holding its VMA's read lock takes the
 * ptl (split PTE locks, beside mm->page_table_lock), the LRU locks and zone->lock under it.
 * Checked in debug runs (locks/held-locks.ts).
 */
export const VM_LOCK_ORDER: readonly (readonly string[])[] = [
  ['mmap_lock'],
  ['vma_lock'],
  ['kmap_lock', 'mm->kmap_lock'],
  ['mmlist_lock'],
  ['mm->page_table_lock', 'ptl'],
  ['pagemap_lru_lock', 'zone->lru_lock', 'lruvec->lru_lock'],
  ['pagecache_lock'],
  ['zone->lock'],
  ['node_lock'],
];

/** Each lock's rank in VM_LOCK_ORDER (−1: a class outside it). */
export function vmLockRanks(classes: readonly string[]): Int32Array {
  return Int32Array.from(classes, (cls) => VM_LOCK_ORDER.findIndex((group) => group.includes(cls)));
}

/** Call sites the memory workloads report locks under (lockmeter's indented caller rows). */
export const MM_CALLERS = [
  'rmqueue',
  '__free_pages_ok',
  'lru_cache_add',
  'lru_cache_del',
  'activate_page',
  'page_add_rmap',
  'page_remove_rmap',
  'do_anonymous_page',
  'zap_page_range',
  'find_get_page',
  'do_generic_file_read',
  '__find_lock_page',
  'add_to_page_cache',
  'refill_inactive',
  'shrink_cache',
  'kmap_high',
  'kunmap_high',
  'do_no_page',
  'alloc_bounce_page',
  'swap_out',
  '_alloc_pages',
  'do_wp_page',
  'copy_page_range',
  // The scheduler's (sched/): 2.4 wake_up_process and schedule() under runqueue_lock, O(1)'s under rq->lock.
  'wake_up_process',
  'schedule',
] as const;
export type MmCaller = (typeof MM_CALLERS)[number];

/**
 * Cache lines a critical section writes that the previous holder of its lock wrote last, so
 * they travel from that holder's cache with the lock (the section's own page's struct page is a
 * miss charged separately). An LRU list operation (`list_add` / `list_del` on `page->lru`, and
 * `nr_inactive_pages`/`nr_active_pages`) writes the list head, the neighbouring page's struct page
 * — the page the previous holder added — and the count: three lines. A buddy operation writes the
 * free_area head; a page-cache lookup the page's reference count (the hash chain is only read).
 */
export const LINES_LRU = 3;
export const LINES_BUDDY = 1;
export const LINES_PAGECACHE = 1;

export interface MmShared {
  readonly cfg: MmConfig;
  readonly topo: Topology;
  readonly maps: readonly NodeMemoryMap[];
  /** Each lock's rank in VM_LOCK_ORDER, by lock id (−1: outside it). */
  readonly lockRank: Int32Array;
  readonly registry: LockRegistry;
  readonly locks: LockTableConfig;
  /** zonelists[localNode * nodes + rotation]: zones to try for a user page. */
  readonly zonelists: readonly ZoneRef[][];
  /** Lock ids: `zone->lock` and (2.5-zone) `zone->lru_lock` by node * 3 + zone type, −1 where none. */
  readonly zoneLock: Int32Array;
  readonly zoneLruLock: Int32Array;
  /** The global `pagemap_lru_lock` (2.4, rmap), −1 under 2.5-zone. */
  readonly pagemapLruLock: number;
  /** The global `pagecache_lock` of 2.4 (mm/filemap.c). */
  readonly pagecacheLock: number;
  /** 2.4's `mmlist_lock` (swap_out walks the mm list under it); −1 for the rmap variants, which have no swap_out. */
  readonly mmlistLock: number;
  /** 2.4 mm/numa.c's `node_lock` over the round-robin `next` node (zonelist=round-robin), −1 otherwise. */
  readonly nodeLock: number;
  /** remoteOps=direct: a CPU does another node's LRU and buddy work itself (mm/remote-ops.ts). */
  readonly directOps: boolean;
  /** `mm->page_table_lock` of the process running on each CPU. */
  readonly ptl: Int32Array;
  readonly callers: Readonly<Record<MmCaller, number>>;
  /** A cache miss by a CPU of node a on memory of node b, ns: memNs[a * nodes + b]. */
  readonly memNs: Float64Array;
  /** Node whose memory holds the struct pages of node b's frames. */
  readonly structPageNode: Int32Array;
  /** Node whose memory holds global kernel data (the locks' words, the page-cache hash). */
  readonly kernelDataNode: number;
  /** NUMA-Q's per-quad remote cache (machine/remote-cache.ts); `enabled` false without `remoteCacheMiB`. */
  readonly remoteCache: RemoteCache;
  /** 1 for each lock taken with interrupts disabled (IRQSAFE_LOCK_CLASSES), by lock id. */
  readonly lockIrqSafe: Uint8Array;
}

/**
 * Node of the struct pages of a node's frames, and of its pg_data_t and zones: node 0 wherever
 * highmem exists (lowmem only there; 2.4's i386 discontigmem puts every node's pgdat and mem_map in
 * node 0's lowmem), the node itself on x86_64.
 */
function structPageHome(layout: MemoryLayout, node: number): number {
  return layout === 'x86_64' ? node : 0;
}
const pgdatHome = structPageHome;

/**
 * The shared part of a memory workload. `extraLocks` lets a workload add its own locks before
 * the registry is frozen.
 */
export function buildMmShared(cfg: MmConfig, topo: Topology, maps: readonly NodeMemoryMap[], extraLocks?: (add: (name: string, cls: string, home: number, type?: 'rwsem') => number) => void): MmShared {
  const registry = new LockRegistry();
  const policy: HandoffPolicy[] = [];
  const homes: number[] = [];
  // `type: 'rwsem'` declares a read-write semaphore (mmap_lock): locks/rwsem.ts.
  const addLock = (name: string, cls: string, home: number, type?: 'rwsem') => {
    policy.push(type ?? cfg.spinlock);
    homes.push(home);
    return registry.addLock(name, cls, home, type);
  };
  const zoneLock = new Int32Array(cfg.nodes * 3).fill(-1);
  const zoneLruLock = new Int32Array(cfg.nodes * 3).fill(-1);
  const directOps = cfg.remoteOps === 'direct';
  if (directOps) checkDirectOps(topo);
  for (const m of maps) {
    // zone_t is part of pg_data_t: with remoteOps=direct its locks live where the pgdat does
    // (node 0's lowmem on i386 NUMA-Q, the node itself on x86_64); the message model keeps them on the node.
    const home = directOps ? pgdatHome(cfg.layout, m.node) : m.node;
    for (const z of m.zones) {
      const where = `node${m.node}/${ZONE_NAMES[z.type]}`;
      zoneLock[m.node * 3 + z.type] = addLock(`zone->lock[${where}]`, 'zone->lock', home);
      if (cfg.lru === '2.5-zone') zoneLruLock[m.node * 3 + z.type] = addLock(`zone->lru_lock[${where}]`, 'zone->lru_lock', home);
    }
  }
  const kernelDataNode = 0;
  const pagemapLruLock = cfg.lru === '2.5-zone' ? -1 : addLock('pagemap_lru_lock', 'pagemap_lru_lock', kernelDataNode);
  const pagecacheLock = addLock('pagecache_lock', 'pagecache_lock', kernelDataNode);
  const ptl = Int32Array.from({ length: topo.cpus }, (_, c) => addLock(`mm->page_table_lock[cpu${c}]`, 'mm->page_table_lock', topo.cpuNode[c]));
  extraLocks?.(addLock);
  const mmlistLock = cfg.lru === '2.4' ? addLock('mmlist_lock', 'mmlist_lock', kernelDataNode) : -1;
  const nodeLock = cfg.zonelist === 'round-robin' ? addLock('node_lock', 'node_lock', kernelDataNode) : -1;
  const callers = Object.fromEntries(MM_CALLERS.map((name) => [name, registry.caller(name)])) as Record<MmCaller, number>;
  registry.freeze();

  const highest: ZoneType = cfg.layout === 'x86_64' ? ZONE_NORMAL : ZONE_HIGHMEM;
  const has = (node: number, type: ZoneType) => maps[node].zones.some((z) => z.type === type);
  const zonelists: ZoneRef[][] = [];
  for (let local = 0; local < cfg.nodes; local++) {
    for (let r = 0; r < cfg.nodes; r++) zonelists.push(buildZonelist(cfg.zonelist, local, highest, cfg.distances, has, r).zones);
  }
  const n = cfg.nodes;
  const memNs = new Float64Array(n * n);
  const memCosts = { ...cfg.costs, lineSameNodeNs: cfg.costs.memLocalNs, lineRemoteNs: cfg.costs.memRemoteNs };
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) memNs[a * n + b] = lineTransferNs(memCosts, cfg.distances[a][b]);
  const remoteCache = new RemoteCache(cfg, memNs);
  return {
    cfg,
    topo,
    maps,
    registry,
    lockRank: vmLockRanks(registry.classes),
    locks: {
      policy,
      homeNode: homes,
      tasLocalBias: cfg.tasLocalBias,
      tasStorm: cfg.tasStorm,
      sciPurge: cfg.coherence === 'sci',
      cnaThresholdNs: cfg.cnaThresholdNs,
      handoff: { sameCpu: 0, sameNode: cfg.costs.lineSameNodeNs, remote: cfg.costs.lineRemoteNs, sameCore: cfg.costs.lineSameCoreNs },
      lineTiming: cfg.lockLineTiming === true,
      remoteDirtyNs: remoteCache.enabled ? remoteCache.dirtyNs : undefined,
    },
    zonelists,
    zoneLock,
    zoneLruLock,
    pagemapLruLock,
    pagecacheLock,
    mmlistLock,
    nodeLock,
    directOps,
    ptl,
    callers,
    memNs,
    structPageNode: Int32Array.from({ length: n }, (_, b) => structPageHome(cfg.layout, b)),
    kernelDataNode,
    remoteCache,
    lockIrqSafe: Uint8Array.from(registry.classes, (cls) => (IRQSAFE_LOCK_CLASSES.includes(cls) ? 1 : 0)),
  };
}
