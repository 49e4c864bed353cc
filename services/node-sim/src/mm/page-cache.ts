/**
 * The page cache of a workload's files and the mappings of its pages, after Linux 2.4.18
 * mm/filemap.c (`find_get_page`, `mark_page_accessed`, `page_cache_read`, `add_to_page_cache`,
 * `filemap_nopage`), mm/memory.c (`do_no_page`, `zap_page_range`) and, for reclaim of mapped
 * pages, the reverse maps of 2.4-rmap and 2.5.27+ mm/rmap.c (`page_add_rmap`, `page_remove_rmap`, `try_to_unmap`).
 *
 * A subsystem: the node of a workload with files (the process runner's, workloads/process-runner.ts,
 * which kernbench, file-read and mem-pressure drive) composes one `PageCache` and hands it its steps, events, operations and reclaim's
 * questions about its pages; it reaches the node through `PageCacheCore` (node-services.ts).
 *
 * The files: page t of the file set lives on node t mod nodes at index ⌊t / nodes⌋ (kernbench's
 * source tree, mem-pressure's files). Each node keeps, by index, the frame caching the page (−1: on
 * disk), how many ptes map it, and a generation that reclaim bumps when it drops the page, so that
 * a process unmapping at exit can tell its own pte from one of a later copy of the page.
 *
 * A lookup (`lookupPage`): the hash-chain walk under the global pagecache_lock — a fault's
 * `find_get_page` (filemap_nopage), or a read's, which do_generic_file_read makes inline under the
 * lock it takes itself (lockmeter names that caller); mark_page_accessed on
 * the page's node (the second touch of an inactive page activates it under the LRU lock); a page
 * reclaim dropped is read back from disk into a new page of its node (page_cache_read:
 * add_to_page_cache under pagecache_lock, lru_cache_add). With `bounce` the read goes
 * through a bounce page of ZONE_NORMAL (bounce.ts).
 *
 * A file fault maps the page: do_no_page sets the pte under the process's mm->page_table_lock;
 * `rmap` then adds the pte_chain entry under the global pagemap_lru_lock (page_add_rmap),
 * `2.5-zone` under the page's pte_chain_lock (a bit of page->flags: time inside page_table_lock,
 * no lock in the table), `2.4` keeps no reverse map. At exit (`unmapFiles`) zap_page_range
 * clears each pte under page_table_lock and the rmap variants remove the entry the same way.
 *
 * Reclaim (vmscan.ts) meets mapped pages on the inactive list. `2.4` (mm/vmscan.c of
 * 2.4.17–18) has no reverse map: shrink_cache passes over a page with page_count > 1, and once it
 * has passed over `max_mapped` of them it drops pagemap_lru_lock and calls `swap_out`, the scan of
 * the mms' page tables
 * (swap-out.ts), which clears old ptes and drops their pages' references. The rmap variants unmap a page
 * with try_to_unmap, walking its pte_chain. kswapd is
 * out of context for every mm, so per pte it pays: the mm's page_table_lock (a trylock: one atomic
 * on a line of the mapper's node); the pte itself — in lowmem page tables on the lowmem node; in
 * highmem page tables (pte-highmem, and UKVA, whose permanent mapping exists only inside its own
 * mm: the minutes' "out-of-context access falls back to atomic kmaps") through kmap_atomic
 * (KM_PTE0), or, with `kswapdKmapPool`, through kswapd's spare user address space kept as a
 * private pool whose mappings stay (no invlpg per access); clearing it; flush_tlb_page's IPI to
 * the mapper's CPU; freeing the pte_chain entry. A task in direct reclaim is out of context for
 * every other mm too, and has no kswapd pool: it always uses kmap_atomic.
 *
 * Simplified: a page's mappers are not recorded, only how many ptes map it, so a mapper's node is
 * the mean over the nodes (A); a fault of a page the process already maps maps it again (one more
 * pte); a pte is young from its fault until swap_out first visits it (the model's processes touch
 * a mapped file page only when they fault it); swap_out's walk does not see whether the page is
 * active or in the zone under pressure (its struct page is on the page's node), and counts a pte
 * unmapped as a page freed (a page the model maps is mapped once, by the process that faulted it);
 * `swap_mm` is each node's own (2.4 keeps one for the machine: a cursor all nodes' reclaim would
 * share), `mmlist_lock` is the global one; kswapd's pool costs nothing to fill (A: 768 Ki entries of user address space never wrap).
 */
