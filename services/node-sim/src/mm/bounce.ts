/**
 * Bounce buffers for reads, after Linux 2.4.18 mm/highmem.c (`create_bounce`,
 * `alloc_bounce_page`, `bounce_end_io_read`, the emergency pool): with `bounce` on (2.4 block
 * drivers that cannot DMA above 896 MiB) a read into a highmem page lands in a bounce page of
 * ZONE_NORMAL (node 0 on i386 NUMA), which bounce_end_io_read copies to the page through
 * kmap_atomic (KM_BOUNCE_READ) before the bounce page is freed. The page cache's read-back of a
 * page reclaim dropped (page-cache.ts) is the one reader; the node composes one `Bounce`.
 *
 * Locking rule: the bounce page comes from the buddy allocator under the lowmem zone's
 * `zone->lock`, above pages_min (GFP_NOHIGHIO); below it the emergency pool serves, which needs
 * no lock of the model's (2.4 guards it with its own spinlock, not modelled).
 *
 * Left out: writes (no bounce on the write path in the workloads); the emergency pool's size
 * (it never runs dry); the copy is charged to the reading CPU, not to the CPU that takes the I/O
 * interrupt.
 */
import { KC_BOUNCE } from './highmem.js';
import { LINES_BUDDY } from './mm-shared.js';
import { SWAP_OUT_PROTOCOL } from './swap-out.js';
import { ZONE_NORMAL } from './zone.js';
import type { HighmemCore } from './node-services.js';
import { REMOTE_ANSWER_AFTER } from './remote-ops.js';

/** The bounce buffers' numbers, after swap_out's. */
export const BOUNCE_PROTOCOL = SWAP_OUT_PROTOCOL.extend('highmem.c bounce', {
  steps: ['bounce alloc', 'bounce read', 'bounce free'],
  ops: ['bounce alloc'],
});
const [BOUNCE_ALLOC, BOUNCE_READ, BOUNCE_FREE] = BOUNCE_PROTOCOL.steps;
/** A ZONE_NORMAL page above pages_min, or −1. */
export const [OP_BOUNCE_ALLOC] = BOUNCE_PROTOCOL.ops;

export class Bounce {
  /** Per CPU index: the bounce page of the read under way (−1: none, −2: an emergency-pool page), where to go on. */
  private readonly frame: Int32Array;
  private readonly readNext: Int32Array;
  private readonly freeNext: Int32Array;
  // Statistics (observation only).
  pages = 0;
  emergency = 0;

  constructor(
    private readonly lp: HighmemCore,
    cpus: number,
  ) {
    // remoteOps=direct (remote-ops.ts): the CPU takes the lowmem node's zone->lock and the page itself; the answer follows the release.
    lp.remoteKinds.declare(OP_BOUNCE_ALLOC, REMOTE_ANSWER_AFTER);
    this.frame = new Int32Array(cpus).fill(-1);
    this.readNext = new Int32Array(cpus);
    this.freeNext = new Int32Array(cpus);
  }

  static owns(p: number): boolean {
    return p >= BOUNCE_PROTOCOL.firstStep && p < BOUNCE_PROTOCOL.stepEnd;
  }

  /** create_bounce for a read by CPU index `i`: a bounce page, then the disk read; then `next`. */
  startRead(i: number, next: number): void {
    this.readNext[i] = next;
    this.lp.prog[i] = BOUNCE_ALLOC;
  }

  /** Whether the read under way on CPU index `i` went through a bounce page. */
  holds(i: number): boolean {
    return this.frame[i] !== -1;
  }

  /** bounce_end_io_read into a page of `node`: kmap_atomic(KM_BOUNCE_READ), copy from the bounce page on the lowmem node; ns. */
  endIoReadNs(node: number): number {
    const lp = this.lp;
    const s = lp.s;
    const costs = s.cfg.costs;
    const n = s.topo.nodes;
    lp.kmapAtomicCalls[KC_BOUNCE]++;
    lp.kmapAtomic++;
    const crossing = s.memNs[lp.node * n + lp.lowmemNode] + s.memNs[lp.node * n + node] - 2 * costs.memLocalNs;
    return costs.pageCopyNs + crossing + costs.tlbFlushOneNs + costs.pteSetNs;
  }

  /** Frees CPU index `i`'s bounce page, if any; then `next`. */
  release(i: number, next: number): void {
    this.freeNext[i] = next;
    this.lp.prog[i] = BOUNCE_FREE;
  }

  step(i: number, cpu: number, p: number): boolean {
    const lp = this.lp;
    const s = lp.s;
    const costs = s.cfg.costs;
    switch (p) {
      case BOUNCE_ALLOC: {
        // create_bounce: alloc_page(GFP_NOHIGHIO) from ZONE_NORMAL before the I/O is submitted.
        const low = lp.lowmemNode;
        lp.lockedOp(i, cpu, s.zoneLock[low * 3 + ZONE_NORMAL], s.callers.alloc_bounce_page, OP_BOUNCE_ALLOC, low, 0, costs.buddyOpNs + lp.structPageNs(low), LINES_BUDDY, BOUNCE_READ);
        return false;
      }
      case BOUNCE_READ:
        this.pages++;
        if (lp.opResult[i] < 0) this.emergency++;
        this.frame[i] = lp.opResult[i] >= 0 ? lp.opResult[i] : -2;
        lp.prog[i] = this.readNext[i];
        lp.after(cpu, costs.diskReadNs);
        return false;
      default: {
        const bounce = this.frame[i];
        this.frame[i] = -1;
        if (bounce >= 0) {
          lp.freePage(i, cpu, lp.lowmemNode, bounce, this.freeNext[i]);
          return false;
        }
        lp.prog[i] = this.freeNext[i];
        return true;
      }
    }
  }

  /** alloc_bounce_page on this (the lowmem) node: a ZONE_NORMAL page above pages_min, or −1 (the emergency pool). */
  applyOp(): number {
    const zone = this.lp.mem.zone(ZONE_NORMAL);
    return zone.freePages > zone.pagesMin ? this.lp.mem.rmqueue(ZONE_NORMAL) : -1;
  }
}
