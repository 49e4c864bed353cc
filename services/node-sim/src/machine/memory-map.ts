/**
 * Where each node's memory sits and which zones it holds, after the i386 boot code of Linux 2.4
 * (arch/i386/kernel/setup.c: MAX_DMA_ADDRESS 16 MiB, lowmem ends at 896 MiB because PAGE_OFFSET is
 * 3 GiB and VMALLOC_RESERVE 128 MiB; arch/i386/mm/discontig.c for NUMA-Q) and x86_64's per-node
 * zones.
 *
 * Physical memory is laid out node after node (node n starts at n × memPerNode). A node holds
 * the part of each zone's physical range that falls inside its own range:
 * - `i386-numaq` and `fake-numa`: ZONE_DMA below 16 MiB, ZONE_NORMAL up to 896 MiB, ZONE_HIGHMEM
 *   above — so with 1 GiB or more per node, DMA and NORMAL exist on node 0 only, which is the
 *   NUMA-Q situation the 2002 threads describe (fake-numa differs only in its distances);
 * - `x86_64`: no highmem; ZONE_DMA below 16 MiB (on node 0), ZONE_NORMAL for everything else.
 * Simplified: no memory holes, no reserved or boot-time-allocated frames (kernel image, mem_map).
 */
import type { MemoryLayout } from '@numasim/shared';
import { ZONE_DMA, ZONE_HIGHMEM, ZONE_NORMAL, type ZoneType } from '../mm/zone.js';

export const PAGE_SIZE = 4096;
export const PAGES_PER_MIB = (1024 * 1024) / PAGE_SIZE;
export const DMA_LIMIT_PAGES = 16 * PAGES_PER_MIB;
export const I386_LOWMEM_LIMIT_PAGES = 896 * PAGES_PER_MIB;

export interface ZoneSpan {
  type: ZoneType;
  /** Node-local index of the first frame. */
  start: number;
  pages: number;
}

export interface NodeMemory {
  node: number;
  startPfn: number;
  pages: number;
  zones: ZoneSpan[];
}

function clip(lo: number, hi: number, nodeStart: number, nodeEnd: number): [number, number] | undefined {
  const a = Math.max(lo, nodeStart);
  const b = Math.min(hi, nodeEnd);
  return a < b ? [a, b] : undefined;
}

/** `lowmemMiB`: where ZONE_NORMAL ends on i386 layouts (896 MiB unless the vmalloc reserve is larger). */
export function memoryMap(layout: MemoryLayout, nodes: number, memPerNodeMiB: number, lowmemMiB = I386_LOWMEM_LIMIT_PAGES / PAGES_PER_MIB): NodeMemory[] {
  const perNode = memPerNodeMiB * PAGES_PER_MIB;
  const lowmemEnd = lowmemMiB * PAGES_PER_MIB;
  const ranges: [ZoneType, number, number][] =
    layout === 'x86_64'
      ? [
          [ZONE_DMA, 0, DMA_LIMIT_PAGES],
          [ZONE_NORMAL, DMA_LIMIT_PAGES, Infinity],
        ]
      : [
          [ZONE_DMA, 0, DMA_LIMIT_PAGES],
          [ZONE_NORMAL, DMA_LIMIT_PAGES, lowmemEnd],
          [ZONE_HIGHMEM, lowmemEnd, Infinity],
        ];
  const out: NodeMemory[] = [];
  for (let n = 0; n < nodes; n++) {
    const startPfn = n * perNode;
    const end = startPfn + perNode;
    const zones: ZoneSpan[] = [];
    for (const [type, lo, hi] of ranges) {
      const c = clip(lo, hi, startPfn, end);
      if (c) zones.push({ type, start: c[0] - startPfn, pages: c[1] - c[0] });
    }
    out.push({ node: n, startPfn, pages: perNode, zones });
  }
  return out;
}
