/**
 * `shm-db`: database processes attaching one big SysV shm segment (the SGA), after Linux 2.4
 * ipc/shm.c and mm/memory.c (`shmat`, then `handle_mm_fault` → `pte_alloc` for every 4 MiB of
 * the segment, and a minor fault per page to set its pte), with the page-table placement of the
 * `pte` knob (pte-highmem, UKVA: mm/page-tables.ts, mm/kmap.ts):
 *
 * - the segment's pages are allocated at boot, spread evenly over the nodes' highest zones;
 * - processes are started round-robin over the CPUs, one after another on each CPU: fork (a long
 *   kernel path), shmat (a system call), then the segment's page tables, one page-table page per
 *   PTRS_PER_PTE (1024, non-PAE i386) pages of the segment: `pte_alloc` takes a page under the
 *   zone's `zone->lock` (pattern 1 of docs/MEMORY-MODEL.md when the zone is on another node), then
 *   1024 minor faults fill it;
 * - where the page comes from: `lowmem` — ZONE_NORMAL (node 0 only on i386-numaq), GFP_KERNEL;
 *   `highmem` and `ukva` — the CPU's node's highmem, then the other nodes' in order;
 *   the allocation fails when the zone is at `pages_min` (no reclaim can help: page tables and shm
 *   pages in use are not reclaimable here); a process whose page table fails stops, and its CPU
 *   with it (the kernel would have started the OOM killer);
 * - filling a page-table page: per pte a minor fault (`pageFaultNs`) and the pte set
 *   (`pteSetNs`); pte-highmem maps the page-table page with kmap_atomic (KM_PTE0) on every fault
 *   (an invlpg and a fixmap pte each, counted as pte_offset_map kmaps); and 128 cache lines of
 *   ptes (1024 × 4 bytes) missed at the distance of the page table's node.
 *
 * Simplified: processes stay attached until the end (no exit, no swapping of page tables); the
 * segment's pages are not on the LRU; no rmap pte_chains (2× the PTEs under -rmap);
 * PAE (512 ptes per page) is not modelled.
 */
import type { ShmDbConfig, ShmDbResult } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import { invariant } from '../errors.js';
import { Topology } from '../machine/topology.js';
import { memoryMap } from '../machine/memory-map.js';
import { buildMmShared, LINES_BUDDY, type MmShared } from '../mm/mm-shared.js';
import { addKmapLocks, KC_PTE, mmPerCpu, type KmapShared } from '../mm/highmem.js';
import { HIGHMEM_PROTOCOL } from '../mm/kmap.js';
import { MmNode } from '../mm/mm-node.js';
import { REMOTE_ANSWER_AFTER } from '../mm/remote-ops.js';
import { ZONE_HIGHMEM, ZONE_NAMES, ZONE_NORMAL, type ZoneType } from '../mm/zone.js';
import type { Model } from './model.js';
import { highmemModelParts, startNodes } from '../mm/highmem-model.js';
import { NS_ZERO } from '../engine/time.js';

/** PTRS_PER_PTE on non-PAE i386: one page-table page maps 4 MiB. */
export const PTRS_PER_PTE = 1024;
/** Cache lines of one page-table page (4 KiB of 4-byte ptes, 32-byte PIII lines). */
const PTE_PAGE_LINES = 128;

/** shm-db's numbers, after the highmem layer's. */
const SHM_DB_PROTOCOL = HIGHMEM_PROTOCOL.extend('shm-db', {
  steps: ['next', 'attach', 'pte', 'pte got', 'stopped'],
  ops: ['pte alloc'],
});
/** arg: zone type; answers a frame or −1. */
const [OP_PTE_ALLOC] = SHM_DB_PROTOCOL.ops;
const [S_NEXT, S_ATTACH, S_PTE, S_PTE_GOT, S_STOPPED] = SHM_DB_PROTOCOL.steps;

