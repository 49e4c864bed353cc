/**
 * A memory workload's node with reclaim: kswapd and the allocations that wait for it, after Linux
 * 2.4.17 mm/vmscan.c (`kswapd`, `kswapd_balance_pgdat`, `try_to_free_pages_zone`, `shrink_caches`,
 * `shrink_cache`, `refill_inactive`) and mm/page_alloc.c (`__alloc_pages` falling back to reclaim).
 *
 * kswapd: one per node, woken when an allocation fails the `pages_low` pass of a zonelist whose
 * first zone is here. It balances each of the node's zones whose free pages are at or below
 * `pages_high`: passes from priority 6 down to 1, each refilling the inactive list
 * (`refill_inactive`, under the LRU lock) and scanning `nr_inactive / priority` pages of it
 * (`shrink_cache`, the LRU lock held across the scan) to take up to SWAP_CLUSTER_MAX pages; each
 * page taken leaves the page cache under `pagecache_lock` and goes back to the buddy allocator
 * under `zone->lock`. A pass that frees a full cluster starts over at priority 6; when priority
 * 1 falls short kswapd sleeps for a jiffy-second (HZ = 100: 10 ms), then tries again. The node's
 * zones balanced, it sleeps until woken.
 *
 * Locking: every list the scans touch is this node's; the LRU lock is the variant's (global
 * `pagemap_lru_lock` homed on node 0, or the zone's `zone->lru_lock`), taken as kswapd's own
 * thread (topology id cpus + node), so the lock table shows reclaim's holds under
 * `refill_inactive` and `shrink_cache`.
 *
 * Simplified: kswapd runs beside the node's CPUs rather than taking time from one of them; an
 * allocation that fails every pass does not scan by itself (2.4's direct `try_to_free_pages`):
 * it waits for its node's kswapd to free pages or to give up a round, then walks its zonelist
 * again, and fails after MAX_RECLAIM_WAITS rounds; only page-cache pages a workload can drop are
 * reclaimed (see reclaim.ts). A workload with mapped pages says which it may unmap and what the
 * reverse-mapping walk costs (`unmapForReclaim`, mm/page-cache.ts): 2.4-rmap walks inside the
 * shrink_cache hold of pagemap_lru_lock, 2.5 after dropping zone->lru_lock, before the pages leave
 * the page cache.
 */
import type { Kernel } from '../engine/kernel.js';
import { invariant } from '../errors.js';
import { FIRST_MODEL_EVENT } from '../locks/spinlock.js';
import { FIRST_RECLAIM_OP, FIRST_SUBCLASS_STEP, MmNode } from './mm-node.js';
import { LINES_LRU, LINES_PAGECACHE, type MmShared } from './mm-shared.js';
import { DEF_PRIORITY, maxScan, refillTarget, shrinkInactive, SWAP_CLUSTER_MAX } from './reclaim.js';

const EV_RECLAIM_WAIT = FIRST_MODEL_EVENT + 6; // to the node whose memory ran out. a: cpu
const EV_RECLAIM_DONE = FIRST_MODEL_EVENT + 7; // to the waiting CPU's node. a: cpu

const OP_REFILL = FIRST_RECLAIM_OP; // arg: zone index
const OP_SHRINK = FIRST_RECLAIM_OP + 1; // arg: zone index

const KS_BALANCE = FIRST_SUBCLASS_STEP;
const KS_REFILL = FIRST_SUBCLASS_STEP + 1;
const KS_SHRINK = FIRST_SUBCLASS_STEP + 2;
const KS_DROP = FIRST_SUBCLASS_STEP + 3;
const KS_FREE = FIRST_SUBCLASS_STEP + 4;
const KS_PASS_DONE = FIRST_SUBCLASS_STEP + 5;
const KS_IDLE = 0;

/** HZ = 100: kswapd's nap after a round that could not balance a zone. */
const JIFFY_SECOND_NS = 10_000_000;
/** Rounds of reclaim an allocation waits for before it fails. */
export const MAX_RECLAIM_WAITS = 4;

