/**
 * The modern workload kinds: the benchmarks people run on today's mm (docs/WORKLOADS.md#modern).
 * - `will-it-scale`: page_fault1 (each task loops: mmap 128 MB anonymous, write every page,
 *   munmap) or page_fault2 (the same on a private mapping of a file: every write is a COW fault
 *   that copies the page-cache page), in process mode (a process per task) or thread mode (one mm).
 *   Reports `score`: iterations per second summed over tasks, as will-it-scale prints.
 * - `pft`: mmtests' page-fault test: tasks fault one large anonymous region together.
 * - `kbuild`: 0-day's kbuild: N instances in N memory cgroups, `make -jM` each.
 * - `readtwice`: vm-scalability case-lru-file-readtwice: a dd reader per task reads its own file
 *   twice (the second read activates the pages), tasks spread over containers.
 * Each takes `tasks` (0: one per CPU) and, where the benchmark has one, `mode`.
 */
import { Type, type TObject } from '@sinclair/typebox';
import { closedObject, nanoseconds } from './schema-kit.js';
import { defaultDistances, machineIssues, machineProperties, type MachineConfig } from './machine.js';
import { commonProperties, type CommonConfig } from './common.js';
import { modernMmProperties, type ModernMmConfig } from './modern-mm.js';
import type { FieldIssue } from '../errors.js';

export const MODERN_KINDS = ['will-it-scale', 'pft', 'kbuild', 'readtwice'] as const;
export type ModernKind = (typeof MODERN_KINDS)[number];

const tasks = Type.Integer({ minimum: 0, maximum: 4096, default: 0, description: 'tasks (processes or threads); 0: one per CPU, the benchmark\'s full load' });
const mode = Type.Union([Type.Literal('process'), Type.Literal('thread')], {
  default: 'process',
  description: '"process": every task its own mm; "thread": the tasks are threads of one mm, sharing its mmap_lock',
});
const spinlock = Type.Union([Type.Literal('ticket'), Type.Literal('tas'), Type.Literal('qspinlock'), Type.Literal('cna')], {
  default: 'ticket',
  description:
    'spinlock model for zone->lock, the LRU locks and mm->page_table_lock: "ticket" (FIFO, x86 2.6.25–4.1), "tas", "qspinlock" (the MCS queued spinlock of 4.2+: FIFO, ' +
    'each waiter spinning on its own queue node, the pending-bit fast path) or "cna" (qspinlock with the compact NUMA-aware queue ordering of the CNA series, v15)',
});
const cnaThresholdNs = Type.Optional(
  Type.Integer({ minimum: 1, maximum: 1e10, description: 'cna: numa_spinlock_threshold_ns — how long the secondary queue\'s head may wait before the queue is flushed; default 1000000 (1 ms, v15)' }),
);

const shared = { ...commonProperties, ...machineProperties, ...modernMmProperties, spinlock, cnaThresholdNs };

export const WillItScaleSpec: TObject = closedObject(
  {
    kind: Type.Literal('will-it-scale'),
    ...shared,
    test: Type.Union([Type.Literal('page_fault1'), Type.Literal('page_fault2')], { default: 'page_fault1', description: 'page_fault1: anonymous memory; page_fault2: a private file mapping (COW faults)' }),
    mode,
    tasks,
    regionMiB: Type.Integer({ minimum: 1, maximum: 4096, default: 128, description: 'the mapping each iteration faults and unmaps, MiB (will-it-scale: 128 MB)' }),
  },
  { description: 'will-it-scale page_fault1 / page_fault2: per task, mmap → write every page → munmap, in a loop.' },
);

export const PftSpec: TObject = closedObject(
  {
    kind: Type.Literal('pft'),
    ...shared,
    mode: { ...mode, default: 'thread' },
    tasks,
    regionMiB: Type.Integer({ minimum: 1, maximum: 1 << 18, default: 4096, description: 'the region the tasks fault together (thread mode) or each fault a share of (process mode), MiB' }),
  },
  { description: 'mmtests pft: tasks fault one large anonymous region; reports faults per second.' },
);