import type { MemoryReport } from '@numasim/shared';
import { bug, invariant } from '../errors.js';
import { OP_NONE } from './mm-protocol.js';
import type { Mappings, PageCacheCore } from './node-services.js';
import { KC_PTE } from './highmem.js';
import { PTE_FILE_FAULT, PTE_FILE_ZAP } from './page-tables.js';
import { LINES_BUDDY, LINES_LRU, LINES_PAGECACHE } from './mm-shared.js';
import { SWAP_CLUSTER_MAX } from './reclaim.js';
import { UNMAP_BY_SWAP_OUT } from './vmscan.js';
import { PG_lru } from './page-frames.js';
import { ZONE_HIGHMEM, type ZoneType } from './zone.js';
import { NS_ZERO } from '../engine/time.js';
import { EV_SWAP_UNMAP, OP_SWAP_OUT_MM, SwapOut } from './swap-out.js';
import { Bounce, BOUNCE_PROTOCOL, OP_BOUNCE_ALLOC } from './bounce.js';
import type { RmapChains } from './rmap.js';
import { REMOTE_ANSWER_AFTER, REMOTE_POSTED } from './remote-ops.js';

/** The page cache's numbers, after the bounce buffers'. */
export const PAGECACHE_PROTOCOL = BOUNCE_PROTOCOL.extend('filemap.c', {
  steps: [
    'lookup', 'mark', 'marked', 'refault', 'refault alloc', 'refault got', 'refault insert',
    'refault lru', 'found', 'map', 'rmap add', 'mapped', 'unmap', 'unmap rmap',
  ],
  ops: ['mark', 'activate', 'alloc', 'lru add', 'map', 'unmap'],
});
// OP_PC_MARK arg: index | MAP_BIT when the fault maps it; answers MARK_* | generation << 2.
// OP_PC_ALLOC: a page for a page read back in; answers the frame or −1. OP_PC_MAP: a page read back
// for a fault. arg: index; answers its generation, or −1 if it is gone. OP_PC_UNMAP arg: index |
// generation << IDX_BITS.
const [OP_PC_MARK, OP_PC_ACTIVATE, OP_PC_ALLOC, OP_PC_LRU_ADD, OP_PC_MAP, OP_PC_UNMAP] = PAGECACHE_PROTOCOL.ops;

/** What mark_page_accessed found: done, an inactive page's second touch (activate it), or a page reclaim dropped (read it back). */
export const MARK_DONE = 0;
export const MARK_ACTIVATE = 1;
export const MARK_MISSING = 2;

/** A mapping's operation argument: the page's index in the low bits, its generation (mod 2¹⁰) above. */
const IDX_BITS = 21;
const IDX_MASK = (1 << IDX_BITS) - 1;
const GEN_MASK = (1 << 10) - 1;
/** OP_PC_MARK's flag: the lookup is a file fault's, which maps the page it finds. */
const MAP_BIT = 1 << IDX_BITS;

const [
  PC_LOOKUP, PC_MARK, PC_MARKED, PC_REFAULT, PC_REFAULT_ALLOC, PC_REFAULT_GOT, PC_REFAULT_INSERT,
  PC_REFAULT_LRU, PC_FOUND, PC_MAP, PC_RMAP_ADD, PC_MAPPED, PC_UNMAP, PC_UNMAP_RMAP,
] = PAGECACHE_PROTOCOL.steps;
const PC_FIRST = PAGECACHE_PROTOCOL.firstStep;
const OP_FIRST = OP_PC_MARK;
const OP_END = PAGECACHE_PROTOCOL.opEnd;
const PC_END = PAGECACHE_PROTOCOL.stepEnd;

/**
 * How much of memory the page cache fills before the run: kernbench half, mem-pressure all of it;
 * `pinned` (mix's read-only file set) half, without `page->index`, so reclaim never drops those
 * pages, and a page outside them is read from disk on every miss and never cached.
 */
export type CacheFill = 'half' | 'full' | 'pinned';

