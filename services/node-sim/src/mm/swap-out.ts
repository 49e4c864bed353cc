/**
 * 2.4's `swap_out`, after Linux 2.4.18 mm/vmscan.c (`swap_out`, `swap_out_mm`, `swap_out_vma`
 * down to `try_to_swap_out`): the scan of the mms' page tables that frees mapped pages where 2.4
 * has no reverse map. shrink_cache calls it once it has passed over `max_mapped` mapped pages
 * (vmscan.ts). Under `mmlist_lock` it takes the next mm of the list (`swap_mm`), and under
 * that mm's page_table_lock walks its ptes from where the last scan stopped (`mm->swap_address`):
 * a young pte is only made old (`ptep_test_and_clear_young`), an old one is cleared
 * (`ptep_get_and_clear`, `flush_tlb_page`) and the page's reference dropped, so the next
 * shrink_cache can free the page once no pte maps it. It stops after SWAP_CLUSTER_MAX ptes
 * unmapped or one round of the mm list. The mappings it walks are the page cache's
 * (page-cache.ts), which the node composes this with.
 *
 * Locking rule: `mmlist_lock` protects the mm list and `swap_mm`; it is dropped, the mm in hand,
 * before the mm's `page_table_lock` is taken for the walk (2.4.18 nests neither here). The walk
 * runs on the mm's node, its time charged to the page_table_lock hold.
 *
 * Left out: swap space and the swap cache (the model's mapped pages are file pages: the page's
 * reference goes, nothing is written); `swap_mm` is each node's own (2.4 keeps one cursor for the
 * machine); the walk does not see whether the page is active or in the zone under pressure.
 */
import { OP_NONE } from './mm-protocol.js';
import { SWAP_CLUSTER_MAX } from './reclaim.js';
import { HIGHMEM_PROTOCOL } from './kmap.js';
import type { Mappings, SwapOutCore } from './node-services.js';

/** swap_out's numbers, after the highmem layer's. */
export const SWAP_OUT_PROTOCOL = HIGHMEM_PROTOCOL.extend('vmscan.c swap_out', {
  steps: ['swap mm', 'swap walk', 'swap done'],
  events: ['swap unmap'],
  ops: ['swap_out mm'],
});
const [SWAP_MM, SWAP_WALK, SWAP_DONE] = SWAP_OUT_PROTOCOL.steps;
/** The pte drop on the page's node (page_cache_release). a: index | generation << IDX_BITS. */
export const [EV_SWAP_UNMAP] = SWAP_OUT_PROTOCOL.events;
/** arg: CPU index | reclaimer's node << 8 | ptes wanted << 16; answers ptes unmapped. */
export const [OP_SWAP_OUT_MM] = SWAP_OUT_PROTOCOL.ops;

export class SwapOut {
  /** Per CPU index: the process's scan position (`mm->swap_address`). */
  private readonly swapAddress: Int32Array;
  /** Per reclaiming thread (CPU index, or kswapd's): mms still to visit, ptes unmapped, the step after swap_out. */
  private readonly left: Int32Array;
  private readonly unmapped: Int32Array;
  private readonly next: Int32Array;
  /** This node's `swap_mm`: the CPU whose mm the next swap_out visits. */
  private swapMm = 0;
  /** Pte drops sent to other nodes and not yet known to have arrived: page (node * 2²¹ + index), arrival time. */
  readonly unmapsSent: number[] = [];

  constructor(
    private readonly lp: SwapOutCore,
    /** The mappings of the node's processes it walks (the page cache's). */
    private readonly maps: Mappings,
    cpus: number,
  ) {
    this.swapAddress = new Int32Array(cpus);
    this.left = new Int32Array(cpus + 1);
    this.unmapped = new Int32Array(cpus + 1);
    this.next = new Int32Array(cpus + 1);
  }

  static owns(p: number): boolean {
    return p >= SWAP_OUT_PROTOCOL.firstStep && p < SWAP_OUT_PROTOCOL.stepEnd;
  }

  /** swap_out by reclaiming thread `i`; then `next`. */
  start(i: number, next: number): void {
    this.lp.swapOuts++;
    this.left[i] = this.lp.s.topo.cpus;
    this.unmapped[i] = 0;
    this.next[i] = next;
    this.lp.prog[i] = SWAP_MM;
  }

