/**
 * The kernel paths every memory workload shares, after Linux 2.4.18:
 *
 * - an anonymous fault, mm/memory.c `do_anonymous_page`: `__alloc_pages` over the zonelist
 *   (page-alloc.ts), clear the page (through `kmap_atomic` when it is highmem), set the pte under
 *   `mm->page_table_lock`, (-rmap: `page_add_rmap` under `pagemap_lru_lock`), `lru_cache_add`;
 * - a page-cache page written by mm/filemap.c `generic_file_write`: `__find_lock_page` (a miss)
 *   under `pagecache_lock`, allocate, copy from the user buffer, `add_to_page_cache` under it
 *   again, `lru_cache_add`;
 * - an unmap, `zap_page_range` + `free_page_and_swap_cache`: clear the pte, (-rmap:
 *   `page_remove_rmap`), `lru_cache_del`, `__free_pages_ok`.
 *
 * With `pagevec` (2.5.31) the LRU additions and removals go through the CPU's pagevec
 * (pagevec.ts). The node composes one `FaultPath`; a workload starts a fault with `begin` and an
 * unmap with `beginUnmap`, and its program goes on at the step it named when the path ends.
 *
 * Locking rule: the pte under the mm's `page_table_lock`, the reverse map (rmap) and the LRU lists
 * under the LRU lock of the variant, the page-cache hash under `pagecache_lock`, the buddy
 * allocator under `zone->lock` — one at a time, each through the node's `lockedOp`.
 *
 * Simplified: order-0 pages only; page_add_rmap is taken after page_table_lock is released rather
 * than inside it (2.4-rmap nests them); the copy of a written page's data is the workload's kmap.
 */
import { histBucket, HIST_BUCKETS } from '../locks/lock-stats.js';
import { invariant } from '../errors.js';
import { NS_ZERO } from '../engine/time.js';
import type { CpuState } from './cpu-state.js';
import { LINES_LRU, LINES_PAGECACHE } from './mm-shared.js';
import {
  FAULT_ANON, FAULT_COW, FAULT_PAGECACHE_WRITE, OP_LRU_ADD, OP_LRU_DEL, OP_NONE, P_FAULT, P_FAULT_DONE, P_FILL, P_FREE, P_LRU_ADD, P_LRU_DEL, P_MAP,
  P_RMAP_ADD, P_RMAP_DEL, P_TAKEN, P_UNMAP, P_WALK,
} from './mm-protocol.js';
import type { NodeCore } from './node-services.js';
import { PTE_ANON_FAULT, PTE_ANON_ZAP } from './page-tables.js';
import { ZONE_HIGHMEM } from './zone.js';

export class FaultPath {
  private readonly st: CpuState;
  // Statistics (observation only: nothing the model decides reads them).
  readonly anonFaults: Float64Array;
  readonly faultLatencyHist = new Float64Array(HIST_BUCKETS);
  faultLatencyTotal = NS_ZERO;
  faultLatencyMax = NS_ZERO;

  constructor(private readonly lp: NodeCore) {
    this.st = lp.cpuState;
    this.anonFaults = new Float64Array(lp.cpuState.slots);
  }

  /** Whether step `p` is the fault path's. */
  static owns(p: number): boolean {
    return p >= P_FAULT && p <= P_FREE;
  }

  /** Faults a page into slot `slot[i]`: anonymous (`FAULT_ANON`) or a page-cache write; then `next`. */
  begin(i: number, kind: number, next: number): void {
    this.st.faultKind[i] = kind;
    this.st.cont[i] = next;
    this.st.prog[i] = P_FAULT;
  }

  /** Unmaps and frees the page in slot `slot[i]` (nothing when the slot is empty); then `next`. */
  beginUnmap(i: number, next: number): void {
    this.st.cont[i] = next;
    this.st.prog[i] = P_UNMAP;
  }

  /** An LRU list operation on one page under its LRU lock. */
  private lruOp(i: number, cpu: number, op: number, caller: number, node: number, frame: number, next: number): void {
    const lp = this.lp;
    const hold = lp.s.cfg.costs.lruListOpNs + lp.structPageNs(node);
    lp.lockedOp(i, cpu, lp.lruLockOf(node, frame), caller, op, node, frame, hold, LINES_LRU, next);
  }

