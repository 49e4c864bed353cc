/**
 * The reverse maps of Rik van Riel's 2.4 -rmap VM as they stood until rmap 12 (mm/rmap.c of the
 * rmap patches, 2002; docs/SOURCES.md#rmap-chains), for the `forkCow` knob under `lru: rmap`:
 *
 * - every mapped page keeps `page->pte_chain`, a singly linked list of `struct pte_chain` entries
 *   (a `next` pointer and the pte's address: 8 bytes on i386), one per pte mapping it;
 * - `page_add_rmap` takes `pagemap_lru_lock`, pops an entry off the global `pte_chain_freelist`
 *   and pushes it at the head of the page's chain;
 * - `page_remove_rmap` takes the same lock and walks the chain from its head, comparing each
 *   entry's pte address with the one going away: a cache miss per entry passed, so its cost grows
 *   with the position of the pte in the chain; the entry goes back on the freelist;
 * - when the freelist is empty, `alloc_new_pte_chains` calls `get_zeroed_page(GFP_ATOMIC)` with
 *   the lock held and cuts the page into PAGE_SIZE / 8 = 512 entries; entries never go back to the
 *   page allocator.
 * rmap 13 (wli, April 2002) gave each zone its own freelist and lock; this file models the global one.
 *
 * A subsystem of the process runner's node (workloads/process-runner.ts, fork.ts): each node keeps
 * the chains of its own file pages (the programs' text, which every live process running a program
 * maps), as typed arrays: a head per page and an entry pool of (next, owner CPU). A private page
 * (a process's anonymous page, a COW copy) has a chain of one, a parent's anonymous page shared by
 * fork a chain of two with the child's entry at its head: those are not stored, their walk is one entry.
 *
 * Locking rule: every operation here runs under `pagemap_lru_lock`, on the node LP that owns the
 * page (lockedOp's operation), so the pool and chains are only this LP's. The walk's length is
 * known only here: under remoteOps=direct an operation of another node's CPU still comes as a
 * message, its hold counted from the grant (remote-ops.ts), its entries priced from that CPU.
 *
 * Simplified: the freelist is counted per node LP — entries a node's operations popped and pushed —
 * where 2.4-rmap keeps one list for the machine: under the one global lock every pop and push is
 * what the kernel makes, but a node may refill while another node's pool still has entries (at most
 * one page more per node than the kernel would allocate); the refill's page is charged (the buddy
 * operation and clearing it) but not taken from the zone; a chain entry's miss is charged from the
 * page's node to the node holding lowmem (struct pte_chain comes from ZONE_NORMAL), not from the
 * walking CPU's node (both are spread evenly over the nodes, so the mean is the same) — except
 * under remoteOps=direct, where the walking CPU's node is the one that pays.
 */
import { bug, invariant } from '../errors.js';
import type { HighmemCore } from './node-services.js';

/** struct pte_chain on i386: a next pointer and a pte pointer. */
export const PTE_CHAIN_BYTES = 8;
/** Entries alloc_new_pte_chains cuts one page into. */
export const PTE_CHAINS_PER_PAGE = 4096 / PTE_CHAIN_BYTES;

export class RmapChains {
  /** First entry of each of this node's file pages' chains (−1: none), by page index. */
  private readonly head: Int32Array;
  /** The entry pool: next entry (−1: end) and the CPU whose process's pte it is. */
  private next: Int32Array;
  private owner: Int32Array;
  /** Free entries (a stack through `next`), entries in use, entries ever cut from pages. */
  private freeTop = -1;
  private freeCount = 0;
  private allocated = 0;
  // Statistics (observation only).
  adds = 0;
  removes = 0;
  walked = 0;
  walkMax = 0;
  refills = 0;

  constructor(
    private readonly lp: HighmemCore,
    filePagesHere: number,
  ) {
    this.head = new Int32Array(filePagesHere).fill(-1);
    this.next = new Int32Array(PTE_CHAINS_PER_PAGE);
    this.owner = new Int32Array(PTE_CHAINS_PER_PAGE);
  }

  /** A miss on one pte_chain entry (lowmem), from this node — from CPU `cpu`'s own under remoteOps=direct, where it walks the chain itself. */
  private entryNs(cpu: number): number {
    const s = this.lp.s;
    const low = this.lp.lowmemNode < 0 ? this.lp.node : this.lp.lowmemNode;
    const view = s.directOps ? s.topo.cpuNode[cpu] : this.lp.node;
    return s.memNs[view * s.topo.nodes + low];
  }

