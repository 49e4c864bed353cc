/**
 * What a node's subsystems (page-alloc.ts, pagevec.ts, vmscan.ts, page-tables.ts,
 * kmap.ts, bounce.ts, swap-out.ts)
 * may use of the node LP that composes them: its program counters, the work under a lock, the
 * cost helpers and the counters they add to. A subsystem depends on these interfaces, never on
 * the node's class, so the node's files import their subsystems and not the other way round.
 * Follows no kernel source (the kernel's subsystems share globals and `current`).
 */
import type { Kernel } from '../engine/kernel.js';
import type { MmShared } from './mm-shared.js';
import type { CpuState } from './cpu-state.js';
import type { PageAlloc } from './page-alloc.js';
import type { Pagevecs } from './pagevec.js';
import type { Reclaim } from './vmscan.js';
import type { NodeMemory } from './node-memory.js';
import type { ZoneType } from './zone.js';
import type { RemoteKinds } from './remote-ops.js';

/** The node's core (mm-node.ts). `i` is a CPU's index in the node's per-CPU arrays, `cpu` its id. */
export interface NodeCore {
  readonly kernel: Kernel;
  readonly node: number;
  readonly s: MmShared;
  readonly mem: NodeMemory;
  /** The per-CPU state of the node's programs (cpu-state.ts); `prog`, `slot`, `pageFrame`, `reclaimWaits` and `opResult` are its arrays. */
  readonly cpuState: CpuState;
  readonly alloc: PageAlloc;
  readonly pagevecs: Pagevecs;
  /** The step each CPU's program is at. */
  readonly prog: Int32Array;
  /** Page slots per CPU, the slot a fault works on, and each slot's frame ([i * S + k], −1: none). */
  readonly S: number;
  readonly slot: Int32Array;
  readonly pageFrame: Int32Array;
  /** Times the current allocation of each CPU waited for reclaim. */
  readonly reclaimWaits: Int32Array;
  /** The answer of each CPU's last operation. */
  readonly opResult: Int32Array;
  /** Extra hold an operation done under a lock asks for (a scan's length), ns. */
  opExtraNs: number;
  /** How its operations on other nodes' memory travel under remoteOps=direct (remote-ops.ts); layers declare theirs. */
  readonly remoteKinds: RemoteKinds;
  allocationFailures: number;
  kmapAtomic: number;
  idx(cpu: number): number;
  step(cpu: number): void;
  after(cpu: number, delayNs: number): void;
  lockedOp(i: number, cpu: number, lock: number, caller: number, op: number, node: number, arg: number, holdNs: number, lines: number, next: number, delayNs?: number): void;
  /** Takes or drops a lock for CPU index `i` (through its held-lock stack); `shared`: down_read on an rwsem. */
  takeLock(i: number, cpu: number, lock: number, caller: number, shared?: boolean): void;
  dropLock(i: number, cpu: number, lock: number): void;
  acquireFor(i: number, cpu: number, lock: number, caller: number): void;
  holdUnderLock(i: number, cpu: number, holdNs: number, remote: number, releaseStep: number): void;
  applyOp(op: number, type: ZoneType, arg: number): number;
  freePage(i: number, cpu: number, node: number, frame: number, next: number): void;
  outOfMemory(cpu: number, node: number, waits: number): boolean;
  /** A miss on a struct page of `node`'s, from this node or from `view` (a holder elsewhere under remoteOps=direct). */
  structPageNs(node: number, view?: number): number;
  pagecacheHoldNs(node: number): number;
  /** pte_offset_map's cost on CPU index `i` beyond pteSetNs, and the page_table_lock of the mm `cpu` runs. */
  pteAccessNs(i: number, walk?: number): number;
  /** pte=highmem-kmap: maps the page-table page through the kmap pool before the access, then back to `here` (true: started). */
  pteKmapDetour(i: number, walk: number, here: number): boolean;
  ptlOf(cpu: number): number;
  zoneTypeOf(node: number, frame: number): ZoneType;
  pageStreamNs(node: number, localNs: number): number;
  lruLockOf(node: number, frame: number): number;
  /** The CPU whose operation applyOp is applying. */
  readonly opCpu: number;
  /** pte_chains kept by the workload (fork.ts), or null. */
  readonly rmapHook: RmapHook | null;
}

/**
 * The reverse-map calls of the fault path when the node keeps pte_chains (fork.ts and rmap.ts:
 * `forkCow` under `lru: rmap`); without them the fault path charges page_add_rmap and
 * page_remove_rmap as fixed holds of pagemap_lru_lock.
 */
export interface RmapHook {
  /** page_add_rmap of the page CPU index `i`'s fault just mapped (a COW fault: page_remove_rmap of the parent's page first); then `next`. */
  faultAdd(i: number, cpu: number, next: number): void;
  /** page_remove_rmap of the private page CPU index `i` unmaps; then `next`. */
  unmapRemove(i: number, cpu: number, next: number): void;
  /** The operation that puts a pte on a file page's chain, on the page's node (argument: index + 1). */
  readonly opAdd: number;
}

/** A node with reclaim (mm-node.ts, `NodeParts.reclaim`): what vmscan.ts's `Reclaim` uses beyond the core, and the page cache's answers it asks for. */
export interface ReclaimCore extends NodeCore {
  pageOp(i: number, cpu: number, node: number, op: number, arg: number, next: number): boolean;
  /** May reclaim drop this LRU page? −1: no; UNMAP_BY_SWAP_OUT: 2.4 leaves it to swap_out; else the ns its unmapping takes. */
  unmapForReclaim(frame: number): number;
  /** 2.4's swap_out by reclaiming thread `i`, then step `next`. */
  swapOut(i: number, cpu: number, next: number): boolean;
  /** The page leaves the page cache (lock held). */
  dropFromCache(frame: number): void;
}

/** A node with highmem machinery (mm-node.ts, `NodeParts.kmap`): where its lowmem is and its kmap counters. */
export interface HighmemCore extends ReclaimCore {
  /** Node whose ZONE_NORMAL holds lowmem page tables and bounce pages for this node. */
  readonly lowmemNode: number;
  readonly kmapAtomicCalls: Float64Array;
}

/** The page cache's mappings of a node's processes (page-cache.ts), which swap_out walks. */
export interface Mappings {
  /** Mappings per CPU's process at most; each one's page node, argument and pte young bit ([i * M + k]). */
  readonly M: number;
  readonly mapCount: Int32Array;
  readonly mapNode: Int32Array;
  readonly mapArg: Int32Array;
  readonly mapYoung: Uint8Array;
  /** 1 once the CPU's process exits (off the mm list). */
  readonly exiting: Uint8Array;
  /** One pte of this node's file page gone (`arg`: index | generation). */
  dropPte(arg: number): void;
  /** A page's key in the mapping checks: node * 2²¹ + index. */
  pageKey(node: number, pte: number): number;
}

/** What swap_out (swap-out.ts) counts on the node. */
export interface SwapOutCore extends HighmemCore {
  swapOuts: number;
  swapPtesScanned: number;
  swapPtesUnmapped: number;
  swapWalkNs: number;
}

/** What the page cache (page-cache.ts) uses of a node with reclaim and highmem machinery. */
export interface PageCacheCore extends SwapOutCore {
  readonly reclaim: Reclaim | null;
  kswapdWakeups: number;
  ptesUnmapped: number;
  unmapTlbIpis: number;
  unmapWalkNs: number;
  kswapdPoolMaps: number;
  kswapdWake(): void;
}
