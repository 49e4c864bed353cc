/**
 * Reclaim, a subsystem of the node: kswapd and the allocations that wait for it, after Linux
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
 * `kswapd: global` (2.4's single kswapd looping over every pgdat): only node 0's kswapd runs; a
 * node whose zone falls below pages_low asks it by a message, and it balances the nodes in the order
 * they asked, its scans and frees of another node's lists sent there while it holds that list's
 * lock (pattern 1 of docs/MEMORY-MODEL.md). Allocations that must wait, wait for it.
 *
 * Direct reclaim (`directReclaim`, 2.4's `try_to_free_pages` from `__alloc_pages`): an allocation
 * that fails every pass runs the same passes itself, as its own CPU, on the zone of its node with
 * the most inactive pages, until it has freed SWAP_CLUSTER_MAX pages or priority 1 has run; then it
 * walks its zonelist again. Without it, or when the page was wanted on another node (whose LRU
 * lists only that node's LP may scan), the allocation waits for that node's kswapd to free pages or
 * give up a round. Either way it fails after MAX_RECLAIM_WAITS rounds.
 *
 * Simplified: kswapd runs beside the node's CPUs rather than taking time from one of them; direct
 * reclaim scans one zone of the task's own node (2.4 scans the class zone's pgdat); only
 * page-cache pages a workload can drop are reclaimed (see reclaim.ts). A workload with mapped pages
 * says which it may unmap and what the reverse-mapping walk costs (`unmapForReclaim`,
 * mm/page-cache.ts): 2.4-rmap walks inside the shrink_cache hold of pagemap_lru_lock, 2.5 after
 * dropping zone->lru_lock, before the pages leave the page cache. 2.4 has no reverse map: a scan
 * that passes over more than `max_mapped` mapped pages stops, frees what it took, and the
 * reclaiming thread runs `swap_out` (the workload's `swapOut`, mm/page-cache.ts) before its pass
 * ends, as shrink_cache returns after calling it.
 */
import { bug, invariant } from '../errors.js';
import { MM_PROTOCOL, P_IDLE, P_RECLAIM_WAIT, P_WALK } from './mm-protocol.js';
import { LINES_BUDDY, LINES_LRU, LINES_PAGECACHE } from './mm-shared.js';
import type { ReclaimCore } from './node-services.js';
import { REMOTE_POSTED } from './remote-ops.js';
import { DEF_PRIORITY, maxMapped, maxScan, refillTarget, SCAN_KEEP, SCAN_STOP, SCAN_TAKE, SHRINK_STOPPED, shrinkInactive, SWAP_CLUSTER_MAX } from './reclaim.js';

/** Reclaim's numbers, after the node's own. */
export const RECLAIM_PROTOCOL = MM_PROTOCOL.extend('vmscan.c', {
  steps: ['balance', 'zone', 'refill', 'shrink', 'drop', 'free', 'pass done', 'check', 'swap_out'],
  events: ['reclaim wait', 'reclaim done', 'kswapd node'],
  ops: ['refill', 'shrink', 'zone to balance', 'zone balanced', 'free batch'],
});

// EV_RECLAIM_WAIT: to the kswapd of the node whose memory ran out. a: cpu, b: that node.
// EV_RECLAIM_DONE: to the waiting CPU's node. a: cpu; b: 1 to reclaim directly first.
// EV_KSWAPD_NODE: the global kswapd's wake-up (`kswapd: global`), to node 0. a: the node whose zone fell below pages_low.
const [EV_RECLAIM_WAIT, EV_RECLAIM_DONE, EV_KSWAPD_NODE] = RECLAIM_PROTOCOL.events;

// Operations on the reclaimed node's memory, by the reclaiming thread `slot` of the caller's node
// (kswapd, or a CPU in direct reclaim), here or on another node (the global kswapd).
// OP_REFILL arg: zone index | slot << 8. OP_SHRINK arg: zone index | slot << 8 | priority << 16;
// answers taken | unmap ns << 6 | SWAP_OUT_WANTED. OP_ZONE_TO_BALANCE answers a zone index, or −1.
// OP_ZONE_BALANCED arg: zone index; answers 1 above pages_high. OP_FREE_BATCH arg: position in the batch | slot << 8.
const [OP_REFILL, OP_SHRINK, OP_ZONE_TO_BALANCE, OP_ZONE_BALANCED, OP_FREE_BATCH] = RECLAIM_PROTOCOL.ops;

