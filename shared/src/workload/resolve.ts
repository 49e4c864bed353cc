/**
 * From what a user wrote to the configuration the engine runs: pick the kind's schema, fill the
 * defaults, apply `--set` overrides, validate, then fill the defaults that depend on other fields
 * (the distance matrix depends on `nodes`) and check what fields say about each other.
 * A resolved workload resolves to itself, so the config echoed in a report can be run again.
 */
import type { TObject, TSchema } from '@sinclair/typebox';
import { describeIssues, NumasimError, SharedErrors, type FieldIssue } from '../errors.js';
import { schemaIssues, withDefaults } from './schema-kit.js';
import { applySetOverride, parseSetOverride, type SetOverride } from './set-override.js';
import { distributionProblem, normalizeDistribution, type DistributionInput } from './distribution.js';
import { defaultDistances, machineIssues, type MachineConfig } from './machine.js';
import { findMachinePreset, MACHINE_PRESETS } from '../presets/machines.js';
import { LOCKBENCH_DEFAULT_HOLD, LOCKBENCH_DEFAULT_THINK, LockbenchSpec, type Handoff, type LockbenchConfig } from './lockbench.js';
import { PAGE_FAULT_DEFAULT_THINK, PageFaultSpec, type PageFaultConfig } from './page-fault.js';
import { KernbenchSpec, type KernbenchConfig } from './kernbench.js';
import { highmemIssues } from './highmem.js';
import { MemPressureSpec, type MemPressureConfig } from './mem-pressure.js';
import { FileReadSpec, type FileReadConfig } from './file-read.js';
import { ShmDbSpec, type ShmDbConfig } from './shm-db.js';
import { finishMix, MixSpec, type MixConfig } from './mix.js';
import { zeroTimeIssues } from './zero-time.js';
import { finishModern, KbuildSpec, PftSpec, ReadtwiceSpec, WillItScaleSpec, type ModernConfig } from './modern.js';
import { PipeSpec, type PipeConfig } from './pipe.js';

export type WorkloadConfig = LockbenchConfig | PageFaultConfig | KernbenchConfig | MemPressureConfig | FileReadConfig | ShmDbConfig | MixConfig | PipeConfig | ModernConfig;
export type WorkloadKind = WorkloadConfig['kind'];

interface KindEntry {
  readonly spec: TObject;
  readonly summary: string;
  readonly finish: (doc: Record<string, unknown>) => { config: WorkloadConfig; issues: FieldIssue[] };
}

function finishLockbench(doc: Record<string, unknown>): { config: LockbenchConfig; issues: FieldIssue[] } {
  const d = doc as unknown as LockbenchConfig & { thinkNs?: DistributionInput; holdNs?: DistributionInput; handoffNs?: number | Handoff };
  const handoff: Handoff =
    d.handoffNs === undefined
      ? { sameCpu: 0, sameNode: d.costs.lineSameNodeNs, remote: d.costs.lineRemoteNs, ...(d.costs.lineSameCoreNs !== undefined ? { sameCore: d.costs.lineSameCoreNs } : {}) }
      : typeof d.handoffNs === 'number'
        ? { sameCpu: d.handoffNs, sameNode: d.handoffNs, remote: d.handoffNs }
        : d.handoffNs;
  const config: LockbenchConfig = {
    ...d,
    distances: d.distances ?? defaultDistances(d.nodes, d.layout),
    thinkNs: normalizeDistribution(d.thinkNs ?? LOCKBENCH_DEFAULT_THINK),
    holdNs: normalizeDistribution(d.holdNs ?? LOCKBENCH_DEFAULT_HOLD),
    handoffNs: handoff,
  };
  const issues = machineIssues(config);
  for (const field of ['thinkNs', 'holdNs'] as const) {
    const problem = distributionProblem(config[field]);
    if (problem) issues.push({ path: field, reason: problem });
  }
  return { config, issues };
}

/** The simulated memory's size limit: frames are model state, 16 bytes each. */
function memoryLimitIssues(config: MachineConfig): FieldIssue[] {
  const frames = config.nodes * config.memPerNodeMiB * 256;
  return frames > 1 << 26 ? [{ path: 'memPerNodeMiB', reason: `nodes × memPerNodeMiB must be at most 256 GiB of simulated memory (got ${frames / 262144} GiB)` }] : [];
}