export class PageCache implements Mappings {
  /** The node whose files' pages and processes' mappings these are. */
  readonly node: number;
  /** A `pinned` fill: misses are not cached. */
  private readonly pinned: boolean;
  /** Frame caching each file page of this node, by index; −1: on disk. */
  private readonly pageFrameOf: Int32Array;
  /** Ptes mapping each file page, and its generation (bumped when reclaim drops the page). */
  private readonly mapped: Int32Array;
  /** The node's program steps and operation answers (cpu-state.ts), held here so the hot steps reach them in one load. */
  private readonly prog: Int32Array;
  private readonly opResult: Int32Array;
  private readonly gen: Int32Array;
  /** Mappings a process can hold at once (its file faults). */
  readonly M: number;
  // Per CPU: the lookup under way and the process's mappings.
  readonly fileNode: Int32Array;
  readonly fileIdx: Int32Array;
  private readonly mapIt: Uint8Array;
  private readonly foundNext: Int32Array;
  private readonly failNext: Int32Array;
  private readonly refaultWaits: Int32Array;
  /** Each CPU's process's file mappings (swap_out walks them): how many, each page's node and argument [i * M + k]. */
  readonly mapCount: Int32Array;
  readonly mapNode: Int32Array;
  readonly mapArg: Int32Array;
  private readonly unmapNext: Int32Array;
  /** The page a CPU's map or unmap operation is on its way to (node * 2²¹ + index), −1 when none. */
  private readonly inFlight: Float64Array;
  /** The generation of the page a file fault is mapping, −1 until known (a page read back learns it when mapped). */
  private readonly mapGen: Int32Array;
  /** Each mapping's pte young bit ([i * M + k]); 1 once the process exits (off the mm list). */
  readonly mapYoung: Uint8Array;
  readonly exiting: Uint8Array;
  /** 2.4's swap_out over these mappings (swap-out.ts). */
  readonly swapper: SwapOut;
  /** Mean miss cost from this node over all nodes: where an unrecorded mapper's data is. */
  private readonly meanMissNs: number;
  /** Share of the nodes whose highest zone is highmem (where pte-highmem and UKVA page tables need a kmap). */
  private readonly highPteShare: number;
  private kmapCarry = NS_ZERO;
  // Statistics (observation only).
  lookups = 0;
  activations = 0;
  refaults = 0;
  fileMaps = 0;

  /** The pte_chains of this node's file pages (rmap.ts; `forkCow` under rmap), or null: rmap's holds are fixed. */
  chains: RmapChains | null = null;

  /** Bounce buffers for read-backs into highmem (bounce.ts). */
  readonly bounce: Bounce;

  get bounceOn(): boolean {
    return this.lp.s.cfg.bounce;
  }

  constructor(
    private readonly lp: PageCacheCore,
    filePages: number,
    fill: CacheFill,
    mapsPerCpu: number,
  ) {
    const s = lp.s;
    const node = lp.node;
    this.node = node;
    // remoteOps=direct (remote-ops.ts): activate_page and a read-back page's lru_cache_add are the
    // CPU's own writes to the lists (posted); the read-back page's rmqueue answers after the release.
    // OP_PC_MAP and OP_PC_UNMAP under rmap walk the page's pte_chain, known only on its node: messages.
    lp.remoteKinds.declare(OP_PC_ACTIVATE, REMOTE_POSTED);
    lp.remoteKinds.declare(OP_PC_LRU_ADD, REMOTE_POSTED);
    lp.remoteKinds.declare(OP_PC_ALLOC, REMOTE_ANSWER_AFTER);
    this.prog = lp.prog;
    this.opResult = lp.opResult;
    const c = s.topo.cpusPerNode;
    const count = node < filePages ? Math.floor((filePages - 1 - node) / this.lp.s.topo.nodes) + 1 : 0;
    invariant(count <= IDX_MASK + 1, `node ${node} caches ${count} file pages, more than the ${IDX_MASK + 1} a mapping can name`);
    this.mapped = new Int32Array(count);
    this.gen = new Int32Array(count);
    this.M = Math.max(1, mapsPerCpu);
    this.fileNode = new Int32Array(c);
    this.fileIdx = new Int32Array(c);
    this.mapIt = new Uint8Array(c);
    this.foundNext = new Int32Array(c);
    this.failNext = new Int32Array(c);
    this.refaultWaits = new Int32Array(c);
    this.bounce = new Bounce(lp, c);
    this.mapCount = new Int32Array(c);
    this.mapNode = new Int32Array(c * this.M);
    this.mapArg = new Int32Array(c * this.M);
    this.unmapNext = new Int32Array(c);
    this.inFlight = new Float64Array(c).fill(-1);
    this.mapGen = new Int32Array(c).fill(-1);
    this.mapYoung = new Uint8Array(c * this.M);
    this.exiting = new Uint8Array(c);
    this.swapper = new SwapOut(lp, this, c);
    let miss = 0;
    for (let b = 0; b < this.lp.s.topo.nodes; b++) miss += s.memNs[node * this.lp.s.topo.nodes + b];
    this.meanMissNs = miss / this.lp.s.topo.nodes;
    this.highPteShare = s.maps.filter((m) => m.zones[m.zones.length - 1].type === ZONE_HIGHMEM).length / this.lp.s.topo.nodes;
    this.pinned = fill === 'pinned';
    this.pageFrameOf = this.fillCache(count, fill);
  }

