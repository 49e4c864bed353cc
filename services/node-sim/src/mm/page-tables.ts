/**
 * Page-table pages and where they live (the `pte` knob), after Linux 2.4.18 mm/memory.c
 * (`pte_alloc`, `copy_page_range`, `clear_page_tables`), 2.5's highpte (`pte_offset_map`,
 * `pte_offset_map_nested`: kmap_atomic with KM_PTE0 and KM_PTE1) and the 2.4 -aa pte-highmem
 * patch (Andrea Arcangeli, January 2002: page tables reached through the persistent kmap pool,
 * their page->virtual kept; docs/SOURCES.md#pte-highmem). A page-table page is an allocation in
 * the zones: ZONE_NORMAL for `lowmem` (node 0 on i386 NUMA), the node's own highest zone for
 * `highmem`, `highmem-kmap` and `ukva`.
 *
 * What reaching a pte costs (`accessNs`, docs/SOURCES.md#pte-walk): a pte is 4 bytes and a P6 line
 * 32, so 8 ptes share a line. `pteWalk=per-pte` (the default, the model before) charges a miss on
 * every access. `pteWalk=sequential`: a process faults its anonymous pages in address order (heap and
 * stack grow one page at a time) and zap_page_range walks ptes in order, so one access in 8 starts
 * a new line and misses (A: the line stays in the CPU's cache between two faults of its process);
 * file faults keep their own position. highpte maps the page-table page twice in every fault
 * (handle_mm_fault's pte_offset_map, then again after do_anonymous_page's allocation or do_no_page's
 * ->nopage, which run with the pte unmapped) but once per page-table page in a zap (zap_pte_range
 * maps a pmd's page and walks it), and each kmap_atomic is a fixmap pte set, an invlpg and the TLB refill
 * of the next access to the slot (`lockAtomicNs`, A: a hardware walk whose pde and pte lines the
 * kmap_atomic just wrote, so both are cached: tens of cycles, like a locked operation on a cached
 * line). `highmem-kmap` does kmap_high and kunmap_high through the `kmap` knob's pool (kmap.ts:
 * the global pool under kmap_lock in 2.4) where highpte would kmap_atomic; the mapping is taken
 * and dropped before the page_table_lock section (simplified: the kernel kept it across).
 *
 * A process gets its page-table pages at fork (copy_page_range: copied from the parent's, same placement)
 * or as a new image faults in (pte_alloc: cleared), all at once here, and frees them at exec's
 * exit_mmap of the old mm and at exit; with pte-highmem each is mapped through kmap_atomic to be
 * filled. The node composes one `PageTables` for its CPUs' processes.
 *
 * Locking rule: the page-table pages of a process are its mm's, under `mm->page_table_lock`; a
 * page-table page comes from the buddy allocator under `zone->lock` (`rmqueue`), which is what the
 * model charges (the allocation is made with page_table_lock dropped, as pte_alloc does).
 *
 * Left out: page-directory pages; the page-table pages' own LRU-less life (never reclaimed);
 * failed allocations only counted (fork or the fault would fail with ENOMEM; the process goes on).
 */
import { LINES_BUDDY } from './mm-shared.js';
import { ZONE_HIGHMEM, ZONE_NORMAL, type ZoneType } from './zone.js';
import { RECLAIM_PROTOCOL } from './vmscan.js';
import type { HighmemCore } from './node-services.js';
import { KC_PTE, kmapPageId } from './highmem.js';
import type { Kmap } from './kmap.js';

/** The pte walks `pteWalk=sequential` keeps a position in, per CPU: faults and zaps, anonymous and file. */
export const PTE_ANON_FAULT = 0;
export const PTE_FILE_FAULT = 1;
export const PTE_ANON_ZAP = 2;
export const PTE_FILE_ZAP = 3;
const PTE_WALKS = 4;
/** 4-byte ptes in a 32-byte P6 cache line (non-PAE i386). */
const PTES_PER_LINE = 8;
/** 2.5 highpte: pte_offset_map in handle_mm_fault, pte_unmap before the allocation or ->nopage, pte_offset_map again. */
const KMAPS_PER_FAULT = 2;
/** kmap page ids of page-table pages (highmem-kmap): tag, node, frame. */
const PAGE_TAG_PT = 3;