  step(i: number, cpu: number, p: number): boolean {
    const lp = this.lp;
    const st = this.st;
    const s = lp.s;
    const costs = s.cfg.costs;
    const at = i * lp.S + st.slot[i];
    switch (p) {
      case P_FAULT:
        st.faultStart[i] = lp.kernel.now;
        st.reclaimWaits[i] = 0;
        lp.alloc.start(i);
        st.prog[i] = P_WALK;
        if (st.faultKind[i] !== FAULT_PAGECACHE_WRITE) {
          lp.after(cpu, costs.pageFaultNs);
          return false;
        }
        // generic_file_write's __grab_cache_page looks the page up first (a miss: the hash bucket only).
        lp.lockedOp(i, cpu, s.pagecacheLock, s.callers.__find_lock_page, OP_NONE, -1, 0, costs.pagecacheOpNs + s.memNs[lp.node * s.topo.nodes + s.kernelDataNode], 0, P_WALK);
        return false;
      case P_WALK:
        lp.alloc.run(i, cpu);
        return false;
      case P_TAKEN: {
        if (st.opResult[i] < 0) {
          lp.alloc.skipZone(i);
          st.prog[i] = P_WALK;
          return true;
        }
        const served = lp.alloc.zoneAt(i).node;
        st.pageNode[at] = served;
        st.pageFrame[at] = st.opResult[i];
        lp.alloc.countServed(i, served);
        st.prog[i] = P_FILL;
        return true;
      }
      case P_FILL: {
        // clear_user_highpage / the copy from the user buffer: a highmem anonymous page is cleared
        // through kmap_atomic (one per-CPU pte and one invlpg, no lock); a page-cache page written by
        // generic_file_write is kmapped by the workload (mm/kmap.ts). A remote page costs remote bandwidth.
        const node = st.pageNode[at];
        let ns = lp.pageStreamNs(node, st.faultKind[i] === FAULT_ANON ? costs.pageClearNs : costs.pageCopyNs);
        // A COW copy (copy_user_highpage) maps the new page the same way (the old one's node is the parent's: the copy's read is in pageCopyNs).
        if (st.faultKind[i] !== FAULT_PAGECACHE_WRITE && lp.zoneTypeOf(node, st.pageFrame[at]) === ZONE_HIGHMEM) {
          lp.kmapAtomic++;
          ns += costs.tlbFlushOneNs;
        }
        st.prog[i] = P_MAP;
        lp.after(cpu, ns);
        return false;
      }
      case P_MAP:
        if (st.faultKind[i] !== FAULT_PAGECACHE_WRITE) {
          if (lp.pteKmapDetour(i, PTE_ANON_FAULT, P_MAP)) return true;
          lp.lockedOp(i, cpu, lp.ptlOf(cpu), st.faultKind[i] === FAULT_COW ? s.callers.do_wp_page : s.callers.do_anonymous_page, OP_NONE, -1, 0, costs.pteSetNs + lp.pteAccessNs(i, PTE_ANON_FAULT), 0, s.cfg.lru === 'rmap' ? P_RMAP_ADD : P_LRU_ADD);
        } else {
          lp.lockedOp(i, cpu, s.pagecacheLock, s.callers.add_to_page_cache, OP_NONE, -1, 0, lp.pagecacheHoldNs(st.pageNode[at]), LINES_PAGECACHE, P_LRU_ADD);
        }
        return false;
      case P_RMAP_ADD:
        if (lp.rmapHook !== null) {
          lp.rmapHook.faultAdd(i, cpu, P_LRU_ADD);
          return false;
        }
        lp.lockedOp(i, cpu, s.pagemapLruLock, s.callers.page_add_rmap, OP_NONE, -1, 0, costs.rmapOpNs + lp.structPageNs(st.pageNode[at]), LINES_LRU, P_LRU_ADD);
        return false;
      case P_LRU_ADD:
        if (s.cfg.pagevec) {
          if (lp.pagevecs.push(i, OP_LRU_ADD, st.pageNode[at], st.pageFrame[at])) lp.pagevecs.startDrain(i, OP_LRU_ADD, P_FAULT_DONE);
          else st.prog[i] = P_FAULT_DONE;
          return true;
        }
        this.lruOp(i, cpu, OP_LRU_ADD, s.callers.lru_cache_add, st.pageNode[at], st.pageFrame[at], P_FAULT_DONE);
        return false;
      case P_FAULT_DONE: {
        if (st.faultKind[i] === FAULT_ANON && st.pageFrame[at] >= 0) {
          const lat = lp.kernel.now - st.faultStart[i];
          this.faultLatencyHist[histBucket(lat)]++;
          this.faultLatencyTotal += lat;
          if (lat > this.faultLatencyMax) this.faultLatencyMax = lat;
          this.anonFaults[i]++;
        }
        st.prog[i] = st.cont[i];
        return true;
      }
      case P_UNMAP:
        if (st.pageFrame[at] < 0) {
          st.prog[i] = st.cont[i]; // that slot holds no page
          return true;
        }
        if (lp.pteKmapDetour(i, PTE_ANON_ZAP, P_UNMAP)) return true;
        lp.lockedOp(i, cpu, lp.ptlOf(cpu), s.callers.zap_page_range, OP_NONE, -1, 0, costs.pteSetNs + lp.pteAccessNs(i, PTE_ANON_ZAP), 0, s.cfg.lru === 'rmap' ? P_RMAP_DEL : P_LRU_DEL);
        return false;
      case P_RMAP_DEL:
        if (lp.rmapHook !== null) {
          lp.rmapHook.unmapRemove(i, cpu, P_LRU_DEL);
          return false;
        }
        lp.lockedOp(i, cpu, s.pagemapLruLock, s.callers.page_remove_rmap, OP_NONE, -1, 0, costs.rmapOpNs + lp.structPageNs(st.pageNode[at]), LINES_LRU, P_LRU_DEL);
        return false;
      case P_LRU_DEL: {
        if (s.cfg.pagevec) {
          if (lp.pagevecs.count[i] > 0 && lp.pagevecs.op[i] !== OP_LRU_DEL) {
            // Pages still waiting to go on the LRU go first (lru_add_drain), then this one leaves.
            lp.pagevecs.startDrain(i, OP_LRU_ADD, P_LRU_DEL);
            return true;
          }
          // Off the LRU 16 at a time (release_pages), then back to the buddy allocator one by one.
          const full = lp.pagevecs.push(i, OP_LRU_DEL, st.pageNode[at], st.pageFrame[at]);
          st.pageFrame[at] = -1;
          if (full) lp.pagevecs.startDrain(i, OP_LRU_DEL, st.cont[i]);
          else st.prog[i] = st.cont[i];
          return true;
        }
        const frame = st.pageFrame[at];
        st.pageFrame[at] = -1;
        this.lruOp(i, cpu, OP_LRU_DEL, s.callers.lru_cache_del, st.pageNode[at], frame, P_FREE);
        return false;
      }
      case P_FREE:
        // lruOp left the page's node and frame in opNode/opArg.
        lp.freePage(i, cpu, st.opNode[i], st.opArg[i], st.cont[i]);
        return false;
      default:
        invariant(false, `CPU ${cpu} is at step ${p}, which is not the fault path's`);
    }
  }
}