export class ReclaimNode extends MmNode {
  /** kswapd's thread id and its index in the per-CPU arrays. */
  private readonly ks: number;
  private readonly ksi: number;
  private ksRunning = false;
  private ksZone = -1;
  private ksPriority = DEF_PRIORITY;
  private readonly batch = new Int32Array(SWAP_CLUSTER_MAX);
  private batchLen = 0;
  private batchPos = 0;
  /** try_to_unmap time of the batch's mapped pages, spent after the LRU lock is dropped (2.5). */
  private batchUnmapNs = 0;
  /** CPUs whose allocations wait for this node's reclaim, in arrival order. */
  private waiters: number[] = [];
  // Statistics (observation only).
  readonly pagesScanned: Float64Array;
  readonly pagesReclaimed: Float64Array;
  kswapdRuns = 0;
  reclaimWaitCount = 0;
  /** Mapped pages the scan passed over (2.4: no reverse map), ptes try_to_unmap cleared, its IPIs and time. */
  mappedSkipped = 0;
  ptesUnmapped = 0;
  unmapTlbIpis = 0;
  unmapWalkNs = 0;
  /** Page-table pages kswapd reached through its private kmap pool (kswapdKmapPool). */
  kswapdPoolMaps = 0;

  constructor(kernel: Kernel, node: number, s: MmShared, slotsPerCpu: number) {
    super(kernel, node, s, slotsPerCpu);
    this.ks = s.topo.kswapdId(node);
    this.ksi = s.topo.cpusPerNode;
    this.pagesScanned = new Float64Array(this.mem.zones.length);
    this.pagesReclaimed = new Float64Array(this.mem.zones.length);
  }

  /**
   * May reclaim drop this LRU page from the page cache? −1 when it may not (a page no workload can
   * drop, or a mapped page the variant cannot unmap), else the ns its unmapping takes (0 for an
   * unmapped page; a workload with mapped pages overrides this with its reverse-mapping walk).
   */
  protected unmapForReclaim(frame: number): number {
    return this.mem.frames.index[frame] >= 0 ? 0 : -1;
  }

  /** The page leaves the page cache: the workload forgets where it was (lock held). */
  protected dropFromCache(frame: number): void {
    this.mem.frames.index[frame] = -1;
  }

  protected override kswapdWake(): void {
    if (this.ksRunning) return;
    this.ksRunning = true;
    this.kswapdRuns++;
    this.prog[this.ksi] = KS_BALANCE;
    this.after(this.ks, 0);
  }

  protected override outOfMemory(cpu: number, node: number, waits: number): boolean {
    if (waits >= MAX_RECLAIM_WAITS) return false;
    this.reclaimWaitCount++;
    this.kernel.send(this.s.topo.nodeLp[node], this.s.topo.hopNs(this.node, node), EV_RECLAIM_WAIT, cpu, 0, 0);
    return true;
  }

  protected override handleWorkloadEvent(kind: number, a: number, b: number, c: number): void {
    if (kind === EV_RECLAIM_WAIT) {
      this.waiters.push(a);
      this.kswapdWake();
    } else if (kind === EV_RECLAIM_DONE) {
      this.retryAllocation(a);
    } else super.handleWorkloadEvent(kind, a, b, c);
  }

  /** Tells every waiting allocation to try again. */
  private wakeWaiters(): void {
    for (const cpu of this.waiters) {
      const node = this.s.topo.cpuNode[cpu];
      this.kernel.send(this.s.topo.nodeLp[node], this.s.topo.hopNs(this.node, node), EV_RECLAIM_DONE, cpu, 0, 0);
    }
    this.waiters = [];
  }

  /** A zone of this node at or below pages_high with pages on its LRU lists, or −1. */
  private zoneToBalance(): number {
    const zones = this.mem.zones;
    for (let z = 0; z < zones.length; z++) {
      const lru = this.mem.lru[z];
      if (zones[z].freePages <= zones[z].pagesHigh && lru.nrActive + lru.nrInactive > 0) return z;
    }
    return -1;
  }

  private zoneLruLock(z: number): number {
    const type = this.mem.zones[z].type;
    return this.s.cfg.lru === '2.5-zone' ? this.s.zoneLruLock[this.node * 3 + type] : this.s.pagemapLruLock;
  }

  /** A page looked at by a scan: its struct page, wherever mem_map lives. */
  private scanNs(): number {
    return this.s.cfg.costs.lruListOpNs + this.structPageNs(this.node);
  }