const [KS_BALANCE, KS_ZONE, KS_REFILL, KS_SHRINK, KS_DROP, KS_FREE, KS_PASS_DONE, KS_CHECK, KS_SWAP_OUT] = RECLAIM_PROTOCOL.steps;
const KS_FIRST = RECLAIM_PROTOCOL.firstStep;
const KS_END = RECLAIM_PROTOCOL.stepEnd;
const KS_IDLE = P_IDLE;
/** The unmap time a shrink reports back fits in 24 bits of ns (16 ms a batch, far above any measured). */
const UNMAP_NS_MAX = (1 << 24) - 1;
/** OP_SHRINK's answer bit: 2.4's scan met more than max_mapped mapped pages; swap_out comes next. */
const SWAP_OUT_WANTED = 1 << 30;

/** unmapForReclaim's answer for a mapped page the variant cannot unmap by its reverse maps (2.4: swap_out's job). */
export const UNMAP_BY_SWAP_OUT = -2;

/** HZ = 100: kswapd's nap after a round that could not balance a zone. */
const JIFFY_SECOND_NS = 10_000_000;
/** Rounds of reclaim an allocation waits for before it fails. */
export const MAX_RECLAIM_WAITS = 4;

const EV_FIRST = EV_RECLAIM_WAIT;
const EV_END = RECLAIM_PROTOCOL.eventEnd;
const OP_FIRST = OP_REFILL;
const OP_END = RECLAIM_PROTOCOL.opEnd;

export class Reclaim {
  /** kswapd's thread id and its index in the per-CPU arrays. */
  private readonly ks: number;
  private readonly ksi: number;
  private ksRunning = false;
  /** Nodes kswapd has to balance, in the order they asked (only this node's own but for the global kswapd). */
  private readonly ksQueue: number[] = [];
  private readonly ksQueued: Uint8Array;
  /**
   * Per reclaiming thread — kswapd (slot `ksi`) and each CPU of the node in direct reclaim (its
   * own slot): the zone, the priority, the pages the last scan took, and what comes next.
   */
  private readonly rTargetNode: Int32Array;
  private readonly rZone: Int32Array;
  private readonly rPriority: Int32Array;
  private readonly rBatch: Int32Array; // [slot * SWAP_CLUSTER_MAX + k]
  private readonly rBatchLen: Int32Array;
  private readonly rBatchPos: Int32Array;
  /** try_to_unmap time of the batch's mapped pages, spent after the LRU lock is dropped (2.5). */
  private readonly rUnmapNs: Float64Array;
  /** 2.4: the scan gave up on too many mapped pages; swap_out runs once the batch is freed. */
  private readonly rSwapOut: Uint8Array;
  /** Direct reclaim: pages freed in this call of try_to_free_pages. */
  private readonly rFreed: Int32Array;
  /** Per CPU index: where a waiting allocation resumes; −1: its zonelist walk. */
  private readonly reclaimRetry: Int32Array;
  /** CPUs whose allocations wait for this node's reclaim, in arrival order. */
  private waiters: number[] = [];
  // Statistics (observation only).
  readonly pagesScanned: Float64Array;
  readonly pagesReclaimed: Float64Array;
  kswapdRuns = 0;
  reclaimWaitCount = 0;
  directReclaims = 0;
  directPagesReclaimed = 0;
  /** True while the scan under way is kswapd's (a direct reclaimer is a task in its own mm's context). */
  byKswapd = false;
  /** Mapped pages 2.4's scans left to swap_out. */
  mappedSkipped = 0;

  constructor(private readonly lp: ReclaimCore) {
    const s = lp.s;
    const node = lp.node;
    this.reclaimRetry = new Int32Array(s.topo.cpusPerNode + 1).fill(-1);
    this.ks = s.topo.kswapdId(node);
    this.ksi = s.topo.cpusPerNode;
    this.pagesScanned = new Float64Array(lp.mem.zones.length);
    this.pagesReclaimed = new Float64Array(lp.mem.zones.length);
    // remoteOps=direct (remote-ops.ts): a page of the batch goes back to the buddy allocator as the
    // holder's own write, its hold known here (posted); the scans stay messages (their length is
    // known only where the lists are), their holds counted from the grant (locked-ops.ts).
    lp.remoteKinds.declare(OP_FREE_BATCH, REMOTE_POSTED);
    const slots = this.ksi + 1;
    this.ksQueued = new Uint8Array(s.topo.nodes);
    this.rTargetNode = new Int32Array(slots).fill(node);
    this.rZone = new Int32Array(slots).fill(-1);
    this.rPriority = new Int32Array(slots);
    this.rBatch = new Int32Array(slots * SWAP_CLUSTER_MAX);
    this.rBatchLen = new Int32Array(slots);
    this.rBatchPos = new Int32Array(slots);
    this.rUnmapNs = new Float64Array(slots);
    this.rSwapOut = new Uint8Array(slots);
    this.rFreed = new Int32Array(slots);
  }

