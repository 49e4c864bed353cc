/**
 * Knobs of where the VM's structures live and how a CPU reaches them (issue #18, mechanisms 7 and 8;
 * docs/MEMORY-MODEL.md "The i386 NUMA-Q layout", docs/SOURCES.md#numaq-layout, #pte-walk).
 *
 * Both are optional and have no default in the schema, so a workload that does not name them
 * resolves to the same configuration (and report) as before they existed; absent means the first
 * value listed.
 */
import { Type } from '@sinclair/typebox';

export const REMOTE_OPS_MODES = ['message', 'direct'] as const;
export type RemoteOpsMode = (typeof REMOTE_OPS_MODES)[number];
export const PTE_WALK_MODES = ['per-pte', 'sequential'] as const;
export type PteWalkMode = (typeof PTE_WALK_MODES)[number];

export const layoutProperties = {
  remoteOps: Type.Optional(
    Type.Union(
      REMOTE_OPS_MODES.map((v) => Type.Literal(v)),
      {
        description:
          'how a CPU changes another node\'s LRU or buddy lists under a lock (absent: "message"): "message" — the operation is sent to the page\'s node and the lock ' +
          'is held until the answer is back (the round trip inside the hold); "direct" — the CPU does the work itself on the structures where they live (node 0\'s lowmem ' +
          'on i386 NUMA-Q: pg_data_t, the zones and every mem_map, with zone->lock homed there), the hold is its own accesses, and the change reaches the page\'s node after the hold',
      },
    ),
  ),
  pteWalk: Type.Optional(
    Type.Union(
      PTE_WALK_MODES.map((v) => Type.Literal(v)),
      {
        description:
          'how pte accesses are priced (absent: "per-pte"): "per-pte" — every fault and unmap misses on its pte\'s line; "sequential" — 8 ptes share a 32-byte line, ' +
          'a process faults its anonymous pages and zap_page_range walks its ptes in address order, so one access in 8 misses; with pte-highmem one mapping per page-table page walked',
      },
    ),
  ),
};

export interface LayoutConfig {
  remoteOps?: RemoteOpsMode;
  pteWalk?: PteWalkMode;
}
