/**
 * Work under a lock on another node's pages, as the i386 NUMA-Q kernel did it (`remoteOps=direct`),
 * after Linux 2.4.18 arch/i386 discontigmem (every node's `pg_data_t`, its zones and its `mem_map`
 * allocated in node 0's lowmem: docs/SOURCES.md#numaq-layout), mm/swap.c (`lru_cache_add`,
 * `lru_cache_del`) and mm/page_alloc.c (`rmqueue`, `__free_pages_ok`).
 *
 * The kernel has no messages: a CPU of node 1 that adds a page of node 2 to the LRU writes the
 * list head and the struct pages itself, wherever they are; its hold is those accesses. The model
 * keeps a node's lists on the node's LP (the partitioning of the parallel engine), so the change
 * still has to reach that LP. With `direct`:
 *
 * - an LRU add or delete and a buddy free are POSTED: the CPU sends the change to the page's node
 *   and releases after its own accesses (the hold priced in mm-node.ts: the work, the struct page
 *   miss on node 0, the lines the previous holder dirtied), without waiting for anything;
 * - an operation whose answer the CPU needs (`rmqueue`'s page, a page-table page, 2.4's
 *   round-robin `next` node) is ANSWERED AFTER RELEASE: the hold is priced the same way and the
 *   lock goes back at its end; the CPU's program goes on when the answer is there. The answer
 *   cannot come sooner in the model, so the CPU waits for up to a round trip that the real one did
 *   not (simplification; it sits outside every hold);
 * - the page cache's `activate_page` and the LRU add of a page read back in are posted, its
 *   rmqueue for such a page, the bounce buffers' and shm-db's page-table pages are answered after
 *   release (declared by those layers, `RemoteKinds`); reclaim's batch frees are posted too
 *   (declared by vmscan.ts), and so is each page's move in 2.5's pagevec drains (the hold is the
 *   group's accesses, known on the CPU's node: pagevec.ts); the global kmap pool has its own
 *   direct path (kmap.ts: a replica of the pool on every node);
 * - what is left goes as a message whose answer carries the hold's length, COUNTED FROM THE
 *   GRANT: reclaim's scans (refill_inactive, shrink_cache: the hold is the scan's length, known
 *   only where the lists are), swap_out's walk of an mm, 2.4-rmap's pte_chain adds and removals
 *   of file pages (the chain walk's length is known only on the page's node). The CPU took the
 *   lock at g and sent the request; the page's node does the work when it arrives, pricing what
 *   the CPU reads itself from the CPU's quad (the scan's struct pages, vmscan.ts; the chain
 *   entries, rmap.ts; swap_out's ptes already were), and answers its length; the CPU's hold W is
 *   that plus its own part (the lines carried, the section's work). The lock goes back at
 *   max(now, g + W + the interrupts landing in [g, g + W]) (locked-ops.ts `opReply`, mm-node.ts
 *   `holdFromGrant`): the hold is the longer of the work and the round trip, since the model
 *   cannot release before it knows the work is over (simplification: a remote hold shorter than
 *   the round trip is stretched to it);
 * - still a message with the round trip inside the hold: per-mm kmap pools of a multi-threaded mm
 *   homed on another node (kmap.ts).
 *
 * Why no later holder sees stale lists. A posted change leaves holder A (node a) at time t, inside
 * its hold, and lands on the page's node m at t + hop(a, m). The next holder B (node b) can only
 * act after A's release reached the lock's home h and the grant reached B: B's own change (or B's
 * local read, if b = m) happens at t + hold + hop(a, h) + hop(h, b) + hop(b, m) at the earliest.
 * With hold > 0 and hops obeying the triangle inequality (checked here when the run is built) that
 * is strictly later than A's change arrives, so every holder finds every earlier holder's change
 * applied: the order of changes on a node's lists is the order of the lock's holds, as in the
 * kernel, on every placement (each message is an ordinary event at least one lookahead away).
 * A change counted from the grant needs no such condition: it is made on m at g + hop(a, m), one
 * hop later than the kernel's CPU made it, and the release comes after the answer is back
 * (g + hop(a, m) + hop(m, a) at the earliest), so it lands before any later holder can act.
 * Readers that take no lock (the zonelist walk's look at free_pages) may see a change up to one hop
 * late, as a CPU reading a line another quad is writing does.
 *
 * Simplified: a viewer quad's remote-cache hit fraction is the page's node's where a struct page
 * is priced from another quad (node-costs.ts; it counts only when the viewer wrote the line last,
 * never the case for another node's frames); 2.4-rmap's unmap walk inside shrink_cache keeps its
 * mean over the nodes (page-cache.ts), whoever scans.
 */
import { invariant } from '../errors.js';
import type { Topology } from '../machine/topology.js';
import { OP_FREE, OP_LRU_ADD, OP_LRU_DEL, OP_NODE_NEXT, OP_RMQUEUE } from './mm-protocol.js';

/** How an operation on another node's memory travels under `remoteOps=direct`. */
export const REMOTE_MESSAGE = 0;
export const REMOTE_POSTED = 1;
export const REMOTE_ANSWER_AFTER = 2;
/** EV_OP's b carries this bit for a posted change: apply, answer nothing. */
export const EV_OP_POSTED = 1 << 16;

/**
 * How one node's operations on another node's memory travel under `remoteOps=direct`. The core
 * operations are fixed (`of`); a layer above the node composed on it (page cache, bounce buffers)
 * declares its own when it is built (`declare`): POSTED for a change whose answer nobody needs and
 * whose hold does not depend on the list it changes (activate_page, a page read back going onto
 * the LRU), ANSWER_AFTER for an allocation. An operation left undeclared stays a message (a scan,
 * a chain walk: its hold is known only where the data is), its hold counted from the grant. Per node, because the layers' operation
 * numbers are numbering.ts's and two workloads' layers may share a number.
 */
export class RemoteKinds {
  private readonly declared: number[] = [];

  declare(op: number, kind: number): void {
    invariant(kind === REMOTE_POSTED || kind === REMOTE_ANSWER_AFTER, `operation ${op}: unknown remote kind ${kind}`);
    this.declared[op] = kind;
  }

  /** What `op` becomes; `ptAlloc` is the page tables' rmqueue (page-tables.ts, passed in so this file imports no layer above the node). */
  of(op: number, ptAlloc: number): number {
    if (op === OP_LRU_ADD || op === OP_LRU_DEL || op === OP_FREE) return REMOTE_POSTED;
    if (op === OP_RMQUEUE || op === ptAlloc || op === OP_NODE_NEXT) return REMOTE_ANSWER_AFTER;
    return this.declared[op] ?? REMOTE_MESSAGE;
  }
}

/** The triangle inequality over the message latencies, which the ordering argument above needs. */
export function checkDirectOps(topo: Topology): void {
  const n = topo.nodes;
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++)
      for (let c = 0; c < n; c++)
        invariant(
          topo.hopNs(a, c) <= topo.hopNs(a, b) + topo.hopNs(b, c),
          `remoteOps=direct needs hop(${a},${c}) ≤ hop(${a},${b}) + hop(${b},${c}): a change could overtake the lock (distances break the triangle inequality)`,
        );
}
