/**
 * Machine presets: `"machine": "numaq-16"` in a workload fills every machine field the workload
 * leaves out. Figures from docs/SOURCES.md#numaq and #costs; the cost model's defaults are the NUMA-Q
 * era's (see workload/machine.ts), x86_64-2s overrides them with modern figures.
 */

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

/**
 * The hardware's own mechanisms, on in every NUMA-Q preset: each quad's 32 MB remote cache (STiNG,
 * docs/SOURCES.md#remote-cache) and test-and-set timed by the lock line as the P6s and the SCI
 * interconnect did it (docs/MODEL.md, "Lock hand-offs as the hardware times them").
 */
const NUMAQ_HARDWARE = { remoteCacheMiB: 32, lockLineTiming: true };

/**
 * Modern NUMA servers (docs/SOURCES.md#modern-machines). One node per socket: sub-NUMA clustering
 * (SNC, Skylake-SP and later; cluster-on-die on Haswell/Broadwell-EP) is off, as it is by default
 * in most BIOSes — with SNC-2 a socket is two nodes: set `nodes` twice as high and `cpusPerNode`
 * half. `cpusPerNode` = cores per socket × `threadsPerCore` (2: Hyper-Threading on). Memory per
 * node is scaled down to 16 GiB (the real boxes have 96–768 GB per socket; the simulator holds at
 * most 256 GiB): raise it with `memPerNodeMiB` when a workload needs more.
 * Costs: memLocalNs / memRemoteNs are idle load-to-use latencies to local / the other socket's
 * DRAM; lineSameNodeNs / lineRemoteNs are core-to-core cache-line transfers (a modified line read
 * or CAS'd by another core) within a socket / across the socket interconnect; lineSameCoreNs
 * between SMT siblings (the line is in their shared L1/L2). The remaining costs are those of
 * x86_64-2s (MODERN_CPU_COSTS). Each figure and its source: docs/SOURCES.md#modern-machines —
 * idle latencies from Intel MLC `--latency_matrix` (or an unloaded pointer chase), line transfers
 * from MLC `--c2c_latency` L2->L2 HITM or a CAS ping-pong, rounded to whole ns; where the exact
 * SKU was not measured, a sister part's figure (marked D there).
 */
const MODERN_CPU_COSTS = { pageCopyNs: 400, pageClearNs: 200, lockAtomicNs: 10, ipiNs: 1000, pageFaultNs: 700, syscallNs: 100, contextSwitchNs: 1500, zoneVisitNs: 50 };
const MODERN_MEM_PER_NODE_MIB = 16_384;

const modern = (name: string, summary: string, nodes: number, cores: number, lat: { memLocalNs: number; memRemoteNs: number; lineSameNodeNs: number; lineRemoteNs: number; lineSameCoreNs: number }): MachinePreset => ({
  name,
  summary,
  fields: {
    nodes,
    cpusPerNode: cores * 2,
    threadsPerCore: 2,
    memPerNodeMiB: MODERN_MEM_PER_NODE_MIB,
    layout: 'x86_64',
    costs: { ...MODERN_CPU_COSTS, ...lat },
  },
});

const MODERN_MACHINES: readonly MachinePreset[] = [
  modern('broadwell-2s', 'two-socket Broadwell-EP (Xeon E5-2600 v4 class): 2 × 10 cores × 2 SMT = 40 CPUs, ring bus, QPI; SNC (cluster-on-die) off', 2, 10, {
    memLocalNs: 85, memRemoteNs: 137, lineSameNodeNs: 41, lineRemoteNs: 118, lineSameCoreNs: 8,
  }),
  modern('haswell-4s', 'four-socket Haswell-EX (Xeon E7-8895 v3 class): 4 × 18 cores × 2 SMT = 144 CPUs, QPI fully connected (one hop to every socket)', 4, 18, {
    memLocalNs: 100, memRemoteNs: 137, lineSameNodeNs: 47, lineRemoteNs: 107, lineSameCoreNs: 8,
  }),
  modern('skylake-2s', 'two-socket Skylake-SP (Xeon Platinum 8180 class): 2 × 28 cores × 2 SMT = 112 CPUs, mesh, UPI; SNC off', 2, 28, {
    memLocalNs: 81, memRemoteNs: 131, lineSameNodeNs: 54, lineRemoteNs: 146, lineSameCoreNs: 8,
  }),
  modern('icelake-2s', 'two-socket Ice Lake-SP (Xeon Platinum 8358 class): 2 × 32 cores = 64 cores, × 2 SMT = 128 CPUs, mesh, UPI; SNC off', 2, 32, {
    memLocalNs: 89, memRemoteNs: 143, lineSameNodeNs: 64, lineRemoteNs: 127, lineSameCoreNs: 8,
  }),
  modern('spr-2s', 'two-socket Sapphire Rapids (Xeon Platinum 8480+ class): 2 × 56 cores × 2 SMT = 224 CPUs, four tiles per socket on EMIB, UPI 2.0; SNC off', 2, 56, {
    memLocalNs: 116, memRemoteNs: 194, lineSameNodeNs: 64, lineRemoteNs: 127, lineSameCoreNs: 4,
  }),
];

export const MACHINE_PRESETS: readonly MachinePreset[] = [
  {
    name: 'numaq-16',
    summary: 'IBM NUMA-Q, 4 quads × 4 PIII 700 MHz, 1 GB per quad, i386 3 GB/1 GB split: ZONE_NORMAL on quad 0 only',
    fields: { nodes: 4, cpusPerNode: 4, memPerNodeMiB: 1024, layout: 'i386-numaq', costs: NUMAQ_COSTS, tasLocalBias: NUMAQ_TAS_LOCAL_BIAS, coherence: 'sci', ...NUMAQ_HARDWARE },
  },
  {
    name: 'numaq-32',
    summary: 'IBM NUMA-Q, 8 quads × 4 CPUs, 4 GB per quad (32 GB)',
    fields: { nodes: 8, cpusPerNode: 4, memPerNodeMiB: 4096, layout: 'i386-numaq', costs: NUMAQ_COSTS, tasLocalBias: NUMAQ_TAS_LOCAL_BIAS, coherence: 'sci', ...NUMAQ_HARDWARE },
  },
  {
    name: 'numaq-64',
    summary: 'IBM NUMA-Q at Linux\'s MAX_NUMNODES: 16 quads × 4 CPUs, 4 GB per quad (64 GB, 16 M page frames)',
    fields: { nodes: 16, cpusPerNode: 4, memPerNodeMiB: 4096, layout: 'i386-numaq', costs: NUMAQ_COSTS, tasLocalBias: NUMAQ_TAS_LOCAL_BIAS, coherence: 'sci', ...NUMAQ_HARDWARE },
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
  ...MODERN_MACHINES,
];

export function findMachinePreset(name: string): MachinePreset | undefined {
  return MACHINE_PRESETS.find((m) => m.name === name);
}