/** The page tables' numbers, after reclaim's. */
export const PAGE_TABLES_PROTOCOL = RECLAIM_PROTOCOL.extend('memory.c page tables', {
  steps: ['pte alloc', 'pte got', 'pte free'],
  ops: ['pte alloc'],
});
const [PT_ALLOC, PT_GOT, PT_FREE] = PAGE_TABLES_PROTOCOL.steps;
/** A page-table page from zone `arg` (above pages_min), or −1. */
export const [OP_PT_ALLOC] = PAGE_TABLES_PROTOCOL.ops;

/** Page-table pages a CPU's process holds at most. */
const MAX_PT = 80;
/** PTRS_PER_PTE on non-PAE i386, and the cache lines of one page-table page (32-byte lines). */
const PTRS_PER_PTE = 1024;
const PT_LINES = 128;
/** Page-table pages of a process besides those of its anonymous memory: text, libraries, stack (assumption). */
export const PT_REGIONS = 3;

export class PageTables {
  /** Page-table pages each CPU's process holds: [i * MAX_PT + k]; the sub-program that fills them. */
  private readonly ptNode: Int32Array;
  private readonly ptFrame: Int32Array;
  private readonly ptHeld: Int32Array;
  private readonly ptLeft: Int32Array;
  private readonly ptCopy: Uint8Array;
  private readonly ptNext: Int32Array;
  /** pteWalk=sequential: each CPU's process's position in each walk ([i * PTE_WALKS + walk]). */
  private readonly walkPos: Int32Array;
  /** highmem-kmap: 1 once the kmap of CPU index `i`'s pte access is done (the caller's step runs again). */
  private readonly kmapped: Uint8Array;
  private readonly sequential: boolean;
  // Statistics (observation only).
  allocated = 0;
  failed = 0;
  /** Pte line misses charged (every access with pteWalk=per-pte). */
  pteLineMisses = 0;

  constructor(
    private readonly lp: HighmemCore,
    threads: number,
    private readonly kmap: Kmap | null = null,
  ) {
    this.walkPos = new Int32Array(threads * PTE_WALKS);
    this.kmapped = new Uint8Array(threads);
    this.sequential = lp.s.cfg.pteWalk === 'sequential';
    this.ptNode = new Int32Array(threads * MAX_PT);
    this.ptFrame = new Int32Array(threads * MAX_PT);
    this.ptHeld = new Int32Array(threads);
    this.ptLeft = new Int32Array(threads);
    this.ptCopy = new Uint8Array(threads);
    this.ptNext = new Int32Array(threads);
  }

  /**
   * pte_offset_map on CPU index `i`, in context, for an access of `walk` (PTE_ANON_FAULT …): the
   * pte's line where the page table lives (ZONE_NORMAL, node 0 on i386 NUMA, for `lowmem`; the
   * node's own highmem otherwise), missed on every access or, with pteWalk=sequential, one in 8;
   * highpte adds its kmap_atomic (fixmap pte, invlpg, TLB refill) per fault and per page-table
   * page of a zap; UKVA reaches the node-local page table directly; highmem-kmap's kmap_high is a
   * program of its own (`kmapDetour`).
   */
  accessNs(i: number, walk = PTE_ANON_FAULT): number {
    const lp = this.lp;
    const s = lp.s;
    const n = s.topo.nodes;
    const pte = s.cfg.pte;
    const lineNs = s.memNs[lp.node * n + (pte === 'lowmem' ? lp.lowmemNode : lp.node)];
    const costs = s.cfg.costs;
    // highpte's kmap_atomics for this access: a fault maps the pte in handle_mm_fault, unmaps it to
    // allocate (do_anonymous_page) or to call ->nopage (do_no_page), and maps it again: two; a zap one
    // per page-table page (every access with per-pte pricing, as before).
    const fault = walk < PTE_ANON_ZAP;
    const kmapNs = costs.tlbFlushOneNs + costs.pteSetNs + costs.lockAtomicNs;
    if (!this.sequential) {
      this.pteLineMisses++;
      if (pte !== 'highmem') return lineNs;
      const kmaps = fault ? KMAPS_PER_FAULT : 1;
      lp.kmapAtomicCalls[KC_PTE] += kmaps;
      lp.kmapAtomic += kmaps;
      return lineNs + kmaps * kmapNs;
    }
    const pos = this.walkPos[i * PTE_WALKS + walk]++;
    let ns = 0;
    if (pos % PTES_PER_LINE === 0) {
      this.pteLineMisses++;
      ns += lineNs;
    }
    if (pte === 'highmem' && (fault || pos % PTRS_PER_PTE === 0)) {
      const kmaps = fault ? KMAPS_PER_FAULT : 1;
      lp.kmapAtomicCalls[KC_PTE] += kmaps;
      lp.kmapAtomic += kmaps;
      ns += kmaps * kmapNs;
    }
    return ns;
  }