  /** A zone of this node fell below pages_low: its kswapd, or (`kswapd: global`) node 0's, has work. */
  kswapdWake(): void {
    if (this.lp.s.cfg.kswapd === 'global' && this.lp.node !== 0) {
      this.lp.kernel.send(this.lp.s.topo.nodeLp[0], this.lp.s.topo.hopNs(this.lp.node, 0), EV_KSWAPD_NODE, this.lp.node, 0, 0);
      return;
    }
    this.queueBalance(this.lp.node);
  }

  private queueBalance(node: number): void {
    if (this.ksQueued[node] === 0) {
      this.ksQueued[node] = 1;
      this.ksQueue.push(node);
    }
    if (this.ksRunning) return;
    this.ksRunning = true;
    this.kswapdRuns++;
    this.lp.prog[this.ksi] = KS_BALANCE;
    this.lp.after(this.ks, 0);
  }

  /** The node whose kswapd an allocation that wanted a page of `node` waits for. */
  private kswapdNodeOf(node: number): number {
    return this.lp.s.cfg.kswapd === 'global' ? 0 : node;
  }

  /**
   * An allocation failed every pass; `node` is where it wanted its page. `directReclaim` and that
   * node is the task's own: the task runs try_to_free_pages itself, then walks its zonelist again
   * (started by an event to this LP, because the caller is still setting the CPU's step).
   * Otherwise — another node's lists are that node's to scan — it waits for `node`'s kswapd. After
   * MAX_RECLAIM_WAITS rounds the allocation fails.
   */
  outOfMemory(cpu: number, node: number, waits: number): boolean {
    if (waits >= MAX_RECLAIM_WAITS) return false;
    this.reclaimWaitCount++;
    if (this.lp.s.cfg.directReclaim && node === this.lp.node && this.reclaimableZone() >= 0) {
      this.lp.kernel.send(this.lp.s.topo.nodeLp[this.lp.node], 0, EV_RECLAIM_DONE, cpu, 1, 0);
      return true;
    }
    const ks = this.kswapdNodeOf(node);
    this.lp.kernel.send(this.lp.s.topo.nodeLp[ks], this.lp.s.topo.hopNs(this.lp.node, ks), EV_RECLAIM_WAIT, cpu, node, 0);
    return true;
  }

  /** This node's zone with the most inactive pages (direct reclaim's target), or −1 when none has any. */
  private reclaimableZone(): number {
    let best = -1;
    for (let z = 0; z < this.lp.mem.zones.length; z++) {
      if (this.lp.mem.lru[z].nrInactive + this.lp.mem.lru[z].nrActive === 0) continue;
      if (best < 0 || this.lp.mem.lru[z].nrInactive > this.lp.mem.lru[best].nrInactive) best = z;
    }
    return best;
  }

  /** Reclaim freed pages: the waiting allocation walks its zonelist again (or resumes where it asked to). */
  private retryAllocation(cpu: number): void {
    const i = this.lp.idx(cpu);
    if (this.lp.prog[i] !== P_RECLAIM_WAIT) bug(`CPU ${cpu} was not waiting for reclaim`);
    if (this.reclaimRetry[i] >= 0) {
      this.lp.prog[i] = this.reclaimRetry[i];
      this.reclaimRetry[i] = -1;
    } else {
      this.lp.alloc.start(i);
      this.lp.prog[i] = P_WALK;
    }
    this.lp.step(cpu);
  }

  /**
   * A workload's own allocation on `node` failed: wait for that node's reclaim and resume at
   * `retryStep` (true), or give up (false) after MAX rounds. `first` starts a new allocation's count.
   */
  waitFor(i: number, cpu: number, node: number, retryStep: number, first: boolean): boolean {
    if (first) this.lp.reclaimWaits[i] = 0;
    if (!this.lp.outOfMemory(cpu, node, this.lp.reclaimWaits[i]++)) return false;
    this.reclaimRetry[i] = retryStep;
    this.lp.prog[i] = P_RECLAIM_WAIT;
    return true;
  }