class ShmDbNode extends MmNode {
  private readonly cfg: ShmDbConfig;
  private readonly ptePerProcess: number;
  // Per CPU.
  private readonly proc: Int32Array; // the process being attached, or the next one
  private readonly ptDone: Int32Array; // its page-table pages so far
  private readonly tryNode: Int32Array; // nodes of the current allocation's walk tried so far
  // Statistics.
  attached = 0;
  failed = 0;
  firstFailure = -1;
  lastAttachNs = NS_ZERO;
  /** Page-table pages taken from this node's zones, by zone type. */
  readonly ptePages = new Float64Array(3);

  constructor(kernel: Kernel, node: number, s: MmShared, km: KmapShared) {
    super(kernel, node, s, 1, { reclaim: true, kmap: km });
    this.cfg = s.cfg as ShmDbConfig;
    // remoteOps=direct (mm/remote-ops.ts): the page-table page's rmqueue is answered after the release, as pte_alloc's.
    this.remoteKinds.declare(OP_PTE_ALLOC, REMOTE_ANSWER_AFTER);
    this.ptePerProcess = Math.ceil((this.cfg.segmentMiB * 256) / PTRS_PER_PTE);
    const c = s.topo.cpusPerNode;
    this.proc = new Int32Array(c);
    this.ptDone = new Int32Array(c);
    this.tryNode = new Int32Array(c);
    this.allocateSegment();
  }

  /** The SGA: segmentMiB of shm pages, an equal share on every node's highest zone. */
  private allocateSegment(): void {
    const total = this.cfg.segmentMiB * 256;
    const share = Math.floor(total / this.n) + (this.node < total % this.n ? 1 : 0);
    const zone = this.mem.zones[this.mem.zones.length - 1];
    for (let k = 0; k < share; k++) invariant(this.mem.rmqueue(zone.type) >= 0, `node ${this.node} has no room for its ${share} pages of the shared segment`);
  }

  start(lp: number): void {
    for (let i = 0; i < this.s.topo.cpusPerNode; i++) {
      this.proc[i] = this.first + i;
      this.startCpu(lp, this.first + i, S_NEXT, 0);
    }
  }

  /** The node and zone the `k`-th try of a page-table allocation on this CPU looks at, or null when none is left. */
  private pteZone(k: number): { node: number; type: ZoneType } | null {
    if (this.s.cfg.pte === 'lowmem') return k === 0 ? { node: this.lowmemNode, type: ZONE_NORMAL } : null;
    if (k >= this.n) return null;
    const node = (this.node + k) % this.n;
    const zones = this.s.maps[node].zones;
    return { node, type: zones[zones.length - 1].type };
  }

  /** 1024 minor faults filling a page-table page on `node`, ns. */
  private fillNs(i: number, node: number, type: ZoneType): number {
    const costs = this.s.cfg.costs;
    let perPte = costs.pageFaultNs + costs.pteSetNs;
    if (type === ZONE_HIGHMEM && this.s.cfg.pte === 'highmem') {
      // pte_offset_map on every fault: kmap_atomic(KM_PTE0).
      this.kmapAtomicCalls[KC_PTE] += PTRS_PER_PTE;
      this.kmapAtomic += PTRS_PER_PTE;
      perPte += costs.tlbFlushOneNs + costs.pteSetNs;
    }
    this.kernelEntry(i);
    return PTRS_PER_PTE * perPte + PTE_PAGE_LINES * this.s.memNs[this.node * this.n + node];
  }

  protected override doWorkloadOp(op: number, arg: number): number {
    if (op !== OP_PTE_ALLOC) return super.doWorkloadOp(op, arg);
    // pte_alloc → __alloc_pages: a page while the zone is above pages_min, or a failure.
    const zone = this.mem.zone(arg as ZoneType);
    if (zone.freePages <= zone.pagesMin) return -1;
    const frame = this.mem.rmqueue(zone.type);
    if (frame >= 0) this.ptePages[zone.type]++;
    return frame;
  }