  /**
   * The files' pages read before the run, on this node's highest zone's inactive list: `half` fills
   * at most half of the zone's free memory, `full` all of it but pages_high, so reclaim starts with
   * the first misses. The rest starts on disk.
   */
  private fillCache(count: number, fill: CacheFill): Int32Array {
    const frames = new Int32Array(count).fill(-1);
    const zone = this.lp.mem.zone(this.fileZoneType());
    const room = fill === 'full' ? Math.max(0, zone.freePages - zone.pagesHigh - SWAP_CLUSTER_MAX) : Math.floor(zone.freePages / 2);
    const cached = Math.min(count, room);
    for (let k = 0; k < cached; k++) {
      const frame = this.lp.mem.rmqueue(zone.type);
      invariant(frame >= 0, `node ${this.lp.node} has no room for its ${cached} page-cache pages`);
      this.lp.mem.lruAdd(frame);
      if (fill !== 'pinned') this.lp.mem.frames.index[frame] = k;
      frames[k] = frame;
    }
    return frames;
  }

  /**
   * The reverse-map invariant across nodes: every page's pte count equals the mappings the
   * processes hold of its current copy — up to the map and unmap operations still on their way
   * when the run stopped — and a page on disk is mapped by nobody.
   */
  static checkMappings(nodes: readonly PageCache[]): void {
    const want = nodes.map((lp) => new Int32Array(lp.mapped.length));
    const slack = nodes.map((lp) => new Int32Array(lp.mapped.length));
    for (const lp of nodes) {
      for (let k = 0; k < lp.swapper.unmapsSent.length; k += 2) {
        const f = lp.swapper.unmapsSent[k];
        slack[Math.floor(f / (IDX_MASK + 1))][f % (IDX_MASK + 1)]++;
      }
      for (let i = 0; i < lp.mapCount.length; i++) {
        const f = lp.inFlight[i];
        if (f >= 0) slack[Math.floor(f / (IDX_MASK + 1))][f % (IDX_MASK + 1)]++;
        for (let k = 0; k < lp.mapCount[i]; k++) {
          const at = i * lp.M + k;
          const home = nodes[lp.mapNode[at]];
          const idx = lp.mapArg[at] & IDX_MASK;
          if ((home.gen[idx] & GEN_MASK) === lp.mapArg[at] >>> IDX_BITS) want[home.node][idx]++;
        }
      }
    }
    for (const lp of nodes) {
      for (let idx = 0; idx < lp.mapped.length; idx++) {
        const held = want[lp.node][idx];
        invariant(lp.mapped[idx] >= held && lp.mapped[idx] <= held + slack[lp.node][idx], `node ${lp.node} file page ${idx}: ${lp.mapped[idx]} ptes counted, ${held} held by processes`);
        invariant(lp.pageFrameOf[idx] >= 0 || lp.mapped[idx] === 0, `node ${lp.node} file page ${idx} is on disk and mapped`);
      }
    }
  }

  /** Page-cache pages come from the node's highest zone. */
  fileZoneType(node = this.lp.node): ZoneType {
    const zones = this.lp.s.maps[node].zones;
    return zones[zones.length - 1].type;
  }