  /** Whether `kind` is one of reclaim's events. */
  static ownsEvent(kind: number): boolean {
    return kind >= EV_FIRST && kind < EV_END;
  }

  handleEvent(kind: number, a: number, b: number): void {
    if (kind === EV_RECLAIM_WAIT) {
      this.waiters.push(a);
      this.queueBalance(b);
    } else if (kind === EV_KSWAPD_NODE) {
      this.queueBalance(a);
    } else {
      // EV_RECLAIM_DONE
      if (b === 1) this.startDirectReclaim(a);
      else this.retryAllocation(a);
    }
  }

  /** try_to_free_pages by the allocating task on CPU `cpu`: kswapd's passes over one zone of this node, as that CPU. */
  private startDirectReclaim(cpu: number): void {
    const i = this.lp.idx(cpu);
    const zone = this.reclaimableZone();
    this.directReclaims++;
    this.rZone[i] = zone;
    this.rPriority[i] = DEF_PRIORITY;
    this.rFreed[i] = 0;
    this.lp.prog[i] = zone < 0 ? KS_PASS_DONE : KS_REFILL;
    this.lp.step(cpu);
  }

  /** Direct reclaim on CPU index `i` is over: the allocation walks its zonelist again. */
  private endDirectReclaim(i: number, cpu: number): void {
    this.rZone[i] = -1;
    this.lp.prog[i] = P_RECLAIM_WAIT;
    this.retryAllocation(cpu);
  }

  /** Tells every waiting allocation to try again. */
  private wakeWaiters(): void {
    for (const cpu of this.waiters) {
      const node = this.lp.s.topo.cpuNode[cpu];
      this.lp.kernel.send(this.lp.s.topo.nodeLp[node], this.lp.s.topo.hopNs(this.lp.node, node), EV_RECLAIM_DONE, cpu, 0, 0);
    }
    this.waiters = [];
  }

  /** A zone of this node at or below pages_high with pages on its LRU lists, or −1. */
  private zoneToBalance(): number {
    const zones = this.lp.mem.zones;
    for (let z = 0; z < zones.length; z++) {
      const lru = this.lp.mem.lru[z];
      if (zones[z].freePages <= zones[z].pagesHigh && lru.nrActive + lru.nrInactive > 0) return z;
    }
    return -1;
  }

  /**
   * Whether shrink_cache frees its pages inside the LRU lock hold (`reclaimNesting`): 2.4.18
   * mm/vmscan.c takes pagecache_lock for __remove_inode_page and, through page_cache_release,
   * zone->lock for __free_pages_ok, with pagemap_lru_lock held, page by page. 2.5 (the `2.5-zone`
   * variant) moves the pages to a private list and frees them after dropping zone->lru_lock.
   */
  private nests(): boolean {
    return this.lp.s.cfg.reclaimNesting === true && this.lp.s.cfg.lru !== '2.5-zone';
  }

  private zoneLruLock(node: number, z: number): number {
    const type = this.lp.s.maps[node].zones[z].type;
    return this.lp.s.cfg.lru === '2.5-zone' ? this.lp.s.zoneLruLock[node * 3 + type] : this.lp.s.pagemapLruLock;
  }

  /**
   * A page looked at by a scan: its struct page, wherever mem_map lives, from the scanning CPU —
   * this node's under the message model, the holder's own under remoteOps=direct (remote-ops.ts).
   */
  private scanNs(): number {
    const lp = this.lp;
    const view = lp.s.directOps ? lp.s.topo.cpuNode[lp.opCpu] : lp.node;
    return lp.s.cfg.costs.lruListOpNs + lp.structPageNs(lp.node, view);
  }

  static owns(p: number): boolean {
    return p >= KS_FIRST && p < KS_END;
  }

