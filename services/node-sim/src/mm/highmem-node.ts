/**
 * The highmem layer of a node, after Linux 2.4.18 mm/highmem.c and include/asm-i386/highmem.h:
 * what a node needs once its memory has a ZONE_HIGHMEM and its kernel reaches it through
 * mappings. `HighmemNode` composes the subsystems that follow those files — the kmap pools'
 * callers (`Kmap`, mm/kmap.ts: kmap_high, kunmap_high, kmap_atomic, the TLB-flush IPIs), the
 * page-table pages and their placement (`PageTables`, mm/page-tables.ts, memory.c), and where its
 * CPUs fetch kernel text from (`KernelText`, mm/text-replication.ts) — and keeps the per-CPU
 * owed-time account they charge: an LP cannot delay an event it already scheduled, so the time a
 * CPU loses to an IPI or a text fetch is added to the next delay its program takes (`after`).
 *
 * Locking rule: the owed-time account is the node's own per-CPU state, touched only by its LP;
 * the kmap locks are Kmap's (mm/kmap.ts).
 *
 * Left out: highmem.c's bounce buffers are mm/bounce.ts, composed by the page cache.
 */
import type { Kernel } from '../engine/kernel.js';
import { invariant } from '../errors.js';
import type { KmapShared } from './highmem.js';
import { Kmap } from './kmap.js';
import { OP_PT_ALLOC, PageTables } from './page-tables.js';
import type { MmShared } from './mm-shared.js';
import { ReclaimNode } from './reclaim-node.js';
import { ZONE_NORMAL, type ZoneType } from './zone.js';
import { KernelText } from './text-replication.js';

export { addKmapLocks, KC_BOUNCE, KC_COPY_STRINGS, KC_FILE_READ, KC_FILE_WRITE, KC_PTE, KMAP_CALLERS, kmapPageId, mmPerCpu, PAGE_TAG_FRESH, PAGE_TAG_TREE, type KmapShared } from './highmem.js';
export { HIGHMEM_PROTOCOL, kmapReport, LINES_KMAP } from './kmap.js';
export { PT_REGIONS } from './page-tables.js';

/** This node if it has a ZONE_NORMAL, else the first node that does. */
function findLowmemNode(s: MmShared, node: number): number {
  const hasNormal = (n: number) => s.maps[n].zones.some((z) => z.type === ZONE_NORMAL);
  if (hasNormal(node)) return node;
  for (let n = 0; n < s.maps.length; n++) if (hasNormal(n)) return n;
  invariant(false, 'no node has a ZONE_NORMAL');
}

export class HighmemNode extends ReclaimNode {
  protected readonly km: KmapShared;
  /** Time a CPU owes its program (IPIs taken, kernel text fetched): added to its next delay (cpu-state.ts). */
  private readonly owed: Float64Array;
  /** The kmap pools' callers, and the pools this node owns (kmap.ts). */
  readonly kmap: Kmap;
  /** kmap_atomic calls by caller (the kmap report's; page tables and bounce buffers add to it). */
  readonly kmapAtomicCalls: Float64Array;
  /** The page-table pages of this node's CPUs' processes (page-tables.ts). */
  readonly pageTables: PageTables;
  /** Where this node's CPUs fetch kernel text from (mm/text-replication.ts). */
  readonly text: KernelText;
  /** Node whose ZONE_NORMAL holds lowmem page tables for this node's processes (node 0 on i386 NUMA). */
  readonly lowmemNode: number;

  constructor(kernel: Kernel, node: number, s: MmShared, slotsPerCpu: number, km: KmapShared) {
    super(kernel, node, s, slotsPerCpu);
    this.km = km;
    this.lowmemNode = findLowmemNode(s, node);
    const c = s.topo.cpusPerNode;
    this.owed = this.cpuState.owed;
    this.kmap = new Kmap(this, km);
    this.kmapAtomicCalls = this.kmap.kmapAtomicCalls;
    this.text = new KernelText(s, node, this.mem);
    this.pageTables = new PageTables(this, c);
  }

  /** pte_offset_map on CPU index `i`, in context: where the page tables live decides (page-tables.ts). */
  override pteAccessNs(i: number): number {
    return this.pageTables.accessNs(i);
  }

  /** A kernel entry on CPU index `i` (`long`: fork, exec, exit): its kernel text fetches, owed. */
  protected kernelEntry(i: number, long = false): void {
    this.owed[i] += this.text.entryNs(long);
  }

  /** A task whose mm points at node `mmTextNode`'s text is switched in on CPU index `i`: a remap, owed, if replication needs one. */
  protected switchIn(i: number, mmTextNode: number): void {
    this.owed[i] += this.text.switchInNs(mmTextNode);
  }

  protected override program(i: number, cpu: number, p: number): boolean {
    if (PageTables.owns(p)) return this.pageTables.step(i, cpu, p);
    if (Kmap.owns(p)) return this.kmap.step(i, cpu, p);
    return super.program(i, cpu, p);
  }

  override lockAcquired(cpu: number, lock: number, prevHolder: number): void {
    const i = cpu - this.first;
    if (this.kmap.waitsForLock(i, cpu)) this.kmap.lockAcquired(i, cpu, prevHolder);
    else super.lockAcquired(cpu, lock, prevHolder);
  }

  protected override doWorkloadOp(op: number, arg: number): number {
    return op === OP_PT_ALLOC ? this.pageTables.applyOp(arg as ZoneType) : super.doWorkloadOp(op, arg);
  }

  protected override handleWorkloadEvent(kind: number, a: number, b: number, c: number): void {
    if (Kmap.ownsEvent(kind)) this.kmap.handleEvent(kind, a, b, c);
    else super.handleWorkloadEvent(kind, a, b, c);
  }

  /** Every delay a CPU's program takes first pays the time the CPU owes (IPIs, text fetches). */
  override after(cpu: number, delayNs: number): void {
    if (cpu < this.s.topo.cpus) {
      const i = cpu - this.first;
      const owed = this.owed[i];
      if (owed > 0) {
        this.owed[i] = 0;
        delayNs += owed;
      }
    }
    super.after(cpu, delayNs);
  }

  checkKmapInvariants(): void {
    this.kmap.checkInvariants();
  }
}