  /**
   * Looks up file page `t` on CPU index `i` (the caller charges the fault or system call that
   * starts it); `map`: a file fault that maps the page. On `next` the page is in the cache
   * (`fileNode`/`fileIdx` say which); on `failNext` reading it back failed for want of memory (or,
   * with a `pinned` fill, the page was read from disk without being cached).
   */
  lookupPage(i: number, t: number, map: boolean, next: number, failNext: number): void {
    this.fileNode[i] = t % this.lp.s.topo.nodes;
    this.fileIdx[i] = Math.floor(t / this.lp.s.topo.nodes);
    this.mapIt[i] = map ? 1 : 0;
    this.foundNext[i] = next;
    this.failNext[i] = failNext;
    this.prog[i] = PC_LOOKUP;
  }

  /** zap_page_range of every file page the process on CPU index `i` maps (exit); then `next`. */
  unmapFiles(i: number, next: number): void {
    this.exiting[i] = 1; // exit_mmap takes the mm off the mm list: swap_out no longer visits it
    this.unmapNext[i] = next;
    this.prog[i] = PC_UNMAP;
  }

  private lruLockOfFile(node: number): number {
    return this.lp.s.cfg.lru === '2.5-zone' ? this.lp.s.zoneLruLock[node * 3 + this.fileZoneType(node)] : this.lp.s.pagemapLruLock;
  }

  /**
   * try_to_unmap's cost per pte, from kswapd on this node (see the header). Highmem and UKVA page
   * tables are in each mapper node's highest zone: highmem where the node has it (`highPteShare` of
   * the nodes), where kswapd must map them (kmap_atomic, or its own pool); kmaps are counted whole,
   * the share carried from pte to pte.
   */
  private unmapPteNs(): number {
    const s = this.lp.s;
    const costs = s.cfg.costs;
    let pte: number;
    if (s.cfg.pte === 'lowmem') pte = s.memNs[this.lp.node * this.lp.s.topo.nodes + this.lp.lowmemNode];
    else {
      pte = this.meanMissNs;
      this.kmapCarry += this.highPteShare;
      const mapped = this.kmapCarry >= 1;
      if (mapped) this.kmapCarry--;
      if (s.cfg.kswapdKmapPool && this.lp.reclaim!.byKswapd) {
        if (mapped) this.lp.kswapdPoolMaps++;
      } else {
        pte += this.highPteShare * (costs.tlbFlushOneNs + costs.pteSetNs);
        if (mapped) {
          this.lp.kmapAtomicCalls[KC_PTE]++;
          this.lp.kmapAtomic++;
        }
      }
    }
    return costs.lockAtomicNs + this.meanMissNs + pte + costs.pteSetNs + costs.ipiNs + costs.rmapOpNs;
  }

  unmapForReclaim(frame: number): number {
    const idx = this.lp.mem.frames.index[frame];
    if (idx < 0) return -1;
    const ptes = this.mapped[idx];
    if (ptes === 0) return 0;
    if (this.lp.s.cfg.lru === '2.4') return UNMAP_BY_SWAP_OUT;
    let ns = 0;
    for (let k = 0; k < ptes; k++) ns += this.unmapPteNs();
    this.lp.ptesUnmapped += ptes;
    this.lp.unmapTlbIpis += ptes;
    this.lp.unmapWalkNs += ns;
    return ns;
  }

  dropFromCache(frame: number): void {
    const idx = this.lp.mem.frames.index[frame];
    this.pageFrameOf[idx] = -1;
    this.mapped[idx] = 0;
    this.gen[idx]++;
    if (this.chains !== null) this.chains.clear(idx); // try_to_unmap emptied its chain
    this.lp.mem.frames.index[frame] = -1;
  }

  /** Whether `op` is the page cache's (its own, swap_out's or the bounce buffers'). */
  static ownsOp(op: number): boolean {
    return (op >= OP_FIRST && op < OP_END) || op === OP_SWAP_OUT_MM || op === OP_BOUNCE_ALLOC;
  }

