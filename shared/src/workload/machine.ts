/**
 * The simulated machine every workload runs on: nodes, CPUs, the SLIT distance matrix and the
 * cost model. Fields sit at the top level of a workload (`nodes`, `cpusPerNode`) so the knobs users
 * sweep most are flat `--set` keys; the cost model lives under `costs`.
 *
 * Cost defaults and where they come from (docs/SOURCES.md#numaq, #costs; "assumption" marks a
 * figure no source pins down, kept as a parameter on purpose):
 * - lineSameNodeNs 180: a dirty cache line moving between two CPUs of one node. On a P6 quad the
 *   line crosses the shared front-side bus, about one memory access: lmbench's 181 ns on a PIII.
 *   (assumption: transfer ≈ memory latency)
 * - lineRemoteNs 600: the same across the interconnect at SLIT distance 20. Sequent's own figure
 *   for NUMA-Q is remote = 3–4× local; 600 ns ≈ 3.3 × 181 ns. (assumption within a vendor range)
 * Costs at other distances are interpolated linearly in the SLIT value: distance 10 costs
 * lineSameNodeNs (fake NUMA nodes share memory), 20 costs lineRemoteNs, 30 extrapolates.
 */
import { Type } from '@sinclair/typebox';
import { closedObject, nanoseconds } from './schema-kit.js';
import type { FieldIssue } from '../errors.js';

export const MAX_NODES = 64;
/** 128: a Sapphire Rapids socket is 56 cores × 2 SMT threads = 112 CPUs on one node (SNC off). */
export const MAX_CPUS_PER_NODE = 128;
export const SLIT_LOCAL = 10;
export const SLIT_REMOTE_DEFAULT = 20;

export const MEMORY_LAYOUTS = ['i386-numaq', 'x86_64', 'fake-numa'] as const;
export type MemoryLayout = (typeof MEMORY_LAYOUTS)[number];
export const MAX_MEM_PER_NODE_MIB = 65_536;

const cost = (def: number, description: string) => nanoseconds({ maximum: 1e9, default: def, description });

/**
 * Further cost defaults (docs/SOURCES.md#costs; V = read in a source, D = derived, A = assumption):
 * memLocalNs 180 (V: lmbench memory latency 181 ns, PIII 859 MHz, 2.4.19); memRemoteNs 600 (A:
 * Sequent's 3–4× local, as lineRemoteNs); pageCopyNs 37 000 (D: 4 KiB at lmbench's bcopy 110 MB/s);
 * pageClearNs 18 000 (A: half a copy — it only writes); tlbFlushOneNs 100 (V: INVLPG ≈ 100 ns);
 * ipiNs 2000 (A: "1–5 µs" is often said, never sourced); pageFaultNs 2000 (V: lmbench page fault
 * 2.0 µs on 2.4.19); syscallNs 390 (V: null syscall 0.39 µs); contextSwitchNs 1100 (V: lmbench
 * 2-process context switch); forkNs 147 000 (V: lmbench fork+exit 147 µs on the PIII); execNs 400 000 (A:
 * lmbench's fork+execve+exit is some 3–4× its fork+exit); diskReadNs 5 000 000 (A: a random 4 KB read
 * from a 2002 SCSI disk, seek and rotation, no read-ahead); lockAtomicNs 47 (D: `lock;incl` 33 cycles at 700 MHz); zoneVisitNs
 * 200 (A: reading one more zone's free count and watermarks, about one cache miss); buddyOpNs 300,
 * lruListOpNs 150, rmapOpNs 150, pteSetNs 50, pagecacheOpNs 150 (A: critical sections of a few cache misses each —
 * the calibration, docs/CALIBRATION.md, is where they are held to the published lock statistics).
 */
