/**
 * Page-table pages and where they live (the `pte` knob), after Linux 2.4.18 mm/memory.c
 * (`pte_alloc`, `copy_page_range`, `clear_page_tables`) and the pte-highmem patch for 2.4
 * (`pte_offset_map`, KM_PTE0 and KM_PTE1). A page-table page is an allocation in the zones:
 * ZONE_NORMAL for `lowmem` (node 0 on i386 NUMA), the node's own highest zone for `highmem` and
 * `ukva`. A process gets them at fork (copy_page_range: copied from the parent's, same placement)
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
import { invariant } from '../errors.js';
import { LINES_BUDDY } from './mm-shared.js';
import { ZONE_HIGHMEM, ZONE_NORMAL, type ZoneType } from './zone.js';
import { RECLAIM_PROTOCOL } from './vmscan.js';
import type { HighmemCore } from './node-services.js';
import { KC_PTE } from './highmem.js';

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
  // Statistics (observation only).
  allocated = 0;
  failed = 0;

  constructor(
    private readonly lp: HighmemCore,
    threads: number,
  ) {
    this.ptNode = new Int32Array(threads * MAX_PT);
    this.ptFrame = new Int32Array(threads * MAX_PT);
    this.ptHeld = new Int32Array(threads);
    this.ptLeft = new Int32Array(threads);
    this.ptCopy = new Uint8Array(threads);
    this.ptNext = new Int32Array(threads);
  }

  /**
   * pte_offset_map on CPU index `i`, in context (page-table placement, `pte` knob): a lowmem page
   * table is read directly where ZONE_NORMAL is (node 0 on i386 NUMA: a remote miss for the other
   * quads); pte-highmem maps it with kmap_atomic (KM_PTE0: a fixmap pte and an invlpg) on the
   * node's own memory; UKVA reaches the node-local page table directly. One cache miss on the pte
   * line each (assumption: a fault's pte line is not in the CPU's cache).
   */
  accessNs(i: number): number {
    const lp = this.lp;
    const s = lp.s;
    const n = s.topo.nodes;
    const local = s.memNs[lp.node * n + lp.node];
    switch (s.cfg.pte) {
      case 'lowmem':
        return s.memNs[lp.node * n + lp.lowmemNode];
      case 'highmem':
        lp.kmapAtomicCalls[KC_PTE]++;
        lp.kmapAtomic++;
        return local + s.cfg.costs.tlbFlushOneNs + s.cfg.costs.pteSetNs;
      case 'ukva':
        return local;
    }
    invariant(false, `CPU index ${i}: unknown pte placement`);
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
        lp.after(cpu, this.fillNs(z.node, z.type, this.ptCopy[i] === 1));
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
    const kmaps = type === ZONE_HIGHMEM && lp.s.cfg.pte === 'highmem' ? (copy ? 2 : 1) : 0; // KM_PTE0 (and KM_PTE1 for the source)
    lp.kmapAtomicCalls[KC_PTE] += kmaps;
    lp.kmapAtomic += kmaps;
    const lineNs = lp.s.memNs[lp.node * lp.s.topo.nodes + node];
    const fill = copy ? 2 * PT_LINES * lineNs + PTRS_PER_PTE * costs.pteSetNs : lp.pageStreamNs(node, costs.pageClearNs);
    return fill + kmaps * (costs.tlbFlushOneNs + costs.pteSetNs);
  }
}