  applyOp(op: number, arg: number): number {
    switch (op) {
      case OP_PC_MARK: {
        // find_get_page's reference pins the page: a fault's mapping is counted here, with the page.
        const idx = arg & IDX_MASK;
        const frame = this.pageFrameOf[idx];
        if (frame < 0) return MARK_MISSING;
        if ((arg & MAP_BIT) !== 0) this.mapped[idx]++;
        const mark = this.lp.mem.lru[this.lp.mem.zoneIndexOfFrame(frame)].markPageAccessed(frame) ? MARK_ACTIVATE : MARK_DONE;
        return mark | ((this.gen[idx] & GEN_MASK) << 2);
      }
      case OP_PC_ACTIVATE: {
        // The page may have been reclaimed since it was marked: then there is nothing to move.
        const frame = this.pageFrameOf[arg];
        if (frame >= 0) this.lp.mem.lru[this.lp.mem.zoneIndexOfFrame(frame)].activate(frame);
        return 0;
      }
      case OP_PC_ALLOC: {
        if (this.pageFrameOf[arg] >= 0) return this.pageFrameOf[arg]; // another CPU read it back first
        // __alloc_pages on the page's own zone: below pages_low wake kswapd, below pages_min wait for it.
        const zone = this.lp.mem.zone(this.fileZoneType());
        if (zone.freePages <= zone.pagesLow) {
          this.lp.kswapdWakeups++;
          this.lp.kswapdWake();
        }
        const frame = zone.freePages > zone.pagesMin ? this.lp.mem.rmqueue(zone.type) : -1;
        if (frame < 0) return -1;
        this.pageFrameOf[arg] = frame;
        this.lp.mem.frames.index[frame] = arg;
        return frame;
      }
      case OP_PC_LRU_ADD: {
        const frame = this.pageFrameOf[arg];
        if (frame >= 0 && (this.lp.mem.frames.flags[frame] & PG_lru) === 0) this.lp.mem.lruAdd(frame);
        return 0;
      }
      case OP_PC_MAP: {
        if (this.pageFrameOf[arg] < 0) return -1; // dropped between the lookup and the fault's pte
        this.mapped[arg]++;
        return this.gen[arg] & GEN_MASK;
      }
      case OP_PC_UNMAP:
        // page_remove_rmap (forkCow under rmap): the walk down the chain of the page's current copy to this CPU's pte.
        if (this.chains !== null && (this.gen[arg & IDX_MASK] & GEN_MASK) === arg >>> IDX_BITS) this.lp.opExtraNs += this.chains.remove(arg & IDX_MASK, this.lp.opCpu);
        this.dropPte(arg);
        return 0;
      case OP_SWAP_OUT_MM:
        return this.swapper.swapOutMm(arg & 0xff, (arg >>> 8) & 0xff, arg >>> 16);
      case OP_BOUNCE_ALLOC:
        return this.bounce.applyOp();
    }
    invariant(false, `operation ${op} is not the page cache's`);
  }

  /** Whether step `p` is the page cache's (its own, swap_out's or the bounce buffers'). */
  static owns(p: number): boolean {
    return (p >= PC_FIRST && p < PC_END) || SwapOut.owns(p) || Bounce.owns(p);
  }