export const CostsSpec = closedObject(
  {
    lineSameNodeNs: cost(180, 'cache-line transfer between two CPUs of one node, ns'),
    lineRemoteNs: cost(600, 'cache-line transfer between nodes at SLIT distance 20, ns (other distances interpolate)'),
    memLocalNs: cost(180, 'a cache miss served by the local node\'s memory, ns'),
    memRemoteNs: cost(600, 'a cache miss served by another node\'s memory at SLIT distance 20, ns (other distances interpolate)'),
    pageCopyNs: cost(37_000, 'copying one 4 KiB page, ns'),
    pageClearNs: cost(18_000, 'clearing one 4 KiB page, ns'),
    tlbFlushOneNs: cost(100, 'flushing one TLB entry (invlpg), ns'),
    ipiNs: cost(2000, 'a TLB-flush interprocessor interrupt, per target CPU, ns'),
    pageFaultNs: cost(2000, 'page-fault entry and exit, ns'),
    syscallNs: cost(390, 'system-call entry and exit, ns'),
    contextSwitchNs: cost(1100, 'a context switch, ns'),
    lockAtomicNs: cost(47, 'an uncontended atomic lock operation on a cached line, ns'),
    zoneVisitNs: cost(200, 'looking at one more zone while walking a zonelist, ns'),
    buddyOpNs: cost(300, 'rmqueue or __free_pages_ok on an order-0 page, with zone->lock held, ns'),
    lruListOpNs: cost(150, 'one LRU list operation (add, delete, move) with the LRU lock held, ns'),
    rmapOpNs: cost(150, 'adding or removing one pte_chain entry (page_add_rmap / page_remove_rmap), ns'),
    pteSetNs: cost(50, 'setting or clearing one pte with page_table_lock held, ns'),
    diskReadNs: cost(5_000_000, 'reading one page back from disk after reclaim dropped it (a refault), ns'),
    forkNs: cost(147_000, 'fork: copying the mm and the process, besides what the model charges page by page, ns'),
    execNs: cost(400_000, 'execve: loading a binary, besides what the model charges page by page, ns'),
    remoteCacheHitNs: Type.Optional(nanoseconds({ maximum: 1e9, description: 'with remoteCacheMiB: a miss on another quad\'s memory served by this quad\'s remote cache, ns (default memLocalNs)' })),
    remoteDirtyNs: Type.Optional(
      nanoseconds({ maximum: 1e9, description: 'with remoteCacheMiB: a line dirty in a third quad\'s cache (neither the requester\'s nor the home), ns (default 2 × lineRemoteNs: SCI asks the home, then the owner)' }),
    ),
    timerIrqNs: Type.Optional(nanoseconds({ maximum: 1e9, description: 'with irqHz: a local timer interrupt with its softirq work, ns (default 10000)' })),
    deviceIrqNs: Type.Optional(nanoseconds({ maximum: 1e9, description: 'with irqDevicePerSec: a device interrupt (disk completion, IPI) with its bottom half, ns (default 10000)' })),
    pagecacheOpNs: cost(150, 'the work of one page-cache hash lookup or insert with pagecache_lock held, besides its cache misses, ns'),
    // No default: absent, SMT siblings pay lineSameNodeNs like any two CPUs of a node (and reports stay as they were).
    lineSameCoreNs: Type.Optional(
      nanoseconds({ maximum: 1e9, description: 'cache-line transfer between two SMT threads of one core (threadsPerCore > 1), ns; default lineSameNodeNs' }),
    ),
  },
  { default: {}, description: 'The cost model: every cost the simulation charges, ns.' },
);

export const machineProperties = {
  nodes: Type.Integer({ minimum: 1, maximum: MAX_NODES, default: 1, description: 'NUMA nodes' }),
  cpusPerNode: Type.Integer({ minimum: 1, maximum: MAX_CPUS_PER_NODE, default: 4, description: 'CPUs on each node' }),
  threadsPerCore: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 8,
      description:
        'SMT threads per core (default 1). A node\'s CPUs are numbered core by core, siblings adjacent (CPU 2k and 2k+1 share a core with 2 threads) — ' +
        'the model\'s numbering, not Linux\'s; cpusPerNode must be a multiple',
    }),
  ),
  distances: Type.Optional(
    Type.Array(Type.Array(Type.Integer({ minimum: SLIT_LOCAL, maximum: 254 }), { maxItems: MAX_NODES }), {
      maxItems: MAX_NODES,
      description: 'SLIT distance matrix, nodes × nodes; default 10 on the diagonal and 20 elsewhere',
    }),
  ),
  layout: Type.Union(
    MEMORY_LAYOUTS.map((l) => Type.Literal(l)),
    {
      default: 'x86_64',
      description:
        '"i386-numaq": 3 GB/1 GB split, ZONE_DMA < 16 MB and ZONE_NORMAL < 896 MB of physical memory (on node 0), the rest HIGHMEM; ' +
        '"x86_64": no highmem, every node its own NORMAL zone; "fake-numa": the i386 layout with every distance 10 (numa=fake / discontigmem on an SMP box)',
    },
  ),
  memPerNodeMiB: Type.Integer({ minimum: 16, maximum: MAX_MEM_PER_NODE_MIB, default: 1024, description: 'memory on each node, MiB' }),
  lowmemMiB: Type.Integer({
    minimum: 17,
    maximum: 896,
    default: 896,
    description:
      'i386 layouts: physical memory the kernel maps directly (ZONE_DMA + ZONE_NORMAL), MiB — 896 on the 3 GB/1 GB split with its 128 MiB vmalloc reserve, ' +
      'less with a larger reserve; lower it with memPerNodeMiB to scale a machine down while keeping its highmem',
  }),
  remoteCacheMiB: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 65_536,
      description:
        'NUMA-Q\'s remote cache: MiB of lines from other quads\' memory each quad keeps on its IQ-Link board (32 on NUMA-Q); a miss on such a line that the quad wrote last or that is read-shared ' +
        'costs costs.remoteCacheHitNs, one dirty in a third quad costs costs.remoteDirtyNs; absent or 0: no remote cache',
    }),
  ),
  machine: Type.Optional(Type.String({ maxLength: 100, description: 'a machine preset (numaq-16, numaq-32, numaq-64, smp-8, x86_64-2s, broadwell-2s, haswell-4s, skylake-2s, icelake-2s, spr-2s) whose fields fill what the workload leaves out' })),
  costs: CostsSpec,
};

