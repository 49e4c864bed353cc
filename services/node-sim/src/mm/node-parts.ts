/**
 * Which of the kernel's layers a memory workload's nodes compose beyond the core (mm-node.ts),
 * and where a node's lowmem is. Follows no kernel source: 2.4.18 builds every layer into every
 * kernel; the model composes only those a workload reaches, so a page-fault run carries no kmap
 * pools and no kswapd.
 */
import { invariant } from '../errors.js';
import type { KmapShared } from './highmem.js';
import type { MmShared } from './mm-shared.js';
import { ZONE_NORMAL } from './zone.js';

/**
 * The kernel layers a workload's nodes have beyond the core, each composed as subsystems:
 * `reclaim` — kswapd and direct reclaim (vmscan.ts; without it an allocation that fails every
 * pass fails); `kmap` — the kmap configuration, with which the node composes the kmap pools'
 * callers (kmap.ts), its processes' page-table pages (page-tables.ts) and its kernel text
 * (text-replication.ts). page-fault has neither; every other memory workload has both.
 */
export interface NodeParts {
  readonly reclaim: boolean;
  readonly kmap: KmapShared | null;
  /** Task slots of the node's kernel stacks and task_structs (task-area.ts, the `taskArea` knob); one per CPU when absent. */
  readonly taskSlots?: number;
}
export const CORE_ONLY: NodeParts = { reclaim: false, kmap: null };

/** This node if it has a ZONE_NORMAL, else the first node that does. */
export function findLowmemNode(s: MmShared, node: number): number {
  const hasNormal = (n: number) => s.maps[n].zones.some((z) => z.type === ZONE_NORMAL);
  if (hasNormal(node)) return node;
  for (let n = 0; n < s.maps.length; n++) if (hasNormal(n)) return n;
  invariant(false, 'no node has a ZONE_NORMAL');
}