  step(i: number, cpu: number, p: number): boolean {
    if (SwapOut.owns(p)) return this.swapper.step(i, cpu, p);
    if (Bounce.owns(p)) return this.bounce.step(i, cpu, p);
    const s = this.lp.s;
    const costs = s.cfg.costs;
    const node = this.fileNode[i];
    const idx = this.fileIdx[i];
    switch (p) {
      case PC_LOOKUP:
        // The hash chain walk and page_cache_get under the global pagecache_lock.
        this.lookups++;
        this.lp.lockedOp(i, cpu, s.pagecacheLock, this.mapIt[i] === 1 ? s.callers.find_get_page : s.callers.do_generic_file_read, OP_NONE, -1, 0, this.lp.pagecacheHoldNs(node), LINES_PAGECACHE, PC_MARK);
        return false;
      case PC_MARK:
        if (this.mapIt[i] === 1) this.inFlight[i] = node * (IDX_MASK + 1) + idx;
        return this.lp.pageOp(i, cpu, node, OP_PC_MARK, idx | (this.mapIt[i] === 1 ? MAP_BIT : 0), PC_MARKED);
      case PC_MARKED: {
        const mark = this.opResult[i] & 3;
        this.mapGen[i] = mark === MARK_MISSING ? -1 : this.opResult[i] >>> 2;
        if (mark === MARK_DONE) {
          this.prog[i] = PC_FOUND;
          return true;
        }
        if (mark === MARK_MISSING) {
          // Reclaim dropped it (or it never was cached): read it back from disk into a new page of its node.
          this.refaults++;
          if (this.pinned) {
            // Read from disk into the reader's buffer, not into the page cache.
            this.prog[i] = this.failNext[i];
            this.lp.after(cpu, costs.diskReadNs);
            return false;
          }
          if (s.cfg.bounce && this.fileZoneType(node) === ZONE_HIGHMEM) {
            this.bounce.startRead(i, PC_REFAULT);
            return true;
          }
          this.prog[i] = PC_REFAULT;
          this.lp.after(cpu, costs.diskReadNs);
          return false;
        }
        // Second touch of an inactive page: activate_page under the LRU lock that guards it.
        this.activations++;
        this.lp.lockedOp(i, cpu, this.lruLockOfFile(node), s.callers.activate_page, OP_PC_ACTIVATE, node, idx, costs.lruListOpNs + this.lp.structPageNs(node), LINES_LRU, PC_FOUND);
        return false;
      }
      case PC_REFAULT:
        this.refaultWaits[i] = 0;
        this.prog[i] = PC_REFAULT_ALLOC;
        return true;
      case PC_REFAULT_ALLOC:
        this.lp.lockedOp(i, cpu, s.zoneLock[node * 3 + this.fileZoneType(node)], s.callers.rmqueue, OP_PC_ALLOC, node, idx, costs.buddyOpNs + this.lp.structPageNs(node), LINES_BUDDY, PC_REFAULT_GOT);
        return false;
      case PC_REFAULT_GOT: {
        if (this.opResult[i] < 0) {
          // No page on its node: wait for that node's reclaim, then try again; in the end the read fails.
          if (this.lp.reclaim!.waitFor(i, cpu, node, PC_REFAULT_ALLOC, this.refaultWaits[i]++ === 0)) return false;
          this.lp.allocationFailures++;
          this.inFlight[i] = -1;
          this.bounce.release(i, this.failNext[i]);
          return true;
        }
        this.bounce.release(i, PC_REFAULT_INSERT);
        if (!this.bounce.holds(i)) return true;
        this.lp.after(cpu, this.bounce.endIoReadNs(node));
        return false;
      }
      case PC_REFAULT_INSERT:
        this.lp.lockedOp(i, cpu, s.pagecacheLock, s.callers.add_to_page_cache, OP_NONE, -1, 0, this.lp.pagecacheHoldNs(node), LINES_PAGECACHE, PC_REFAULT_LRU);
        return false;
      case PC_REFAULT_LRU:
        this.lp.lockedOp(i, cpu, this.lruLockOfFile(node), s.callers.lru_cache_add, OP_PC_LRU_ADD, node, idx, costs.lruListOpNs + this.lp.structPageNs(node), LINES_LRU, PC_FOUND);
        return false;
      case PC_FOUND:
        this.prog[i] = this.mapIt[i] === 1 ? PC_MAP : this.foundNext[i];
        return true;
      case PC_MAP: {
        // do_no_page: the pte under mm->page_table_lock; 2.5's page_add_rmap inside it, under the page's pte_chain_lock.
        if (this.lp.pteKmapDetour(i, PTE_FILE_FAULT, PC_MAP)) return true;
        const rmap25 = s.cfg.lru === '2.5-zone' ? costs.rmapOpNs + this.lp.structPageNs(node) : 0;
        this.lp.lockedOp(i, cpu, this.lp.ptlOf(cpu), s.callers.do_no_page, OP_NONE, -1, 0, costs.pteSetNs + this.lp.pteAccessNs(i, PTE_FILE_FAULT) + rmap25, 0, PC_RMAP_ADD);
        return false;
      }
      case PC_RMAP_ADD: {
        // The pte is set. 2.4-rmap: page_add_rmap under pagemap_lru_lock. A page read back for this
        // fault was not counted by the lookup: count it now, where it lives.
        let count = this.mapGen[i] < 0 ? OP_PC_MAP : OP_NONE;
        if (s.cfg.lru === 'rmap') {
          // With pte_chains (forkCow) the entry goes on the page's chain, on its node (fork.ts's operation: index + 1).
          const chain = count === OP_NONE && this.lp.rmapHook !== null;
          if (chain) count = this.lp.rmapHook!.opAdd;
          this.lp.lockedOp(i, cpu, s.pagemapLruLock, s.callers.page_add_rmap, count, count === OP_NONE ? -1 : node, chain ? idx + 1 : idx, costs.rmapOpNs + this.lp.structPageNs(node), LINES_LRU, PC_MAPPED);
          return false;
        }
        if (count === OP_NONE) {
          this.opResult[i] = this.mapGen[i];
          this.prog[i] = PC_MAPPED;
          return true;
        }
        return this.lp.pageOp(i, cpu, node, OP_PC_MAP, idx, PC_MAPPED);
      }
      case PC_MAPPED: {
        // The process remembers the pte (page and generation) for its exit; a page gone meanwhile is not mapped.
        this.inFlight[i] = -1;
        const gen = this.mapGen[i] >= 0 ? this.mapGen[i] : this.opResult[i];
        if (gen >= 0) {
          if (this.mapCount[i] >= this.M) bug(`CPU index ${i} maps more than ${this.M} file pages`);
          const at = i * this.M + this.mapCount[i]++;
          this.mapNode[at] = node;
          this.mapArg[at] = idx | (gen << IDX_BITS);
          this.mapYoung[at] = 1;
          this.fileMaps++;
        }
        this.prog[i] = this.foundNext[i];
        return true;
      }
      case PC_UNMAP: {
        this.inFlight[i] = -1;
        if (this.mapCount[i] === 0) {
          this.exiting[i] = 0;
          this.prog[i] = this.unmapNext[i];
          return true;
        }
        if (this.lp.pteKmapDetour(i, PTE_FILE_ZAP, PC_UNMAP)) return true;
        const at = i * this.M + this.mapCount[i] - 1;
        const rmap25 = s.cfg.lru === '2.5-zone' ? costs.rmapOpNs + this.lp.structPageNs(this.mapNode[at]) : 0;
        this.lp.lockedOp(i, cpu, this.lp.ptlOf(cpu), s.callers.zap_page_range, OP_NONE, -1, 0, costs.pteSetNs + this.lp.pteAccessNs(i, PTE_FILE_ZAP) + rmap25, 0, PC_UNMAP_RMAP);
        return false;
      }
      case PC_UNMAP_RMAP: {
        const at = i * this.M + --this.mapCount[i];
        const where = this.mapNode[at];
        this.inFlight[i] = where * (IDX_MASK + 1) + (this.mapArg[at] & IDX_MASK);
        if (s.cfg.lru === 'rmap') {
          this.lp.lockedOp(i, cpu, s.pagemapLruLock, s.callers.page_remove_rmap, OP_PC_UNMAP, where, this.mapArg[at], costs.rmapOpNs + this.lp.structPageNs(where), LINES_LRU, PC_UNMAP);
          return false;
        }
        return this.lp.pageOp(i, cpu, where, OP_PC_UNMAP, this.mapArg[at], PC_UNMAP);
      }
    }
    invariant(false, `CPU ${cpu} is at step ${p}, which is not the page cache's`);
  }

