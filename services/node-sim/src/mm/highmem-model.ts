/**
 * What every model whose nodes have the highmem machinery (the process runner and its drivers, shm-db, mix) shares
 * once its nodes exist: one LP per node added to the kernel and started, the lock statistics, the
 * invariant checks of every node's memory and kmap pools, and the memory report with the kmap and
 * kernel-text sections. A workload adds its own result and what else its report carries.
 */
import type { MemoryReport } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import type { Topology } from '../machine/topology.js';
import type { Model } from '../workloads/model.js';
import type { KmapShared } from './highmem.js';
import { kmapReport } from './kmap.js';
import type { MmNode } from './mm-node.js';
import { memoryReport, zoneReports } from './mm-report.js';
import type { MmConfig, MmShared } from './mm-shared.js';
import { kernelTextReport } from './text-replication.js';

/** Builds node 0, 1, … with `make`, adds each to the kernel as an LP and starts it. */
export function startNodes<T extends MmNode & { start(lp: number): void }>(kernel: Kernel, count: number, make: (node: number) => T): T[] {
  const nodes: T[] = [];
  for (let n = 0; n < count; n++) {
    const lp = make(n);
    nodes.push(lp);
    lp.start(kernel.addLp(lp));
  }
  return nodes;
}

export type HighmemModelParts = Omit<Model, 'result' | 'memory' | 'checkInvariants'> & { memory(): MemoryReport; checkInvariants(): void };

export function highmemModelParts(cfg: MmConfig, kernel: Kernel, topo: Topology, shared: MmShared, km: KmapShared, nodes: readonly MmNode[]): HighmemModelParts {
  return {
    kernel,
    topology: topo,
    registry: shared.registry,
    lockStats: () => nodes.map((n) => n.client.stats),
    checkInvariants: () =>
      nodes.forEach((n) => {
        n.mem.checkInvariants();
        n.kmap?.checkInvariants();
      }),
    memory: () => ({ ...memoryReport(cfg, nodes), kmap: kmapReport(km, nodes.map((n) => n.kmap!)), text: kernelTextReport(shared, nodes.map((n) => n.text!)) }),
    zones: () => zoneReports(nodes),
  };
}