  /**
   * highmem-kmap: before the pte access of `walk` on CPU index `i`, kmap_high and kunmap_high of its
   * page-table page (the pool's page->virtual is reused while the mapping stays cached), then the
   * program comes back to `here`. Returns true when that detour was started; false when the caller
   * goes on (no detour needed, or it is done).
   */
  kmapDetour(i: number, walk: number, here: number): boolean {
    if (this.lp.s.cfg.pte !== 'highmem-kmap' || this.kmap === null) return false;
    if (this.kmapped[i] === 1) {
      this.kmapped[i] = 0;
      return false;
    }
    const pos = this.walkPos[i * PTE_WALKS + walk];
    // A zap maps each page-table page once (sequential); a fault maps its page every time.
    if (this.sequential && walk >= PTE_ANON_ZAP && pos % PTRS_PER_PTE !== 0) return false;
    const held = this.ptHeld[i];
    const k = held === 0 ? 0 : Math.min(held - 1, Math.floor(pos / PTRS_PER_PTE) + (walk === PTE_FILE_FAULT || walk === PTE_FILE_ZAP ? 1 : 0));
    const frame = held === 0 ? i : this.ptFrame[i * MAX_PT + k];
    this.kmapped[i] = 1;
    this.kmap.copy(i, KC_PTE, kmapPageId(PAGE_TAG_PT, this.lp.node, frame), 1, this.lp.node, true, 1, 0, here);
    return true;
  }

  /** Page-table pages of a process with `anonPages` of anonymous memory: one per 4 MiB, plus PT_REGIONS. */
  pagesFor(anonPages: number): number {
    return Math.min(MAX_PT, Math.ceil(anonPages / PTRS_PER_PTE) + PT_REGIONS);
  }

  /** Page-table pages the process on CPU index `i` holds. */
  held(i: number): number {
    return this.ptHeld[i];
  }

  /**
   * `pages` page-table pages for the process on CPU index `i`: `copy` — fork's copy_page_range
   * from the parent's (same placement), else new zeroed ones (pte_alloc as the image faults in).
   * An allocation that fails is counted and the rest are not tried. Then `next`.
   */
  alloc(i: number, pages: number, copy: boolean, next: number): void {
    this.walkPos.fill(0, i * PTE_WALKS, (i + 1) * PTE_WALKS); // a new address space: its walks start over
    this.ptLeft[i] = Math.min(pages, MAX_PT - this.ptHeld[i]);
    this.ptCopy[i] = copy ? 1 : 0;
    this.ptNext[i] = next;
    this.lp.prog[i] = PT_ALLOC;
  }

  /** Frees every page-table page of the process on CPU index `i` (exec's exit_mmap of the old mm, exit); then `next`. */
  free(i: number, next: number): void {
    this.ptNext[i] = next;
    this.lp.prog[i] = PT_FREE;
  }

  /** Whether step `p` is one of this subsystem's. */
  static owns(p: number): boolean {
    return p >= PAGE_TABLES_PROTOCOL.firstStep && p < PAGE_TABLES_PROTOCOL.stepEnd;
  }