  step(i: number, cpu: number, p: number): boolean {
    if (cpu !== this.ks && this.rZone[i] === -1 && p !== KS_PASS_DONE) bug(`CPU ${cpu} runs reclaim step ${p} outside reclaim`);
    const callers = this.lp.s.callers;
    const costs = this.lp.s.cfg.costs;
    const z = this.rZone[i];
    const node = this.rTargetNode[i];
    switch (p) {
      case KS_BALANCE:
        // kswapd_balance_pgdat for the first node that asked: which of its zones is at or below pages_high?
        if (this.ksQueue.length === 0) {
          this.ksRunning = false;
          this.rZone[i] = -1;
          this.lp.prog[i] = KS_IDLE;
          this.wakeWaiters();
          return false;
        }
        return this.lp.pageOp(i, cpu, this.ksQueue[0], OP_ZONE_TO_BALANCE, 0, KS_ZONE);
      case KS_ZONE:
        if (this.lp.opResult[i] < 0) {
          this.ksQueued[this.ksQueue.shift()!] = 0;
          this.lp.prog[i] = KS_BALANCE;
          return true;
        }
        this.rTargetNode[i] = this.ksQueue[0];
        this.rZone[i] = this.lp.opResult[i];
        this.rPriority[i] = DEF_PRIORITY;
        this.lp.prog[i] = KS_REFILL;
        return true;
      case KS_REFILL:
        if (node === this.lp.node && refillTarget(this.lp.mem.lru[z]) === 0) {
          this.lp.prog[i] = KS_SHRINK;
          return true;
        }
        this.lp.lockedOp(i, cpu, this.zoneLruLock(node, z), callers.refill_inactive, OP_REFILL, node, z | (i << 8), costs.lruListOpNs, LINES_LRU, KS_SHRINK);
        return false;
      case KS_SHRINK:
        this.rBatchPos[i] = -1; // the scan's answer is still to be read
        // reclaimNesting: 2.4.18's shrink_cache keeps pagemap_lru_lock while it frees what it took (KS_DROP, KS_FREE nest inside; KS_UNNEST drops it).
        if (this.nests()) this.lp.cpuState.opKeep[i] = 1;
        this.lp.lockedOp(i, cpu, this.zoneLruLock(node, z), callers.shrink_cache, OP_SHRINK, node, z | (i << 8) | (this.rPriority[i] << 16), costs.lruListOpNs, LINES_LRU, KS_DROP);
        return false;
      case KS_DROP:
        if (this.rBatchPos[i] < 0) {
          const answer = this.lp.opResult[i];
          this.rBatchLen[i] = answer & 63;
          this.rUnmapNs[i] = (answer >>> 6) & UNMAP_NS_MAX;
          this.rSwapOut[i] = (answer & SWAP_OUT_WANTED) !== 0 ? 1 : 0;
          this.rBatchPos[i] = 0;
        }
        // __remove_inode_page: each page leaves the page cache's hash under pagecache_lock.
        if (this.rBatchPos[i] >= this.rBatchLen[i]) {
          if (this.nests()) this.lp.dropLock(i, cpu, this.zoneLruLock(node, z)); // spin_unlock(&pagemap_lru_lock) at the end of the scan, or before swap_out
          this.lp.prog[i] = this.rSwapOut[i] === 1 ? KS_SWAP_OUT : KS_PASS_DONE;
          return true;
        }
        this.lp.lockedOp(i, cpu, this.lp.s.pagecacheLock, callers.shrink_cache, 0, -1, 0, this.lp.pagecacheHoldNs(node), LINES_PAGECACHE, KS_FREE, this.rUnmapNs[i]);
        this.rUnmapNs[i] = 0;
        return false;
      case KS_FREE: {
        // __free_pages_ok of the page, in its zone, where the scan left it.
        const type = this.lp.s.maps[node].zones[z].type;
        const hold = costs.buddyOpNs + this.lp.structPageNs(node);
        this.lp.lockedOp(i, cpu, this.lp.s.zoneLock[node * 3 + type], callers.__free_pages_ok, OP_FREE_BATCH, node, this.rBatchPos[i]++ | (i << 8), hold, LINES_BUDDY, KS_DROP);
        return false;
      }
      case KS_PASS_DONE: {
        const taken = z < 0 ? 0 : this.rBatchLen[i];
        if (taken > 0) this.wakeWaiters();
        if (cpu !== this.ks) {
          // try_to_free_pages: done once a cluster is freed or the last priority has run.
          this.rFreed[i] += taken;
          this.directPagesReclaimed += taken;
          if (z < 0 || this.rFreed[i] >= SWAP_CLUSTER_MAX || --this.rPriority[i] === 0) {
            this.endDirectReclaim(i, cpu);
            return false;
          }
          this.lp.prog[i] = KS_REFILL;
          return true;
        }
        return this.lp.pageOp(i, cpu, node, OP_ZONE_BALANCED, z, KS_CHECK);
      }
      case KS_CHECK:
        if (this.lp.opResult[i] === 1) {
          this.lp.prog[i] = KS_BALANCE;
          return true;
        }
        if (this.rBatchLen[i] >= SWAP_CLUSTER_MAX) {
          this.rPriority[i] = DEF_PRIORITY;
          this.lp.prog[i] = KS_REFILL;
          return true;
        }
        if (--this.rPriority[i] > 0) {
          this.lp.prog[i] = KS_REFILL;
          return true;
        }
        // A whole round fell short: let the waiting allocations fail or retry, nap, try again.
        this.wakeWaiters();
        this.lp.prog[i] = KS_BALANCE;
        this.lp.after(cpu, JIFFY_SECOND_NS);
        return false;
      case KS_SWAP_OUT:
        // shrink_cache returned after swap_out; the pass ends as any other.
        this.rSwapOut[i] = 0;
        return this.lp.swapOut(i, cpu, KS_PASS_DONE);
    }
    return false;
  }