export interface Costs {
  lineSameNodeNs: number;
  lineRemoteNs: number;
  memLocalNs: number;
  memRemoteNs: number;
  pageCopyNs: number;
  pageClearNs: number;
  tlbFlushOneNs: number;
  ipiNs: number;
  pageFaultNs: number;
  syscallNs: number;
  contextSwitchNs: number;
  lockAtomicNs: number;
  zoneVisitNs: number;
  buddyOpNs: number;
  lruListOpNs: number;
  rmapOpNs: number;
  pteSetNs: number;
  pagecacheOpNs: number;
  forkNs: number;
  execNs: number;
  diskReadNs: number;
  lineSameCoreNs?: number;
  remoteCacheHitNs?: number;
  remoteDirtyNs?: number;
  timerIrqNs?: number;
  deviceIrqNs?: number;
}

export interface MachineConfig {
  nodes: number;
  cpusPerNode: number;
  threadsPerCore?: number;
  layout: MemoryLayout;
  memPerNodeMiB: number;
  lowmemMiB: number;
  remoteCacheMiB?: number;
  machine?: string;
  distances: number[][];
  costs: Costs;
}

/** 10 on the diagonal, 20 elsewhere; all 10 for fake NUMA (the nodes share one memory). */
export function defaultDistances(nodes: number, layout: MemoryLayout = 'x86_64'): number[][] {
  const remote = layout === 'fake-numa' ? SLIT_LOCAL : SLIT_REMOTE_DEFAULT;
  return Array.from({ length: nodes }, (_, i) => Array.from({ length: nodes }, (_, j) => (i === j ? SLIT_LOCAL : remote)));
}

/** Checks what the schema cannot: the matrix's shape and diagonal, and positive cross-node latency. */
export function machineIssues(m: MachineConfig): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (m.distances.length !== m.nodes) {
    issues.push({ path: 'distances', reason: `must have ${m.nodes} rows, one per node (got ${m.distances.length})` });
    return issues;
  }
  m.distances.forEach((row, i) => {
    if (row.length !== m.nodes) issues.push({ path: `distances.${i}`, reason: `must have ${m.nodes} entries (got ${row.length})` });
    else if (row[i] !== SLIT_LOCAL) issues.push({ path: `distances.${i}.${i}`, reason: `a node's distance to itself must be ${SLIT_LOCAL} (got ${row[i]})` });
  });
  if (m.threadsPerCore !== undefined && m.cpusPerNode % m.threadsPerCore !== 0) {
    issues.push({ path: 'threadsPerCore', reason: `must divide cpusPerNode (${m.cpusPerNode}) so every core has all its threads on one node (got ${m.threadsPerCore})` });
  }
  if (issues.length === 0 && m.nodes > 1 && crossNodeLatencyFloorNs(m) < 1) {
    issues.push({
      path: 'costs.lineSameNodeNs',
      reason: 'cross-node messages need a latency of at least 1 ns; raise the line-transfer costs',
    });
  }
  return issues;
}

/** Cost of moving a cache line between nodes at SLIT distance `d`, ns (whole). */
export function lineTransferNs(costs: Costs, d: number): number {
  const perTen = costs.lineRemoteNs - costs.lineSameNodeNs;
  return Math.max(0, Math.round(costs.lineSameNodeNs + (perTen * (d - SLIT_LOCAL)) / (SLIT_REMOTE_DEFAULT - SLIT_LOCAL)));
}

/** The smallest cross-node latency: the lookahead of conservative parallel execution. */
export function crossNodeLatencyFloorNs(m: MachineConfig): number {
  let floor = Infinity;
  for (let i = 0; i < m.nodes; i++)
    for (let j = 0; j < m.nodes; j++) if (i !== j) floor = Math.min(floor, lineTransferNs(m.costs, m.distances[i][j]));
  return floor;
}
