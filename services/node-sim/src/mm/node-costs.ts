/**
 * What a node's CPUs pay for the memory a kernel path touches, from the machine's cost model: a
 * page cleared or copied, a miss on a struct page, a page-cache hash walk. On i386 NUMA-Q (2.4.18
 * arch/i386/mm/discontig.c) every node's mem_map and the page-cache hash live in node 0's lowmem,
 * so these are node-0 misses for every quad; with NUMA-Q's remote cache (machine/remote-cache.ts)
 * a line the quad itself wrote last, or one only read, is served by the quad's board.
 *
 * Simplified: the remote cache's hit fraction is the quad's struct-page working set (a line per
 * frame in use) against the cache's size; no line is tracked.
 */
import { WRITER_ANY, WRITER_SHARED } from '../machine/remote-cache.js';
import type { MmShared } from './mm-shared.js';
import type { NodeMemory } from './node-memory.js';

export class NodeCosts {
  private readonly n: number;

  constructor(
    private readonly s: MmShared,
    private readonly node: number,
    private readonly mem: NodeMemory,
  ) {
    this.n = s.topo.nodes;
  }

  /**
   * Clearing or copying a page of `node`'s memory. The copy streams (the PIII's bcopy, 110 MB/s,
   * is slower than either bus), so a remote page pays the crossing once, not per line (A).
   */
  pageStreamNs(node: number, localNs: number): number {
    return localNs + this.s.memNs[this.node * this.n + node] - this.s.cfg.costs.memLocalNs;
  }

  /**
   * A cache miss on the struct page of a frame of `node`, from this node — or from node `view`, a
   * holder elsewhere working on this node's lists itself (remoteOps=direct: remote-ops.ts). With
   * the remote cache, the quad whose CPUs use the frame (its own node's, NUMA-local allocation)
   * wrote it last. The hit fraction is this quad's: it only counts when the viewer is the writer,
   * which for another viewer is never the case for this node's own frames.
   */
  structPageNs(node: number, view = this.node): number {
    const rc = this.s.remoteCache;
    if (rc.enabled) return rc.missNs(view, this.s.structPageNode[node], node, this.rcHit());
    return this.s.memNs[view * this.n + this.s.structPageNode[node]];
  }

  /**
   * `pagecache_lock` held for a hash-chain walk (kernel data on node 0) and the page's count. With
   * the remote cache, the chain is read-shared and the count was written by whichever quad looked
   * the page up last.
   */
  pagecacheHoldNs(node: number): number {
    const rc = this.s.remoteCache;
    if (rc.enabled) {
      const hit = this.rcHit();
      const h = this.s.kernelDataNode;
      return this.s.cfg.costs.pagecacheOpNs + rc.missNs(this.node, h, WRITER_SHARED, hit) + rc.missNs(this.node, this.s.structPageNode[node], WRITER_ANY, hit);
    }
    return this.s.cfg.costs.pagecacheOpNs + this.s.memNs[this.node * this.n + this.s.kernelDataNode] + this.structPageNs(node);
  }

  /** This quad's remote-cache hit fraction: its remote working set is a struct page line per frame in use. */
  private rcHit(): number {
    let used = 0;
    for (const z of this.mem.zones) used += z.pages - z.freePages;
    return this.s.remoteCache.hitFraction(this.s.structPageNode[this.node] === this.node ? 0 : used);
  }
}