  swapOut(i: number, _cpu: number, next: number): boolean {
    this.swapper.start(i, next);
    return true;
  }

  /** The key of a page of node `node` in the mapping checks: node * 2²¹ + index (`pte`: index | generation). */
  pageKey(node: number, pte: number): number {
    return node * (IDX_MASK + 1) + (pte & IDX_MASK);
  }

  /** One pte of this node's file page gone (`arg`: index | generation); a pte of an older copy went with that copy. */
  dropPte(arg: number): void {
    const idx = arg & IDX_MASK;
    if ((this.gen[idx] & GEN_MASK) === arg >>> IDX_BITS && this.mapped[idx] > 0) this.mapped[idx]--;
  }

  /** Whether `kind` is the page cache's event (a pte swap_out dropped). */
  static ownsEvent(kind: number): boolean {
    return kind === EV_SWAP_UNMAP;
  }

  handleEvent(a: number): void {
    this.dropPte(a);
  }
}

/** The bounce buffers of a run with `bounce` on (nothing otherwise). */
export function pageCacheReport(nodes: readonly PageCache[]): Pick<MemoryReport, 'bounce'> {
  if (nodes.length === 0 || !nodes[0].bounceOn) return {};
  return { bounce: { pages: nodes.reduce((s, n) => s + n.bounce.pages, 0), emergencyPool: nodes.reduce((s, n) => s + n.bounce.emergency, 0) } };
}
