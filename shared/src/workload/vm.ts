/**
 * The kernel VM knobs users sweep: which LRU design, pagevec batching, and the zonelist policy.
 * Flat keys, so `--set lru=2.5-zone` works; shared by every memory workload.
 */
import { Type } from '@sinclair/typebox';
import { highmemProperties, type HighmemConfig } from './highmem.js';
import { taskAreaProperties, type TaskAreaConfig } from './task-area.js';
import { layoutProperties, type LayoutConfig } from './layout.js';

export const LRU_VARIANTS = ['2.4', 'rmap', '2.5-zone'] as const;
export type LruVariant = (typeof LRU_VARIANTS)[number];
export const ZONELIST_POLICIES = ['numa-local', 'round-robin', 'zone-major', 'primary-fallback'] as const;
export type ZonelistPolicyName = (typeof ZONELIST_POLICIES)[number];

export const vmProperties = {
  lru: Type.Union(
    LRU_VARIANTS.map((v) => Type.Literal(v)),
    {
      default: '2.4',
      description:
        '"2.4": one global pagemap_lru_lock over the LRU lists; "rmap": the same lock also guards every page_add_rmap/page_remove_rmap (the -rmap VM of 2002); ' +
        '"2.5-zone": per-zone lists under per-zone zone->lru_lock (2.5.31)',
    },
  ),
  pagevec: Type.Boolean({ default: false, description: 'batch LRU additions and removals 16 pages at a time per CPU (2.5.31 struct pagevec)' }),
  spinlock: Type.Union([Type.Literal('tas'), Type.Literal('ticket'), Type.Literal('qspinlock'), Type.Literal('cna')], {
    default: 'tas',
    description:
      'kernel spinlocks: "tas" (i386 2.4/2.5: test-and-set, unfair), "ticket" (FIFO, as 2.6.25 made them), "qspinlock" (MCS queued spinlock, 4.2+) ' +
      'or "cna" (qspinlock with the compact NUMA-aware queue of the CNA series)',
  }),
  cnaThresholdNs: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1e10, description: 'cna: numa_spinlock_threshold_ns; default 1000000 (1 ms)' }),
  ),
  tasLocalBias: Type.Number({ minimum: 0, maximum: 1, default: 0, description: 'tas: probability that a release goes to a waiter on the releasing CPU\'s node when one spins there' }),
  tasStorm: Type.Boolean({
    default: true,
    description: 'tas: a release sets off every spinner\'s locked decrement, serialized on the line; the winner waits behind half of the others on average (Anderson 1990)',
  }),
  lockLineTiming: Type.Optional(
    Type.Boolean({
      description:
        'time lock acquisitions as the hardware does: the lock line travels from its last holder\'s cache (the grant never sooner than the protocol\'s messages allow), ' +
        'and a test-and-set releaser that retakes the lock before the first spinner\'s read of the freed line is back wins it; absent: the home-node protocol\'s costs',
    }),
  ),
  irqHz: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 10_000,
      description: 'model interrupts inside lock holds: each CPU\'s local timer ticks this many times a second (2.4 i386: HZ=100), and a tick inside a hold of a lock taken without irqsave lengthens it by costs.timerIrqNs; absent: no interrupts',
    }),
  ),
  irqDevicePerSec: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: 1e6,
      description: 'with irqHz: device interrupts (disk completions, IPIs) per CPU per second, Poisson arrivals; each inside a non-irqsave hold lengthens it by costs.deviceIrqNs',
    }),
  ),
  directReclaim: Type.Boolean({
    default: true,
    description:
      'an allocation that fails every pass runs try_to_free_pages itself (2.4 __alloc_pages: shrink_cache and refill_inactive as the allocating task, taking the LRU lock), ' +
      'then tries again; false: it waits for kswapd',
  }),
  kswapd: Type.Union([Type.Literal('per-node'), Type.Literal('global')], {
    default: 'per-node',
    description:
      '"per-node": a kswapd per node balancing its own zones (2.5: one per pgdat); "global": one kswapd, on node 0, ' +
      'balancing every node\'s zones in the order they fell below pages_low (2.4\'s single kswapd looping over the pgdats)',
  }),
  coherence: Type.Union([Type.Literal('snoop'), Type.Literal('sci')], {
    default: 'snoop',
    description:
      'how a write reaches the other caches holding its line: "snoop" — invalidated at once; "sci" — NUMA-Q\'s SCI sharing lists (IEEE 1596): ' +
      'the writer purges the sharing quads one after another, a remote transaction each, so releasing a lock that other quads spin on costs a line transfer per such quad',
  }),
  zonelist: Type.Union(
    ZONELIST_POLICIES.map((v) => Type.Literal(v)),
    { default: 'numa-local', description: 'zone fallback order: numa-local (2.4 CONFIG_NUMA), round-robin (discontigmem), zone-major (2.5.25), primary-fallback (Rik\'s two-zone idea)' },
  ),
  ...highmemProperties,
  ...taskAreaProperties,
  ...layoutProperties,
  // Knobs of the faithful 2.4.18 model, off by default (absent: false) so that every report made without them stays as it was.
  reclaimNesting: Type.Optional(
    Type.Boolean({
      description:
        'shrink_cache nests as 2.4.18 mm/vmscan.c does: every page it frees leaves the page cache under pagecache_lock and goes back to the buddy allocator under zone->lock ' +
        'while pagemap_lru_lock is still held (lru 2.4 and rmap; 2.5-zone frees after dropping zone->lru_lock); false (default): the locks are taken one after another',
    }),
  ),
  forkCow: Type.Optional(
    Type.Boolean({
      description:
        'fork copies the parent\'s ptes (2.4.18 copy_page_range: anonymous pages write-protected, page counts raised; under rmap a page_add_rmap per pte), the child ' +
        'copy-on-write faults the pages it writes before exec (do_wp_page), and exec drops the copied mm (a page_remove_rmap per pte under rmap); programs map their own ' +
        'text (shared by every live process running them), and rmap keeps pte_chains: a global freelist refilled a page at a time and a linear walk in page_remove_rmap; false (default): fork copies page tables only',
    }),
  ),
  cowFaultsBeforeExec: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 1 << 16, description: 'forkCow: parent pages a child writes between fork and exec, each a COW fault (default 2: its stack page and one data page)' }),
  ),
};

export interface VmConfig extends HighmemConfig, TaskAreaConfig, LayoutConfig {
  lru: LruVariant;
  pagevec: boolean;
  spinlock: 'tas' | 'ticket' | 'qspinlock' | 'cna';
  cnaThresholdNs?: number;
  tasLocalBias: number;
  tasStorm: boolean;
  lockLineTiming?: boolean;
  irqHz?: number;
  irqDevicePerSec?: number;
  directReclaim: boolean;
  kswapd: 'per-node' | 'global';
  coherence: 'snoop' | 'sci';
  zonelist: ZonelistPolicyName;
  reclaimNesting?: boolean;
  forkCow?: boolean;
  cowFaultsBeforeExec?: number;
}