  protected override program(i: number, cpu: number, p: number): boolean {
    if (p < KS_BALANCE || p > KS_PASS_DONE) return super.program(i, cpu, p);
    invariant(cpu === this.ks, `CPU ${cpu} runs kswapd's step ${p}`);
    const callers = this.s.callers;
    switch (p) {
      case KS_BALANCE:
        this.ksZone = this.zoneToBalance();
        if (this.ksZone < 0) {
          this.ksRunning = false;
          this.prog[i] = KS_IDLE;
          this.wakeWaiters();
          return false;
        }
        this.ksPriority = DEF_PRIORITY;
        this.prog[i] = KS_REFILL;
        return true;
      case KS_REFILL:
        if (refillTarget(this.mem.lru[this.ksZone]) === 0) {
          this.prog[i] = KS_SHRINK;
          return true;
        }
        this.lockedOp(i, cpu, this.zoneLruLock(this.ksZone), callers.refill_inactive, OP_REFILL, this.node, this.ksZone, this.s.cfg.costs.lruListOpNs, LINES_LRU, KS_SHRINK);
        return false;
      case KS_SHRINK:
        this.lockedOp(i, cpu, this.zoneLruLock(this.ksZone), callers.shrink_cache, OP_SHRINK, this.node, this.ksZone, this.s.cfg.costs.lruListOpNs, LINES_LRU, KS_DROP);
        return false;
      case KS_DROP:
        // __remove_inode_page: each page leaves the page cache's hash under pagecache_lock.
        if (this.batchPos >= this.batchLen) {
          this.prog[i] = KS_PASS_DONE;
          return true;
        }
        this.lockedOp(i, cpu, this.s.pagecacheLock, callers.shrink_cache, 0, -1, 0, this.pagecacheHoldNs(this.node), LINES_PAGECACHE, KS_FREE, this.batchUnmapNs);
        this.batchUnmapNs = 0;
        return false;
      case KS_FREE:
        this.freePage(i, cpu, this.node, this.batch[this.batchPos++], KS_DROP);
        return false;
      case KS_PASS_DONE: {
        const zone = this.mem.zones[this.ksZone];
        if (this.batchLen > 0) this.wakeWaiters();
        if (zone.freePages > zone.pagesHigh) {
          this.prog[i] = KS_BALANCE;
          return true;
        }
        if (this.batchLen >= SWAP_CLUSTER_MAX) {
          this.ksPriority = DEF_PRIORITY;
          this.prog[i] = KS_REFILL;
          return true;
        }
        if (--this.ksPriority > 0) {
          this.prog[i] = KS_REFILL;
          return true;
        }
        // A whole round fell short: let the waiting allocations fail or retry, nap, try again.
        this.wakeWaiters();
        this.prog[i] = KS_BALANCE;
        this.after(cpu, JIFFY_SECOND_NS);
        return false;
      }
    }
    return false;
  }

  protected override doWorkloadOp(op: number, arg: number): number {
    if (op === OP_REFILL) {
      const lru = this.mem.lru[arg];
      const scanned = lru.refillInactive(refillTarget(lru));
      this.pagesScanned[arg] += scanned;
      this.opExtraNs = scanned * this.scanNs();
      return 0;
    }
    if (op === OP_SHRINK) {
      const lru = this.mem.lru[arg];
      let unmapNs = 0;
      const canFree = (f: number) => {
        const ns = this.unmapForReclaim(f);
        if (ns < 0) return false;
        unmapNs += ns;
        return true;
      };
      const r = shrinkInactive(lru, this.mem.frames, maxScan(lru, this.ksPriority), SWAP_CLUSTER_MAX, canFree, this.batch);
      const scanned = r & 0xfffff;
      const taken = r >>> 20;
      for (let k = 0; k < taken; k++) this.dropFromCache(this.batch[k]);
      this.batchLen = taken;
      this.batchPos = 0;
      this.pagesScanned[arg] += scanned;
      this.pagesReclaimed[arg] += taken;
      // try_to_unmap: 2.4-rmap walks the pte_chains inside shrink_cache, pagemap_lru_lock held;
      // 2.5 takes the pages off the list first and unmaps them after dropping zone->lru_lock.
      this.opExtraNs = scanned * this.scanNs() + (this.s.cfg.lru === '2.5-zone' ? 0 : unmapNs);
      this.batchUnmapNs = this.s.cfg.lru === '2.5-zone' ? unmapNs : 0;
      return taken;
    }
    return super.doWorkloadOp(op, arg);
  }
}
