import { describe, expect, it } from 'vitest';
import { resolveWorkload } from '@numasim/shared';
import { buildZonelist, memoryMap, nodeOrder, PAGES_PER_MIB, ZONE_DMA, ZONE_HIGHMEM, ZONE_NAMES, ZONE_NORMAL, type ZoneType } from '@numasim/node-sim';

const names = (zs: { type: number; pages: number }[]) => zs.map((z) => `${ZONE_NAMES[z.type]}:${z.pages / PAGES_PER_MIB}M`);

describe('memory map', () => {
  it('i386-numaq: DMA and NORMAL live on node 0 only, everything else is HIGHMEM', () => {
    const m = memoryMap('i386-numaq', 4, 1024);
    expect(names(m[0].zones)).toEqual(['DMA:16M', 'Normal:880M', 'HighMem:128M']);
    for (const n of [1, 2, 3]) expect(names(m[n].zones)).toEqual(['HighMem:1024M']);
    expect(m[2].startPfn).toBe(2 * 1024 * PAGES_PER_MIB);
  });

  it('i386 with little memory per node spreads lowmem over the first nodes (fake NUMA on a small box)', () => {
    const m = memoryMap('fake-numa', 4, 256);
    expect(names(m[0].zones)).toEqual(['DMA:16M', 'Normal:240M']);
    expect(names(m[3].zones)).toEqual(['Normal:128M', 'HighMem:128M']);
  });

  it('x86_64: every node has its own NORMAL zone, DMA on node 0', () => {
    const m = memoryMap('x86_64', 2, 4096);
    expect(names(m[0].zones)).toEqual(['DMA:16M', 'Normal:4080M']);
    expect(names(m[1].zones)).toEqual(['Normal:4096M']);
  });
});

describe('zonelists', () => {
  const d4 = [
    [10, 20, 20, 30],
    [20, 10, 30, 20],
    [20, 30, 10, 20],
    [30, 20, 20, 10],
  ];
  const numaq = memoryMap('i386-numaq', 4, 1024);
  const has = (node: number, type: ZoneType) => numaq[node].zones.some((z) => z.type === type);
  const show = (zl: { zones: { node: number; type: ZoneType }[] }) => zl.zones.map((z) => `${z.node}${ZONE_NAMES[z.type][0]}`).join(' ');

  it('orders other nodes by distance, ties counted upward from the local node', () => {
    expect(nodeOrder(1, d4)).toEqual([1, 3, 0, 2]); // 3 and 0 both at 20: 3 comes first counting up from 1
    expect(nodeOrder(3, d4)).toEqual([3, 1, 2, 0]);
  });

  it('numa-local: the local node\'s zones, then each other node\'s', () => {
    expect(show(buildZonelist('numa-local', 2, ZONE_HIGHMEM, d4, has))).toBe('2H 3H 0H 0N 0D 1H');
    expect(show(buildZonelist('numa-local', 2, ZONE_NORMAL, d4, has))).toBe('0N 0D');
  });

  it('zone-major: every node\'s HIGHMEM first, nearest first, then NORMAL, then DMA', () => {
    expect(show(buildZonelist('zone-major', 2, ZONE_HIGHMEM, d4, has))).toBe('2H 3H 0H 1H 0N 0D');
  });

  it('round-robin starts at the rotating node; primary-fallback marks where the fallback starts', () => {
    expect(show(buildZonelist('round-robin', 2, ZONE_HIGHMEM, d4, has, 3))).toBe('3H 0H 0N 0D 1H 2H');
    const pf = buildZonelist('primary-fallback', 1, ZONE_HIGHMEM, d4, has);
    expect(pf.fallbackFrom).toBe(1);
    expect(show(pf)).toBe('1H 3H 0H 0N 0D 2H');
    expect(buildZonelist('numa-local', 0, ZONE_DMA, d4, has).zones).toEqual([{ node: 0, type: ZONE_DMA }]);
  });
});

describe('machine presets', () => {
  it('fill what a workload leaves out, and a workload\'s own fields win', () => {
    const c = resolveWorkload({ kind: 'lockbench', machine: 'numaq-16' });
    expect([c.nodes, c.cpusPerNode, c.memPerNodeMiB, c.layout]).toEqual([4, 4, 1024, 'i386-numaq']);
    const own = resolveWorkload({ kind: 'lockbench', machine: 'numaq-32', cpusPerNode: 2, costs: { lineRemoteNs: 900 } });
    expect([own.nodes, own.cpusPerNode, own.costs.lineRemoteNs, own.costs.lineSameNodeNs]).toEqual([8, 2, 900, 240]);
    const modern = resolveWorkload({ kind: 'lockbench' }, ['machine=x86_64-2s']);
    expect([modern.nodes, modern.costs.memRemoteNs]).toEqual([2, 150]);
    expect(resolveWorkload(JSON.parse(JSON.stringify(own)))).toEqual(own);
    expect(() => resolveWorkload({ kind: 'lockbench', machine: 'cray' })).toThrow(/machine: must be one of "numaq-16"/);
  });

  it('fake-numa nodes are all at distance 10', () => {
    const c = resolveWorkload({ kind: 'lockbench', machine: 'smp-8' }, ['layout=fake-numa', 'nodes=4', 'cpusPerNode=2', 'memPerNodeMiB=1024']);
    expect(c.distances.flat().every((d) => d === 10)).toBe(true);
  });
});