export const KbuildSpec: TObject = closedObject(
  {
    kind: Type.Literal('kbuild'),
    ...shared,
    instances: Type.Integer({ minimum: 1, maximum: 256, default: 8, description: 'kbuild instances, each in its own memory cgroup' }),
    makeJobs: Type.Integer({ minimum: 1, maximum: 1024, default: 28, description: 'make -jM of each instance' }),
    jobsPerInstance: Type.Integer({ minimum: 1, maximum: 100_000, default: 140, description: 'compile jobs (cc1 processes) per instance' }),
    jobAnonPages: Type.Integer({ minimum: 1, maximum: 1 << 20, default: 12_000, description: 'anonymous pages a compile job faults in and frees at exit' }),
    jobCpuNs: nanoseconds({ maximum: 1e12, default: 800_000_000, description: 'user CPU time of a compile job, ns' }),
    execNs: nanoseconds({ maximum: 1e10, default: 300_000, description: 'fork + execve + exit of a job besides its faults, ns' }),
  },
  { description: 'kbuild as 0-day runs it: instances × make -jM in memory cgroups; reports the build time.' },
);

export const ReadtwiceSpec: TObject = closedObject(
  {
    kind: Type.Literal('readtwice'),
    ...shared,
    tasks,
    fileMiB: Type.Integer({ minimum: 1, maximum: 1 << 16, default: 256, description: 'each reader\'s file, MiB, read twice from start to end' }),
    copyNsPerPage: nanoseconds({ maximum: 1e7, default: 400, description: 'copy_page_to_iter of one 4 KiB page to user space, ns' }),
  },
  { description: 'vm-scalability case-lru-file-readtwice: dd readers read their files twice; reports MB/s summed.' },
);

interface ModernShared extends CommonConfig, MachineConfig, ModernMmConfig {
  spinlock: 'ticket' | 'tas' | 'qspinlock' | 'cna';
  cnaThresholdNs?: number;
}
export interface WillItScaleConfig extends ModernShared {
  kind: 'will-it-scale';
  test: 'page_fault1' | 'page_fault2';
  mode: 'process' | 'thread';
  tasks: number;
  regionMiB: number;
}
export interface PftConfig extends ModernShared {
  kind: 'pft';
  mode: 'process' | 'thread';
  tasks: number;
  regionMiB: number;
}
export interface KbuildConfig extends ModernShared {
  kind: 'kbuild';
  instances: number;
  makeJobs: number;
  jobsPerInstance: number;
  jobAnonPages: number;
  jobCpuNs: number;
  execNs: number;
}
export interface ReadtwiceConfig extends ModernShared {
  kind: 'readtwice';
  tasks: number;
  fileMiB: number;
  copyNsPerPage: number;
}
export type ModernConfig = WillItScaleConfig | PftConfig | KbuildConfig | ReadtwiceConfig;

/** Cross-field checks of a modern workload, after the schema's: the machine, and what fits in it. */
export function finishModern(doc: Record<string, unknown>): { config: ModernConfig; issues: FieldIssue[] } {
  const d = doc as unknown as ModernConfig;
  const config = { ...d, distances: d.distances ?? defaultDistances(d.nodes, d.layout) } as ModernConfig;
  const issues = machineIssues(config);
  if (config.layout !== 'x86_64') issues.push({ path: 'layout', reason: `the modern workloads model x86_64 (a ZONE_NORMAL per node, no highmem) (got ${JSON.stringify(config.layout)})` });
  const cpus = config.nodes * config.cpusPerNode;
  if ('tasks' in config && config.tasks > cpus) issues.push({ path: 'tasks', reason: `at most one task per CPU: the machine has ${cpus} CPUs (got ${config.tasks})` });
  if (config.zoneInstances > config.cpusPerNode) issues.push({ path: 'zoneInstances', reason: `at most one zone instance per CPU of a node (${config.cpusPerNode}; got ${config.zoneInstances})` });
  if (config.kind === 'kbuild' && config.instances * config.makeJobs > 4 * cpus) {
    issues.push({ path: 'makeJobs', reason: `instances × makeJobs must be at most 4 × the machine's ${cpus} CPUs (got ${config.instances} × ${config.makeJobs})` });
  }
  const memPages = config.nodes * config.memPerNodeMiB * 256;
  const t = 'tasks' in config ? config.tasks || cpus : 0;
  if (config.kind === 'will-it-scale' && t * config.regionMiB * 256 > memPages / 2) {
    issues.push({ path: 'regionMiB', reason: `tasks × regionMiB must fit in half of memory (${Math.floor(memPages / 512)} MiB; got ${t} × ${config.regionMiB})` });
  }
  if (config.kind === 'pft' && config.regionMiB * 256 > memPages / 2) issues.push({ path: 'regionMiB', reason: `the region must fit in half of memory (${Math.floor(memPages / 512)} MiB)` });
  return { config, issues };
}
