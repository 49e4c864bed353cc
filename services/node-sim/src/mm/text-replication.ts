/**
 * Kernel text and where it is fetched from, after Dave Hansen's x86 text-replication RFC (June
 * 2003): the text is mapped by 2 MiB large pages; with replication
 * each node gets a copy at boot (`alloc_pages_node`), `mm->kernel_text_node` says which copy an
 * mm's page tables point at, and a context switch to a task whose mm points at another node's copy
 * rewrites the text PMDs — one `__flush_tlb_one` per 2 MiB. Without it (2.4 on NUMA-Q) every CPU
 * fetches kernel instructions from node 0's memory.
 *
 * Instruction-fetch miss model (assumption, documented at the `textMissLines` knob): a kernel entry
 * (a fault, a system call) fetches `textMissLines` cache lines of text from memory; fork, exec and
 * exit, long paths, fetch LONG_PATH_FACTOR times as many. Each line costs a cache miss at the
 * distance from the CPU's node to the copy it uses (the model's `memNs`). The fetch time is owed
 * by the CPU and paid with its next delay (the owed-time account of cpu-state.ts), since an entry starts
 * from the middle of a step chain.
 *
 * Simplified: replicas come from the node's highest zone and never move; the first process of a
 * compile job is forked by make, whose mm points at node 0's copy, so on another node its first
 * switch-in remaps (later processes of the job inherit the remapped mm); the remap costs
 * `tlbFlushOneNs` + `pteSetNs` per 2 MiB page; text misses do not contend with other traffic.
 */
import type { KernelTextReport } from '@numasim/shared';
import { invariant } from '../errors.js';
import type { NodeMemory } from './node-memory.js';
import type { MmShared } from './mm-shared.js';
import { NS_ZERO } from '../engine/time.js';

/** fork, exec and exit fetch this many times a plain entry's text lines (assumption). */
export const LONG_PATH_FACTOR = 8;
const LARGE_PAGE_KIB = 2048;

export class KernelText {
  /** Node whose copy this node's CPUs fetch from. */
  readonly copyNode: number;
  readonly replicaPages: number;
  private readonly lineNs: number;
  // Statistics (observation only).
  remoteFetchLines = 0;
  localFetchLines = 0;
  fetchNs = NS_ZERO;
  remaps = 0;

  constructor(
    private readonly s: MmShared,
    readonly node: number,
    mem: NodeMemory,
  ) {
    const cfg = s.cfg;
    const replicated = cfg.text === 'replicated';
    this.copyNode = replicated ? node : 0;
    this.lineNs = s.memNs[node * s.topo.nodes + this.copyNode];
    // Node 0 keeps the boot copy; every other node allocates its replica at boot.
    this.replicaPages = replicated && node !== 0 ? Math.ceil(cfg.textSizeKiB / 4) : 0;
    if (this.replicaPages > 0) {
      const zone = mem.zones[mem.zones.length - 1];
      for (let k = 0; k < this.replicaPages; k++) invariant(mem.rmqueue(zone.type) >= 0, `node ${node} has no room for its ${cfg.textSizeKiB} KiB copy of the kernel text`);
    }
  }

  /** A kernel entry (`long`: fork, exec, exit): the time its text misses take, ns. */
  entryNs(long: boolean): number {
    const lines = this.s.cfg.textMissLines * (long ? LONG_PATH_FACTOR : 1);
    if (this.copyNode === this.node) this.localFetchLines += lines;
    else this.remoteFetchLines += lines;
    const ns = lines * this.lineNs;
    this.fetchNs += ns;
    return ns;
  }

  /**
   * A task whose mm points at node `mmTextNode`'s copy is switched in here: with replication and
   * another node's copy, the text PMDs are rewritten (the mm now points here). Returns the cost, ns.
   */
  switchInNs(mmTextNode: number): number {
    if (this.s.cfg.text !== 'replicated' || mmTextNode === this.node) return 0;
    this.remaps++;
    const costs = this.s.cfg.costs;
    return Math.ceil(this.s.cfg.textSizeKiB / LARGE_PAGE_KIB) * (costs.tlbFlushOneNs + costs.pteSetNs);
  }
}

export function kernelTextReport(s: MmShared, texts: readonly KernelText[]): KernelTextReport {
  return {
    mode: s.cfg.text,
    sizeKiB: s.cfg.textSizeKiB,
    perNode: texts.map((t) => ({
      node: t.node,
      copyNode: t.copyNode,
      remoteFetchLines: t.remoteFetchLines,
      localFetchLines: t.localFetchLines,
      fetchNs: t.fetchNs,
      replicaPages: t.replicaPages,
      remaps: t.remaps,
    })),
  };
}
