/**
 * The highmem part of a memory report (issue #4): who called kmap and how each call was served,
 * the persistent pools' wraps and the TLB flushes they cost, and the tasks that slept on a full
 * pool. Counts are over the whole run; times are simulated ns.
 */
import type { LatencySummary } from './types.js';

/** Kernel text fetches: where each node's CPUs got their kernel instructions from. */
export interface KernelTextReport {
  mode: string;
  sizeKiB: number;
  perNode: {
    node: number;
    /** Node whose copy of the text this node's CPUs fetch from. */
    copyNode: number;
    /** Cache lines of kernel text fetched from memory: from another node, and from this one. */
    remoteFetchLines: number;
    localFetchLines: number;
    /** Time those fetches took, ns. */
    fetchNs: number;
    /** Pages of this node's memory holding a replica. */
    replicaPages: number;
    /** Context switches that rewrote the text mappings to this node's copy (one TLB flush per 2 MiB each). */
    remaps: number;
  }[];
}

/** Page-table pages of the workloads built on kernbench: fork's copies and each image's own. */
export interface PageTablesReport {
  /** The pte knob: lowmem, highmem or ukva. */
  placement: string;
  pagesAllocated: number;
  /** Page-table pages that could not be allocated (the zone was at pages_min). */
  allocationsFailed: number;
}

export interface KmapCallerReport {
  /** The kernel function that mapped the page: copy_strings, file_read_actor, generic_file_write, … */
  caller: string;
  /** kmap_high calls (a persistent pool: global, per-mm or per-task). */
  kmapHigh: number;
  /** …of which found the page already mapped (page->virtual) and only raised pkmap_count. */
  reused: number;
  /** kmap_atomic mappings (per-CPU slot, one invlpg, no lock). */
  kmapAtomic: number;
  /** Lowmem pages: page_address, no mapping at all. */
  lowmem: number;
}

export interface KmapReport {
  mode: string;
  /** LAST_PKMAP of each pool. */
  pkmapEntries: number;
  /** Persistent pools that exist (1 for global; one per mm or per task otherwise). */
  pools: number;
  callers: KmapCallerReport[];
  /** Wraps of last_pkmap_nr: each ran flush_all_zero_pkmaps. */
  poolWraps: number;
  /** Wraps of the global pool: flush_tlb_all, an IPI to every other CPU (#7's dashboard panel). */
  globalFlushes: number;
  /** Wraps of a per-mm pool: a flush of the CPUs running that mm only. */
  mmFlushes: number;
  /** Wraps of a per-task pool: the local TLB only. */
  localFlushes: number;
  /** TLB-flush IPIs sent (one per target CPU). */
  ipisSent: number;
  /** Time CPUs spent taking those IPIs (stolen from whatever they were running), ns. */
  ipiStolenNs: number;
  /** kmap_high calls that found no free slot and slept on pkmap_map_wait, and how long until woken. */
  sleeps: number;
  sleepWaitNs: LatencySummary;
  /** per-task: PGD pages the tasks needed (one per task). */
  pgdPages: number;
  /** Switches between threads of one mm on a CPU, and those that reloaded cr3 (per-task: a PGD per thread). */
  threadSwitches: number;
  pgdSwitches: number;
}