  step(i: number, cpu: number, p: number): boolean {
    const lp = this.lp;
    switch (p) {
      case PT_ALLOC: {
        if (this.ptLeft[i] === 0) {
          lp.prog[i] = this.ptNext[i];
          return true;
        }
        const z = this.zone();
        const hold = lp.s.cfg.costs.buddyOpNs + lp.structPageNs(z.node);
        lp.lockedOp(i, cpu, lp.s.zoneLock[z.node * 3 + z.type], lp.s.callers.rmqueue, OP_PT_ALLOC, z.node, z.type, hold, LINES_BUDDY, PT_GOT);
        return false;
      }
      case PT_GOT: {
        const z = this.zone();
        const frame = lp.opResult[i];
        if (frame < 0) {
          this.failed += this.ptLeft[i];
          lp.allocationFailures++;
          this.ptLeft[i] = 0;
          lp.prog[i] = this.ptNext[i];
          return true;
        }
        const k = i * MAX_PT + this.ptHeld[i]++;
        this.ptNode[k] = z.node;
        this.ptFrame[k] = frame;
        this.allocated++;
        this.ptLeft[i]--;
        lp.prog[i] = PT_ALLOC;
        const copy = this.ptCopy[i] === 1;
        const fill = this.fillNs(z.node, z.type, copy);
        if (this.kmap !== null && lp.s.cfg.pte === 'highmem-kmap' && z.type === ZONE_HIGHMEM) {
          // -aa pte-highmem: the new page-table page (and, for fork, the parent's) through the pool,
          // the fill done while mapped (the parent's page stands in as the next frame's id).
          const rounds = copy ? 2 : 1;
          this.kmap.copy(i, KC_PTE, kmapPageId(PAGE_TAG_PT, z.node, frame), rounds, z.node, true, rounds, fill / rounds, PT_ALLOC);
          return true;
        }
        lp.after(cpu, fill);
        return false;
      }
      default: {
        if (this.ptHeld[i] === 0) {
          lp.prog[i] = this.ptNext[i];
          return true;
        }
        const k = i * MAX_PT + --this.ptHeld[i];
        lp.freePage(i, cpu, this.ptNode[k], this.ptFrame[k], PT_FREE);
        return false;
      }
    }
  }

  /** pte_alloc → __alloc_pages(GFP_KERNEL) on this node's zone `type`: a page while the zone is above pages_min, else −1. */
  applyOp(type: ZoneType): number {
    const zone = this.lp.mem.zone(type);
    return zone.freePages > zone.pagesMin ? this.lp.mem.rmqueue(zone.type) : -1;
  }

  /** The zone a page-table page comes from: ZONE_NORMAL for lowmem page tables, else the node's own highest zone. */
  private zone(): { node: number; type: ZoneType } {
    const lp = this.lp;
    if (lp.s.cfg.pte === 'lowmem') return { node: lp.lowmemNode, type: ZONE_NORMAL };
    const zones = lp.s.maps[lp.node].zones;
    return { node: lp.node, type: zones[zones.length - 1].type };
  }

  /** Filling one page-table page on `node` (copying the parent's, or clearing), ns; pte-highmem maps through kmap_atomic. */
  private fillNs(node: number, type: ZoneType, copy: boolean): number {
    const lp = this.lp;
    const costs = lp.s.cfg.costs;
    // highpte: copy_page_range maps the child's page with pte_offset_map (KM_PTE0) and the parent's
    // with pte_offset_map_nested (KM_PTE1); pte_alloc_one clears a new one through KM_USER0. Each is
    // a fixmap pte, an invlpg and the refill of the slot's TLB entry. (highmem-kmap maps them through
    // the pool instead: PT_GOT.)
    const kmaps = type === ZONE_HIGHMEM && lp.s.cfg.pte === 'highmem' ? (copy ? 2 : 1) : 0;
    lp.kmapAtomicCalls[KC_PTE] += kmaps;
    lp.kmapAtomic += kmaps;
    const lineNs = lp.s.memNs[lp.node * lp.s.topo.nodes + node];
    const fill = copy ? 2 * PT_LINES * lineNs + PTRS_PER_PTE * costs.pteSetNs : lp.pageStreamNs(node, costs.pageClearNs);
    return fill + kmaps * (costs.tlbFlushOneNs + costs.pteSetNs + costs.lockAtomicNs);
  }
}