  protected override program(i: number, cpu: number, p: number): boolean {
    const costs = this.s.cfg.costs;
    switch (p) {
      case S_NEXT:
        if (this.proc[i] >= this.cfg.processes) {
          this.prog[i] = S_STOPPED;
          return false;
        }
        // fork (from the database's master process) and shmat.
        this.kernelEntry(i, true);
        this.kernelEntry(i);
        this.ptDone[i] = 0;
        this.prog[i] = S_ATTACH;
        this.after(cpu, costs.forkNs + costs.syscallNs);
        return false;
      case S_ATTACH:
      case S_PTE: {
        if (this.ptDone[i] === this.ptePerProcess) {
          this.attached++;
          this.lastAttachNs = this.kernel.now;
          this.proc[i] += this.s.topo.cpus;
          this.prog[i] = S_NEXT;
          return true;
        }
        if (p === S_ATTACH || this.tryNode[i] < 0) this.tryNode[i] = 0;
        const z = this.pteZone(this.tryNode[i]);
        invariant(z !== null, 'a page-table allocation with no zone to try');
        const hold = costs.buddyOpNs + this.structPageNs(z.node);
        this.lockedOp(i, cpu, this.s.zoneLock[z.node * 3 + z.type], this.s.callers.rmqueue, OP_PTE_ALLOC, z.node, z.type, hold, LINES_BUDDY, S_PTE_GOT);
        return false;
      }
      case S_PTE_GOT: {
        const z = this.pteZone(this.tryNode[i]);
        invariant(z !== null, 'a page-table allocation answered for no zone');
        if (this.opResult[i] >= 0) {
          this.ptDone[i]++;
          this.tryNode[i] = -1;
          this.prog[i] = S_PTE;
          this.after(cpu, this.fillNs(i, z.node, z.type));
          return false;
        }
        if (this.pteZone(++this.tryNode[i]) !== null) {
          this.prog[i] = S_PTE;
          return true;
        }
        // Out of memory for page tables: this process, and its CPU, stop here.
        this.failed++;
        if (this.firstFailure < 0 || this.proc[i] < this.firstFailure) this.firstFailure = this.proc[i];
        this.prog[i] = S_STOPPED;
        return false;
      }
      case S_STOPPED:
        return false;
    }
    return super.program(i, cpu, p);
  }
}

export function buildShmDb(kernelFor: (lookaheadNs: number) => Kernel, cfg: ShmDbConfig): Model {
  const topo = new Topology(cfg);
  let km: KmapShared | undefined;
  const shared = buildMmShared(cfg, topo, memoryMap(cfg.layout, cfg.nodes, cfg.memPerNodeMiB, cfg.lowmemMiB), (add) => {
    km = addKmapLocks(cfg, topo, mmPerCpu(topo), add);
  });
  const kernel = kernelFor(topo.lookaheadNs);
  const nodes = startNodes(kernel, cfg.nodes, (n) => new ShmDbNode(kernel, n, shared, km!));
  const sum = (f: (n: ShmDbNode) => number) => nodes.reduce((s, n) => s + f(n), 0);
  return {
    ...highmemModelParts(cfg, kernel, topo, shared, km!, nodes),
    progress: () => ({ unit: 'processes', done: sum((n) => n.attached), total: cfg.processes }),
    result: (): ShmDbResult => {
      const attached = sum((n) => n.attached);
      const failures = nodes.map((n) => n.firstFailure).filter((p) => p >= 0);
      return {
        kind: 'shm-db',
        processes: cfg.processes,
        attached,
        outOfMemory: failures.length > 0,
        failedAllocations: sum((n) => n.failed),
        firstFailureProcess: failures.length > 0 ? Math.min(...failures) : null,
        ptePages: nodes.flatMap((lp) => lp.mem.zones.filter((z) => lp.ptePages[z.type] > 0).map((z) => ({ node: lp.node, zone: ZONE_NAMES[z.type], pages: lp.ptePages[z.type] }))),
        completionNs: attached === cfg.processes ? Math.max(...nodes.map((n) => n.lastAttachNs)) : null,
      };
    },
  };
}