/** A memory workload's machine checks and its size limit, with the machine's frame count. */
function memoryMachineIssues(config: MachineConfig): { issues: FieldIssue[]; frames: number } {
  return { issues: [...machineIssues(config), ...memoryLimitIssues(config)], frames: config.nodes * config.memPerNodeMiB * 256 };
}

function finishPageFault(doc: Record<string, unknown>): { config: PageFaultConfig; issues: FieldIssue[] } {
  const d = doc as unknown as PageFaultConfig & { thinkNs?: DistributionInput };
  const config: PageFaultConfig = {
    ...d,
    distances: d.distances ?? defaultDistances(d.nodes, d.layout),
    thinkNs: normalizeDistribution(d.thinkNs ?? PAGE_FAULT_DEFAULT_THINK),
  };
  const issues = machineIssues(config);
  const problem = distributionProblem(config.thinkNs);
  if (problem) issues.push({ path: 'thinkNs', reason: problem });
  const cpus = config.nodes * config.cpusPerNode;
  if (cpus * config.pagesPerCycle > 1 << 24) {
    issues.push({ path: 'pagesPerCycle', reason: `CPUs × pagesPerCycle must be at most ${1 << 24} (got ${cpus} × ${config.pagesPerCycle})` });
  }
  issues.push(...memoryLimitIssues(config));
  issues.push(...highmemIssues(config));
  return { config, issues };
}

function finishKernbench(doc: Record<string, unknown>): { config: KernbenchConfig; issues: FieldIssue[] } {
  const d = doc as unknown as KernbenchConfig;
  const config: KernbenchConfig = { ...d, distances: d.distances ?? defaultDistances(d.nodes, d.layout) };
  const { issues, frames } = memoryMachineIssues(config);
  issues.push(...highmemIssues(config));
  if (config.treePages > frames / 2) issues.push({ path: 'treePages', reason: `the page cache at the start must fit in half of memory (${Math.floor(frames / 2)} pages; got ${config.treePages})` });
  return { config, issues };
}

function finishMemPressure(doc: Record<string, unknown>): { config: MemPressureConfig; issues: FieldIssue[] } {
  const d = doc as unknown as MemPressureConfig;
  const config: MemPressureConfig = { ...d, distances: d.distances ?? defaultDistances(d.nodes, d.layout) };
  const { issues } = memoryMachineIssues(config);
  issues.push(...highmemIssues(config));
  return { config, issues };
}

function finishFileRead(doc: Record<string, unknown>): { config: FileReadConfig; issues: FieldIssue[] } {
  const d = doc as unknown as FileReadConfig;
  const config: FileReadConfig = { ...d, distances: d.distances ?? defaultDistances(d.nodes, d.layout) };
  const { issues, frames } = memoryMachineIssues(config);
  if (config.filePages > frames / 2) issues.push({ path: 'filePages', reason: `the file set must fit in half of memory (${Math.floor(frames / 2)} pages; got ${config.filePages})` });
  const cpus = config.nodes * config.cpusPerNode;
  if (config.cpusPerMm > cpus) issues.push({ path: 'cpusPerMm', reason: `must be at most the machine's ${cpus} CPUs (got ${config.cpusPerMm})` });
  issues.push(...highmemIssues(config));
  return { config, issues };
}

function finishShmDb(doc: Record<string, unknown>): { config: ShmDbConfig; issues: FieldIssue[] } {
  const d = doc as unknown as ShmDbConfig;
  const config: ShmDbConfig = { ...d, distances: d.distances ?? defaultDistances(d.nodes, d.layout) };
  const { issues, frames } = memoryMachineIssues(config);
  if (config.segmentMiB * 256 > frames / 2) issues.push({ path: 'segmentMiB', reason: `the segment must fit in half of memory (${Math.floor(frames / 512)} MiB; got ${config.segmentMiB})` });
  issues.push(...highmemIssues(config));
  return { config, issues };
}