  /** Whether `op` is one of reclaim's operations. */
  static ownsOp(op: number): boolean {
    return op >= OP_FIRST && op < OP_END;
  }

  applyOp(op: number, arg: number): number {
    if (op === OP_ZONE_TO_BALANCE) return this.zoneToBalance();
    if (op === OP_ZONE_BALANCED) return this.lp.mem.zones[arg].freePages > this.lp.mem.zones[arg].pagesHigh ? 1 : 0;
    if (op === OP_FREE_BATCH) {
      this.lp.mem.free(this.rBatch[(arg >>> 8) * SWAP_CLUSTER_MAX + (arg & 0xff)]);
      return 0;
    }
    if (op === OP_REFILL) {
      const z = arg & 0xff;
      const lru = this.lp.mem.lru[z];
      const scanned = lru.refillInactive(refillTarget(lru));
      this.pagesScanned[z] += scanned;
      this.lp.opExtraNs = scanned * this.scanNs();
      return 0;
    }
    if (op === OP_SHRINK) {
      const z = arg & 0xff;
      const slot = (arg >>> 8) & 0xff;
      const lru = this.lp.mem.lru[z];
      const batch = this.rBatch.subarray(slot * SWAP_CLUSTER_MAX, (slot + 1) * SWAP_CLUSTER_MAX);
      this.byKswapd = slot === this.ksi;
      let unmapNs = 0;
      const priority = arg >>> 16;
      const limit = maxScan(lru, priority);
      // 2.4: mapped pages are swap_out's; past max_mapped of them the scan stops and calls it.
      let mappedLeft = maxMapped(SWAP_CLUSTER_MAX, priority, limit);
      const canFree = (f: number) => {
        const ns = this.lp.unmapForReclaim(f);
        if (ns === UNMAP_BY_SWAP_OUT) {
          this.mappedSkipped++;
          return --mappedLeft < 0 ? SCAN_STOP : SCAN_KEEP;
        }
        if (ns < 0) return SCAN_KEEP;
        unmapNs += ns;
        return SCAN_TAKE;
      };
      const r = shrinkInactive(lru, this.lp.mem.frames, limit, SWAP_CLUSTER_MAX, canFree, batch);
      const scanned = r & 0xfffff;
      const taken = (r >>> 20) & 63;
      for (let k = 0; k < taken; k++) this.lp.dropFromCache(batch[k]);
      this.pagesScanned[z] += scanned;
      this.pagesReclaimed[z] += taken;
      // try_to_unmap: 2.4-rmap walks the pte_chains inside shrink_cache, pagemap_lru_lock held;
      // 2.5 takes the pages off the list first and unmaps them after dropping zone->lru_lock.
      this.lp.opExtraNs = scanned * this.scanNs() + (this.lp.s.cfg.lru === '2.5-zone' ? 0 : unmapNs);
      const after = this.lp.s.cfg.lru === '2.5-zone' ? Math.min(UNMAP_NS_MAX, Math.round(unmapNs)) : 0;
      return taken | (after << 6) | ((r & SHRINK_STOPPED) !== 0 ? SWAP_OUT_WANTED : 0);
    }
    invariant(false, `operation ${op} is not reclaim's`);
  }
}
