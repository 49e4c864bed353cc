/**
 * Machine presets: `"machine": "numaq-16"` in a workload fills every machine field the workload
 * leaves out. Figures from docs/SOURCES.md#numaq and #costs; the cost model's defaults are the NUMA-Q
 * era's (see workload/machine.ts), x86_64-2s overrides them with modern figures.
 */
import { MODERN_MACHINE_STANDINS } from './modern-machines.js';

export interface MachinePreset {
  readonly name: string;
  readonly summary: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * NUMA-Q's memory (docs/SOURCES.md#numaq, #costs; A = assumption): a local miss costs more than on a
 * plain PIII board (lmbench's 181 ns) because a quad's memory sits behind its IQ-link controller;
 * we take 240 ns, for local misses and for lines moving between two CPUs of a quad. A miss that goes
 * all the way across the interconnect, or a dirty line fetched from another quad's cache, is quoted
 * at about 10× local for this "high ratio NUMA" machine (Sequent's own 3–4× is an average that
 * counts hits in the quad's remote cache); the LRU and lock lines the calibration is about bounce
 * between caches and pay the full crossing: 2400 ns. Chosen from these figures before calibrating,
 * then held to the published lock statistics (docs/CALIBRATION.md).
 */
const NUMAQ_COSTS = { memLocalNs: 240, lineSameNodeNs: 240, memRemoteNs: 2400, lineRemoteNs: 2400 };

/**
 * NUMA-Q's test-and-set spinlocks favour the releasing quad: its spinners read the freed line off
 * the quad's own bus before a remote quad's request crosses the interconnect, so remote quads
 * starve. No source gives the odds (A); 0.9 is the value at which numaq-16-kernbench's longest
 * pagemap_lru_lock wait falls inside the 10–16 ms of the five published runs (docs/CALIBRATION.md;
 * 0.95 before the SCI purge of `coherence: 'sci'` was modelled, which lengthens every contended
 * hand-off and so the tail).
 */
const NUMAQ_TAS_LOCAL_BIAS = 0.9;

export const MACHINE_PRESETS: readonly MachinePreset[] = [
  {
    name: 'numaq-16',
    summary: 'IBM NUMA-Q, 4 quads × 4 PIII 700 MHz, 1 GB per quad, i386 3 GB/1 GB split: ZONE_NORMAL on quad 0 only',
    fields: { nodes: 4, cpusPerNode: 4, memPerNodeMiB: 1024, layout: 'i386-numaq', costs: NUMAQ_COSTS, tasLocalBias: NUMAQ_TAS_LOCAL_BIAS, coherence: 'sci' },
  },
  {
    name: 'numaq-32',
    summary: 'IBM NUMA-Q, 8 quads × 4 CPUs, 4 GB per quad (32 GB)',
    fields: { nodes: 8, cpusPerNode: 4, memPerNodeMiB: 4096, layout: 'i386-numaq', costs: NUMAQ_COSTS, tasLocalBias: NUMAQ_TAS_LOCAL_BIAS, coherence: 'sci' },
  },
  {
    name: 'numaq-64',
    summary: 'IBM NUMA-Q at Linux\'s MAX_NUMNODES: 16 quads × 4 CPUs, 4 GB per quad (64 GB, 16 M page frames)',
    fields: { nodes: 16, cpusPerNode: 4, memPerNodeMiB: 4096, layout: 'i386-numaq', costs: NUMAQ_COSTS, tasLocalBias: NUMAQ_TAS_LOCAL_BIAS, coherence: 'sci' },
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
      // Modern x86 (docs/SOURCES.md#costs): ~100 ns local DRAM, remote +50%; INVLPG ≈ 100 ns.
      costs: { lineSameNodeNs: 60, lineRemoteNs: 130, memLocalNs: 100, memRemoteNs: 150, pageCopyNs: 400, pageClearNs: 200, lockAtomicNs: 10, ipiNs: 1000, pageFaultNs: 700, syscallNs: 100, contextSwitchNs: 1500, zoneVisitNs: 50 },
    },
  },
  ...MODERN_MACHINE_STANDINS,
];

export function findMachinePreset(name: string): MachinePreset | undefined {
  return MACHINE_PRESETS.find((m) => m.name === name);
}