function finishPipe(doc: Record<string, unknown>): { config: PipeConfig; issues: FieldIssue[] } {
  const d = doc as unknown as PipeConfig;
  const config: PipeConfig = { ...d, distances: d.distances ?? defaultDistances(d.nodes, d.layout) };
  const { issues } = memoryMachineIssues(config);
  issues.push(...highmemIssues(config));
  // Each pair needs its own CPUs (pipe.ts pairs them in the order the pairing says).
  const cpus = config.nodes * config.cpusPerNode;
  const cpusPerPair = config.pairing === 'same-cpu' ? 1 : 2;
  if (config.pairs * cpusPerPair > cpus) issues.push({ path: 'pairs', reason: `${config.pairing} pairs need ${cpusPerPair} CPU(s) each: at most ${Math.floor(cpus / cpusPerPair)} on this machine (got ${config.pairs})` });
  if (config.pairing === 'cross-quad' && config.nodes < 2) issues.push({ path: 'pairing', reason: 'cross-quad needs at least two nodes' });
  if (config.pairing === 'cross-quad' && config.nodes % 2 !== 0) issues.push({ path: 'pairing', reason: `cross-quad pairs nodes two by two: needs an even number of nodes (got ${config.nodes})` });
  if (config.pairing === 'same-quad' && config.cpusPerNode % 2 !== 0) issues.push({ path: 'pairing', reason: `same-quad pairs a node's CPUs two by two: needs an even cpusPerNode (got ${config.cpusPerNode})` });
  return { config, issues };
}

function finishMixKind(doc: Record<string, unknown>): { config: MixConfig; issues: FieldIssue[] } {
  const d = doc as unknown as MixConfig;
  const withDistances: MixConfig = { ...d, distances: d.distances ?? defaultDistances(d.nodes, d.layout) };
  const { issues, frames } = memoryMachineIssues(withDistances);
  issues.push(...highmemIssues(withDistances));
  if (issues.length > 0) return { config: withDistances, issues };
  return finishMix(withDistances, frames);
}

