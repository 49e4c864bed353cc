/**
 * The reclaim layer of a node, after Linux 2.4.17 mm/vmscan.c: `ReclaimNode` composes reclaim
 * (`Reclaim`, mm/vmscan.ts: kswapd, try_to_free_pages, shrink_cache, refill_inactive, and the
 * allocations that wait for them), hands it its steps, events and operations, and answers the
 * questions reclaim asks about a page: may it be dropped and what unmapping it costs
 * (`unmapForReclaim`), 2.4's `swap_out`, and what forgetting a dropped page takes
 * (`dropFromCache`). Here a page with a page-cache index may be dropped and no page is mapped;
 * the page cache (mm/page-cache.ts) answers for mapped pages.
 *
 * Locking rule: the hooks run on the page's node, under the lock reclaim holds (`pagemap_lru_lock`
 * or `zone->lru_lock` for unmapForReclaim, `pagecache_lock` for dropFromCache).
 *
 * Left out: everything the vmscan.ts header lists.
 */
import type { Kernel } from '../engine/kernel.js';
import { MmNode } from './mm-node.js';
import type { MmShared } from './mm-shared.js';
import { Reclaim } from './vmscan.js';
import { NS_ZERO } from '../engine/time.js';

export { MAX_RECLAIM_WAITS, RECLAIM_PROTOCOL, UNMAP_BY_SWAP_OUT } from './vmscan.js';

export class ReclaimNode extends MmNode {
  /** kswapd, direct reclaim and the allocations waiting for them (vmscan.ts). */
  readonly reclaim: Reclaim;
  // Statistics the page cache and swap_out count (observation only).
  /** Ptes try_to_unmap cleared, its IPIs and time. */
  ptesUnmapped = 0;
  unmapTlbIpis = 0;
  unmapWalkNs = NS_ZERO;
  /** 2.4's swap_out: calls, ptes it looked at, ptes it unmapped, and its walks' time (mm/swap-out.ts). */
  swapOuts = 0;
  swapPtesScanned = 0;
  swapPtesUnmapped = 0;
  swapWalkNs = NS_ZERO;
  /** Page-table pages kswapd reached through its private kmap pool (kswapdKmapPool). */
  kswapdPoolMaps = 0;

  constructor(kernel: Kernel, node: number, s: MmShared, slotsPerCpu: number) {
    super(kernel, node, s, slotsPerCpu);
    this.reclaim = new Reclaim(this);
  }

  /**
   * May reclaim drop this LRU page from the page cache? −1 when it may not (a page no workload can
   * drop), UNMAP_BY_SWAP_OUT for a mapped page 2.4 must leave to swap_out, else the ns its
   * unmapping takes (0 for an unmapped page; the page cache overrides this with its
   * reverse-mapping walk).
   */
  unmapForReclaim(frame: number): number {
    return this.mem.frames.index[frame] >= 0 ? 0 : -1;
  }

  /**
   * 2.4's swap_out, run by reclaiming thread `i` (kswapd or a CPU in direct reclaim) after a scan
   * that met too many mapped pages; then step `next`. Nothing to do without mapped pages
   * (mm/page-cache.ts has the page-table scan).
   */
  swapOut(i: number, _cpu: number, next: number): boolean {
    this.prog[i] = next;
    return true;
  }

  /** The page leaves the page cache: the workload forgets where it was (lock held). */
  dropFromCache(frame: number): void {
    this.mem.frames.index[frame] = -1;
  }

  protected override kswapdWake(): void {
    this.reclaim.kswapdWake();
  }

  override outOfMemory(cpu: number, node: number, waits: number): boolean {
    return this.reclaim.outOfMemory(cpu, node, waits);
  }

  protected override handleWorkloadEvent(kind: number, a: number, b: number, c: number): void {
    if (Reclaim.ownsEvent(kind)) this.reclaim.handleEvent(kind, a, b);
    else super.handleWorkloadEvent(kind, a, b, c);
  }

  protected override program(i: number, cpu: number, p: number): boolean {
    return Reclaim.owns(p) ? this.reclaim.step(i, cpu, p) : super.program(i, cpu, p);
  }

  protected override doWorkloadOp(op: number, arg: number): number {
    return Reclaim.ownsOp(op) ? this.reclaim.applyOp(op, arg) : super.doWorkloadOp(op, arg);
  }
}