  step(i: number, cpu: number, p: number): boolean {
    const lp = this.lp;
    const s = lp.s;
    const costs = s.cfg.costs;
    switch (p) {
      case SWAP_MM:
        // swap_out's loop: done after a cluster of ptes unmapped or a round of the mm list.
        if (this.left[i] === 0 || this.unmapped[i] >= SWAP_CLUSTER_MAX) {
          lp.prog[i] = this.next[i];
          return true;
        }
        this.left[i]--;
        lp.lockedOp(i, cpu, s.mmlistLock, s.callers.swap_out, OP_NONE, -1, 0, costs.lruListOpNs, 0, SWAP_WALK);
        return false;
      case SWAP_WALK: {
        // mmlist_lock dropped with the mm in hand: its page tables, under its page_table_lock, where it lives.
        const mm = this.swapMm;
        this.swapMm = (mm + 1) % s.topo.cpus;
        const home = s.topo.cpuNode[mm];
        const arg = (mm - s.topo.firstCpu(home)) | (lp.node << 8) | ((SWAP_CLUSTER_MAX - this.unmapped[i]) << 16);
        lp.lockedOp(i, cpu, s.ptl[mm], s.callers.swap_out, OP_SWAP_OUT_MM, home, arg, costs.lockAtomicNs, 0, SWAP_DONE);
        return false;
      }
      default:
        this.unmapped[i] += lp.opResult[i];
        lp.prog[i] = SWAP_MM;
        return true;
    }
  }

  /**
   * swap_out_mm of the process on CPU index `i` (its page_table_lock held by the reclaimer, a
   * thread of node `from`): walks its ptes from `mm->swap_address` until `want` are unmapped or
   * each was seen once. Charges the walk to the lock hold; returns the ptes unmapped.
   */
  swapOutMm(i: number, from: number, want: number): number {
    const lp = this.lp;
    const s = lp.s;
    const costs = s.cfg.costs;
    const count = this.maps.mapCount[i];
    if (this.maps.exiting[i] === 1 || count === 0) {
      lp.opExtraNs = 0;
      return 0;
    }
    // Every pte is read from the reclaimer's CPU, out of context; lowmem page tables live on the lowmem node.
    const pteNs = s.memNs[from * s.topo.nodes + (s.cfg.pte === 'lowmem' ? lp.lowmemNode : lp.node)];
    const unmapNs = costs.pteSetNs + costs.tlbFlushOneNs + costs.ipiNs;
    let k = this.swapAddress[i] < count ? this.swapAddress[i] : 0;
    let unmapped = 0;
    let ns = 0;
    let seen = 0;
    for (; seen < count && unmapped < want && this.maps.mapCount[i] > 0; seen++) {
      if (k >= this.maps.mapCount[i]) k = 0;
      const at = i * this.maps.M + k;
      ns += pteNs;
      if (this.maps.mapYoung[at] === 1) {
        this.maps.mapYoung[at] = 0; // ptep_test_and_clear_young: used since the last scan, keep it
        k++;
        continue;
      }
      // ptep_get_and_clear + flush_tlb_page; the last mapping moves into this slot.
      const where = this.maps.mapNode[at];
      const pte = this.maps.mapArg[at];
      const last = i * this.maps.M + --this.maps.mapCount[i];
      this.maps.mapNode[at] = this.maps.mapNode[last];
      this.maps.mapArg[at] = this.maps.mapArg[last];
      this.maps.mapYoung[at] = this.maps.mapYoung[last];
      ns += unmapNs;
      unmapped++;
      this.sendPteDrop(where, pte);
    }
    this.swapAddress[i] = k;
    lp.swapPtesScanned += seen;
    lp.swapPtesUnmapped += unmapped;
    lp.swapWalkNs += ns;
    lp.opExtraNs = ns;
    return unmapped;
  }

  /** page_cache_release of a pte swap_out cleared: here at once, on another node one hop later. */
  private sendPteDrop(where: number, pte: number): void {
    const lp = this.lp;
    if (where === lp.node) {
      this.maps.dropPte(pte);
      return;
    }
    const now = lp.kernel.now;
    const sent = this.unmapsSent;
    // Forget the drops that have arrived (an event at `now` may still be pending: keep those).
    let keep = 0;
    for (let k = 0; k < sent.length; k += 2) {
      if (sent[k + 1] < now) continue;
      sent[keep++] = sent[k];
      sent[keep++] = sent[k + 1];
    }
    sent.length = keep;
    const hop = lp.s.topo.hopNs(lp.node, where);
    sent.push(this.maps.pageKey(where, pte), now + hop);
    lp.kernel.send(lp.s.topo.nodeLp[where], hop, EV_SWAP_UNMAP, pte, 0, 0);
  }
}