export const WORKLOAD_KINDS: Readonly<Record<WorkloadKind, KindEntry>> = {
  lockbench: { spec: LockbenchSpec, summary: 'spinlock microbenchmark: CPUs loop think → acquire → hold → release', finish: finishLockbench },
  'page-fault': { spec: PageFaultSpec, summary: 'will-it-scale page_fault1: per CPU, mmap → touch every page → munmap', finish: finishPageFault },
  'mem-pressure': { spec: MemPressureSpec, summary: 'a working set larger than memory: readers of a file set bigger than RAM, reclaim-bound', finish: finishMemPressure },
  'shm-db': { spec: ShmDbSpec, summary: 'database processes attaching one big shm segment: page tables larger than lowmem (the pte knob)', finish: finishShmDb },
  'file-read': { spec: FileReadSpec, summary: 'a read-heavy server: readers copy page-cache pages to user space through kmap; the kmap modes under reads', finish: finishFileRead },
  kernbench: { spec: KernbenchSpec, summary: 'make -jN bzImage: compile jobs that fork, exec, fault, read, write and exit; reports the build time', finish: finishKernbench },
  pipe: { spec: PipeSpec, summary: 'pipe ping-pong between task pairs (lmbench lat_pipe / lat_ctx): wake-ups across CPUs and quads; the task-area knobs', finish: finishPipe },
  mix: { spec: MixSpec, summary: 'task groups (processes × threads) on CPUs or nodes, with an operation mix, think times and phases', finish: finishMixKind },
  'will-it-scale': { spec: WillItScaleSpec, summary: 'will-it-scale page_fault1/page_fault2 on the modern mm (pcp lists, lruvecs), process or thread mode; reports score', finish: finishModern },
  pft: { spec: PftSpec, summary: 'mmtests pft: tasks fault one large region on the modern mm; reports faults per second', finish: finishModern },
  kbuild: { spec: KbuildSpec, summary: '0-day kbuild: instances × make -jM in memory cgroups on the modern mm; reports the build time', finish: finishModern },
  readtwice: { spec: ReadtwiceSpec, summary: 'vm-scalability case-lru-file-readtwice: dd readers read their files twice, in containers; reports MB/s', finish: finishModern },
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(issues: FieldIssue[]): NumasimError {
  return new NumasimError(SharedErrors.WORKLOAD_INVALID, `invalid workload: ${describeIssues(issues)}`, issues);
}

/**
 * Fills the machine fields a workload leaves out from its `machine` preset (named in the workload
 * or by a `machine=` override). Fields the workload gives win; `costs` merge field by field.
 */
function withMachinePreset(input: Record<string, unknown>, overrides: readonly SetOverride[]): Record<string, unknown> {
  const named = overrides.filter((o) => o.path === 'machine').at(-1)?.value ?? input.machine;
  if (named === undefined) return input;
  const preset = typeof named === 'string' ? findMachinePreset(named) : undefined;
  if (!preset) {
    throw invalid([{ path: 'machine', reason: `must be one of ${MACHINE_PRESETS.map((m) => JSON.stringify(m.name)).join(', ')} (got ${JSON.stringify(named)})` }]);
  }
  const costs = { ...((preset.fields.costs as object | undefined) ?? {}), ...((input.costs as object | undefined) ?? {}) };
  return { ...preset.fields, ...input, costs };
}

/** The schema of the field an override path names, if the path walks object properties only. */
function schemaAt(spec: TSchema, segments: readonly string[]): TSchema | undefined {
  let cur: TSchema | undefined = spec;
  for (const seg of segments) {
    const props: Record<string, TSchema> | undefined = (cur as { properties?: Record<string, TSchema> } | undefined)?.properties;
    cur = props?.[seg];
    if (!cur) return undefined;
  }
  return cur;
}

/**
 * `--set lru=2.4` parses as the number 2.4, but `lru` takes the string "2.4": where a field takes
 * only strings, an override's text is used as written.
 */
function asStringWhereExpected(spec: TSchema, o: SetOverride): SetOverride {
  if (o.raw === undefined || typeof o.value === 'string') return o;
  const target = schemaAt(spec, o.segments) as { type?: string; anyOf?: { const?: unknown; type?: string }[] } | undefined;
  if (!target) return o;
  const stringOnly = target.type === 'string' || (target.anyOf !== undefined && target.anyOf.every((v) => typeof v.const === 'string' || v.type === 'string'));
  return stringOnly ? { ...o, value: o.raw } : o;
}

/**
 * Resolves a workload. `overrides` are `path=value` strings (or parsed overrides) applied after the
 * defaults, in order. Throws a NumasimError naming every offending field.
 */
export function resolveWorkload(input: unknown, overrides: readonly (string | SetOverride)[] = []): WorkloadConfig {
  if (!isPlainObject(input)) throw invalid([{ path: '', reason: 'the workload must be a JSON object' }]);
  const parsed = overrides.map((o) => (typeof o === 'string' ? parseSetOverride(o) : o));
  const kindOverride = parsed.filter((o) => o.path === 'kind').at(-1);
  const kind = kindOverride ? kindOverride.value : input.kind;
  if (kind === undefined) throw invalid([{ path: 'kind', reason: `is required (one of ${Object.keys(WORKLOAD_KINDS).join(', ')})` }]);
  if (typeof kind !== 'string' || !Object.hasOwn(WORKLOAD_KINDS, kind)) {
    throw new NumasimError(
      SharedErrors.WORKLOAD_KIND_UNKNOWN,
      `invalid workload: kind: must be one of ${Object.keys(WORKLOAD_KINDS).join(', ')} (got ${JSON.stringify(kind)})`,
      [{ path: 'kind', reason: `must be one of ${Object.keys(WORKLOAD_KINDS).join(', ')}` }],
    );
  }
  const entry = WORKLOAD_KINDS[kind as WorkloadKind];
  let doc = withDefaults<Record<string, unknown>>(entry.spec, withMachinePreset(input, parsed));
  for (const o of parsed) doc = applySetOverride(doc, asStringWhereExpected(entry.spec, o));
  doc = withDefaults<Record<string, unknown>>(entry.spec, doc);
  const issues = schemaIssues(entry.spec, doc);
  if (issues.length > 0) throw invalid(issues);
  const { config, issues: crossIssues } = entry.finish(doc);
  if (crossIssues.length > 0) {
    throw new NumasimError(SharedErrors.WORKLOAD_INCONSISTENT, `inconsistent workload: ${describeIssues(crossIssues)}`, crossIssues);
  }
  const still = zeroTimeIssues(config);
  if (still.length > 0) {
    throw new NumasimError(SharedErrors.WORKLOAD_ZERO_TIME, `simulated time could never advance: ${describeIssues(still)}; make one of them non-zero`, still);
  }
  return config;
}