  /** pte_chain_alloc: an entry off the freelist, refilled a page at a time; returns the ns the refill held the lock for (0 without one). */
  private pop(): { entry: number; ns: number } {
    let ns = 0;
    if (this.freeCount === 0) {
      // alloc_new_pte_chains: get_zeroed_page under pagemap_lru_lock, then 512 pushes.
      const costs = this.lp.s.cfg.costs;
      const base = this.allocated;
      if (base + PTE_CHAINS_PER_PAGE > this.next.length) this.grow(base + PTE_CHAINS_PER_PAGE);
      for (let k = 0; k < PTE_CHAINS_PER_PAGE; k++) this.push(base + k);
      this.allocated += PTE_CHAINS_PER_PAGE;
      this.refills++;
      ns = costs.buddyOpNs + costs.pageClearNs + PTE_CHAINS_PER_PAGE * costs.pteSetNs;
    }
    const e = this.freeTop;
    this.freeTop = this.next[e];
    this.freeCount--;
    return { entry: e, ns };
  }

  private push(e: number): void {
    this.next[e] = this.freeTop;
    this.owner[e] = -1;
    this.freeTop = e;
    this.freeCount++;
  }

  private grow(size: number): void {
    let len = this.next.length;
    while (len < size) len *= 2;
    const n = new Int32Array(len);
    n.set(this.next);
    const o = new Int32Array(len);
    o.set(this.owner);
    this.next = n;
    this.owner = o;
  }

  /** page_add_rmap for CPU `cpu`'s pte: of file page `idx` of this node, or of a page with no stored chain (idx −1). Returns the hold it adds, ns. */
  add(idx: number, cpu: number): number {
    this.adds++;
    const { entry, ns } = this.pop();
    if (idx >= 0) {
      this.next[entry] = this.head[idx];
      this.owner[entry] = cpu;
      this.head[idx] = entry;
    } else {
      // A page whose chain is not stored: its entry waits on a list of such entries for its page_remove_rmap.
      this.owner[entry] = cpu;
      this.next[entry] = this.privTop;
      this.privTop = entry;
      this.inUseUnstored++;
    }
    return ns;
  }

  /** Entries of pages without a stored chain (private and parent anonymous pages) in use, linked through `next`. */
  private inUseUnstored = 0;
  private privTop = -1;

  /**
   * page_remove_rmap of CPU `cpu`'s pte: the walk from the chain's head to it (a stored chain of
   * file page `idx`), or one entry (idx −1). Returns the hold it adds, ns.
   */
  remove(idx: number, cpu: number): number {
    this.removes++;
    let steps = 1;
    if (idx >= 0) {
      let prev = -1;
      let e = this.head[idx];
      steps = 0;
      while (e >= 0 && this.owner[e] !== cpu) {
        prev = e;
        e = this.next[e];
        steps++;
      }
      if (e < 0) {
        // Not on the chain (the page was read back since, or mapped before the chain was kept): the whole chain was walked.
        this.note(steps);
        return steps * this.entryNs(cpu);
      }
      steps++;
      if (prev < 0) this.head[idx] = this.next[e];
      else this.next[prev] = this.next[e];
      this.push(e);
    } else {
      if (this.inUseUnstored === 0) bug(`node ${this.lp.node}: page_remove_rmap of a private page no page_add_rmap counted`);
      const e = this.privTop;
      this.privTop = this.next[e];
      this.inUseUnstored--;
      this.push(e);
    }
    this.note(steps);
    return steps * this.entryNs(cpu);
  }

  private note(steps: number): void {
    this.walked += steps;
    if (steps > this.walkMax) this.walkMax = steps;
  }

  /** Reclaim dropped file page `idx` (try_to_unmap emptied its chain): its entries go back on the freelist. */
  clear(idx: number): void {
    let e = this.head[idx];
    while (e >= 0) {
      const n = this.next[e];
      this.push(e);
      e = n;
    }
    this.head[idx] = -1;
  }

  /** Length of file page `idx`'s chain. */
  chainLength(idx: number): number {
    let n = 0;
    for (let e = this.head[idx]; e >= 0; e = this.next[e]) n++;
    return n;
  }

  /** Every entry is free, on a chain, or a private page's: none lost, none twice. */
  checkInvariants(): void {
    let onChains = 0;
    for (let p = 0; p < this.head.length; p++) onChains += this.chainLength(p);
    invariant(this.freeCount + onChains + this.inUseUnstored === this.allocated, `node ${this.lp.node}: ${this.allocated} pte_chain entries, ${this.freeCount} free + ${onChains} on chains + ${this.inUseUnstored} private`);
  }
}
