/**
 * Zonelists: the order in which an allocation tries zones, by policy.
 *
 * - `numa-local` — Linux 2.4 with CONFIG_NUMA (mm/numa.c `_alloc_pages`): the local node's
 *   zonelist (HIGHMEM → NORMAL → DMA, from the highest zone the allocation may use), then the
 *   next node's whole zonelist, and so on, wrapping (`node_next`).
 * - `round-robin` — 2.4 discontigmem without NUMA awareness: the same walk, but its start node
 *   rotates with every allocation. The kernel rotated one global pointer; the model rotates one per
 *   node (a global pointer would be state shared between LPs), which spreads pages the same way.
 * - `zone-major` — 2.5.25 (Martin Bligh, July 2002), "foreach zone { foreach node }": every node's
 *   HIGHMEM first, nearest node first, then every node's NORMAL, then DMA.
 * - `primary-fallback` — Rik van Riel's idea from the 22 March 2002 call: the local node's zones
 *   are the primary; the other nodes' zones are a fallback tried only when the primary is
 *   allocation-bound (the allocator's passes use `fallbackFrom` for that).
 * Nodes other than the local one are ordered by SLIT distance, ties broken by node number
 * counted from the local node upward, wrapping (N+1, N+2, …), as 2.5.25 did.
 */
import { ZONE_DMA, type ZoneType } from './zone.js';

export type ZonelistPolicy = 'numa-local' | 'round-robin' | 'zone-major' | 'primary-fallback';

export interface ZoneRef {
  node: number;
  type: ZoneType;
}

export interface Zonelist {
  zones: ZoneRef[];
  /** Index of the first zone that is only a fallback (`primary-fallback`); zones.length otherwise. */
  fallbackFrom: number;
}

/** Other nodes by distance from `local`, ties by (n − local) mod N. */
export function nodeOrder(local: number, distances: readonly (readonly number[])[]): number[] {
  const n = distances.length;
  const others = Array.from({ length: n }, (_, i) => i).filter((i) => i !== local);
  others.sort((a, b) => distances[local][a] - distances[local][b] || ((a - local + n) % n) - ((b - local + n) % n));
  return [local, ...others];
}

/**
 * The zonelist for an allocation from `local` that may use zones up to `highest` (HIGHMEM for
 * user pages, NORMAL for kernel and lowmem page tables, DMA for ISA DMA). `hasZone(node, type)`
 * says which zones exist. `rotation` is the start node for `round-robin`.
 */
export function buildZonelist(
  policy: ZonelistPolicy,
  local: number,
  highest: ZoneType,
  distances: readonly (readonly number[])[],
  hasZone: (node: number, type: ZoneType) => boolean,
  rotation = local,
): Zonelist {
  const n = distances.length;
  const types: ZoneType[] = [];
  for (let t = highest; t >= ZONE_DMA; t--) types.push(t as ZoneType);
  const nodeZones = (node: number) => types.filter((t) => hasZone(node, t)).map((type) => ({ node, type }));
  switch (policy) {
    case 'numa-local':
    case 'primary-fallback': {
      const zones = nodeOrder(local, distances).flatMap(nodeZones);
      const primary = nodeZones(local).length;
      return { zones, fallbackFrom: policy === 'primary-fallback' ? primary : zones.length };
    }
    case 'round-robin': {
      const order = Array.from({ length: n }, (_, i) => (rotation + i) % n);
      const zones = order.flatMap(nodeZones);
      return { zones, fallbackFrom: zones.length };
    }
    case 'zone-major': {
      const order = nodeOrder(local, distances);
      const zones = types.flatMap((type) => order.filter((node) => hasZone(node, type)).map((node) => ({ node, type })));
      return { zones, fallbackFrom: zones.length };
    }
  }
}

