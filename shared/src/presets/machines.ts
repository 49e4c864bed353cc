/**
 * Machine presets: `"machine": "numaq-16"` in a workload fills every machine field the workload
 * leaves out. Figures from VM-REFERENCE.md §5 and §7; the cost model's defaults are the NUMA-Q
 * era's (see workload/machine.ts), x86_64-2s overrides them with modern figures.
 */
export interface MachinePreset {
  readonly name: string;
  readonly summary: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export const MACHINE_PRESETS: readonly MachinePreset[] = [
  {
    name: 'numaq-16',
    summary: 'IBM NUMA-Q, 4 quads × 4 PIII 700 MHz, 1 GB per quad, i386 3 GB/1 GB split: ZONE_NORMAL on quad 0 only',
    fields: { nodes: 4, cpusPerNode: 4, memPerNodeMiB: 1024, layout: 'i386-numaq' },
  },
  {
    name: 'numaq-32',
    summary: 'IBM NUMA-Q, 8 quads × 4 CPUs, 4 GB per quad (32 GB)',
    fields: { nodes: 8, cpusPerNode: 4, memPerNodeMiB: 4096, layout: 'i386-numaq' },
  },
  {
    name: 'numaq-64',
    summary: 'IBM NUMA-Q at Linux\'s MAX_NUMNODES: 16 quads × 4 CPUs, 4 GB per quad (64 GB, 16 M page frames)',
    fields: { nodes: 16, cpusPerNode: 4, memPerNodeMiB: 4096, layout: 'i386-numaq' },
  },
  {
    name: 'smp-8',
    summary: 'a flat 8-way i386 SMP box with 4 GB (one node); set layout=fake-numa and nodes to split it as numa=fake did',
    fields: { nodes: 1, cpusPerNode: 8, memPerNodeMiB: 4096, layout: 'i386-numaq' },
  },
  {
    name: 'x86_64-2s',
    summary: 'a modern two-socket x86_64 server: 2 nodes × 16 CPUs, 32 GB each, remote memory +50%',
    fields: {
      nodes: 2,
      cpusPerNode: 16,
      memPerNodeMiB: 32_768,
      layout: 'x86_64',
      // Modern x86 (VM-REFERENCE.md §7): ~100 ns local DRAM, remote +50%; INVLPG ≈ 100 ns.
      costs: { lineSameNodeNs: 60, lineRemoteNs: 130, memLocalNs: 100, memRemoteNs: 150, pageCopyNs: 400, pageClearNs: 200, lockAtomicNs: 10, ipiNs: 1000, pageFaultNs: 700, syscallNs: 100, contextSwitchNs: 1500, zoneVisitNs: 50 },
    },
  },
];

export function findMachinePreset(name: string): MachinePreset | undefined {
  return MACHINE_PRESETS.find((m) => m.name === name);
}
