/**
 * `mix`: task groups on the memory model. A group is `processes` processes of `threads` threads
 * each (threads of one process share its mm: one `mm->page_table_lock`), placed on the CPUs of
 * some nodes, each task looping think → one kernel operation drawn from the group's mix
 * (`fault`: an anonymous page fault; `munmap`: unmap the task's region; `read`: read() of a
 * page-cache page; `write`: write() of a new page-cache page). Phases run one after another and
 * say which groups run and how fast.
 *
 * Placement is decided here (`placeMixTasks`), once, so the resolver can check what depends on it
 * (kmap pools are per CPU's address space) and the simulator places tasks the same way.
 */
import { Type, type TObject } from '@sinclair/typebox';
import type { FieldIssue } from '../errors.js';
import { closedObject, nanoseconds } from './schema-kit.js';
import { DistributionSpec, distributionProblem, normalizeDistribution, type Distribution, type DistributionInput } from './distribution.js';
import { machineProperties, type MachineConfig } from './machine.js';
import { commonProperties, type CommonConfig } from './common.js';
import { vmProperties, type VmConfig } from './vm.js';

/** The operations a task can do, in report order. */
export const MIX_OPS = ['fault', 'munmap', 'read', 'write'] as const;
export type MixOp = (typeof MIX_OPS)[number];
export type MixWeights = Partial<Record<MixOp, number>>;

export const MIX_MAX_GROUPS = 32;
export const MIX_MAX_PHASES = 32;
export const MIX_MAX_TASKS = 65_536;
/** Page slots of all CPUs together (each CPU holds its tasks' regions): model state, 8 bytes each. */
export const MIX_MAX_SLOTS = 1 << 24;
export const MIX_DEFAULT_THINK: Distribution = { dist: 'const', value: 1000 };
export const MIX_DEFAULT_DURATION_NS = 1_000_000_000;

const NAME = { minLength: 1, maxLength: 40, pattern: '^[A-Za-z_][A-Za-z0-9_-]*$' };

const weight = (op: MixOp, what: string) => Type.Optional(Type.Number({ minimum: 0, maximum: 1e9, description: `${op}: ${what}` }));
const weights = (what: string) =>
  closedObject({ fault: weight('fault', what), munmap: weight('munmap', what), read: weight('read', what), write: weight('write', what) });

const MixWeightsSpec = weights('relative weight in the mix');
const MixRatesSpec = weights('operations per second per task');
const ScaleSpec = Type.Number({ minimum: 1e-6, maximum: 1e6, description: 'multiplies the operation rate: think times are divided by it' });

export const MixGroupSpec: TObject = closedObject(
  {
    name: Type.String({ ...NAME, description: 'names the group in phases and in the report' }),
    processes: Type.Integer({ minimum: 1, maximum: 4096, default: 1, description: 'processes, each with its own mm' }),
    threads: Type.Integer({ minimum: 1, maximum: 1024, default: 1, description: 'threads per process, sharing its mm (one mm->page_table_lock)' }),
    nodes: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 63 }), { minItems: 1, maxItems: 64, description: 'nodes whose CPUs run the tasks (default: every node)' })),
    spread: Type.Union([Type.Literal('pack'), Type.Literal('interleave')], {
      default: 'pack',
      description: 'each task goes to the least loaded CPU, ties broken in node order ("pack": a process\'s threads fill a node first) or across nodes ("interleave")',
    }),
    mix: Type.Optional({ ...MixWeightsSpec, description: 'relative weights of the operations (default {"fault": 1}); think time from thinkNs' }),
    rates: Type.Optional({ ...MixRatesSpec, description: 'operations per second per task instead of mix + thinkNs: exponential think time of mean 1/Σrates, operations drawn in proportion' }),
    thinkNs: Type.Optional({ ...DistributionSpec, description: `${DistributionSpec.description} Sleep between two operations of a task. Default: const 1000 ns.` }),
    userNs: Type.Optional({
      ...DistributionSpec,
      description: `${DistributionSpec.description} User CPU time before each operation: the task holds its CPU for it, so tasks sharing a CPU wait for each other (default: none).`,
    }),
    regionPages: Type.Integer({ minimum: 1, maximum: 1 << 16, default: 128, description: 'pages of each task\'s anonymous region: a fault maps the next one; a full region is unmapped first' }),
  },
  { description: 'A group of tasks: processes × threads, where they run and what they do.' },
);

export const MixOverrideSpec: TObject = closedObject(
  {
    mix: Type.Optional(MixWeightsSpec),
    rates: Type.Optional(MixRatesSpec),
    thinkNs: Type.Optional(DistributionSpec),
    rateScale: Type.Optional(ScaleSpec),
  },
  { description: 'What changes for one group in a phase.' },
);

export const MixPhaseSpec: TObject = closedObject(
  {
    name: Type.String({ ...NAME, description: 'names the phase in the report' }),
    durationNs: nanoseconds({ minimum: 1, description: 'how long the phase lasts, ns' }),
    groups: Type.Optional(Type.Array(Type.String(NAME), { maxItems: MIX_MAX_GROUPS, description: 'groups that run in this phase (default: all); the others sleep' })),
    rateScale: Type.Number({ ...ScaleSpec, default: 1 }),
    overrides: Type.Optional(Type.Record(Type.String(NAME), MixOverrideSpec, { description: 'per group: mix, rates, thinkNs or rateScale for this phase' })),
  },
  { description: 'A stretch of the run: which groups run, at which rates.' },
);

export const MixSpec: TObject = closedObject(
  {
    kind: Type.Literal('mix'),
    ...commonProperties,
    durationNs: Type.Optional(nanoseconds({ minimum: 1, description: 'simulated time to run, ns (default: the phases\' total, or 1 s)' })),
    ...machineProperties,
    ...vmProperties,
    groups: Type.Array(MixGroupSpec, {
      minItems: 1,
      maxItems: MIX_MAX_GROUPS,
      default: [{ name: 'tasks', processes: 4, threads: 1 }],
      description: 'the task groups',
    }),
    phases: Type.Optional(
      Type.Array(MixPhaseSpec, { minItems: 1, maxItems: MIX_MAX_PHASES, description: 'in order from the start; the last one lasts until durationNs' }),
    ),
    filePages: Type.Integer({ minimum: 1, maximum: 1 << 22, default: 16_384, description: 'pages of the file set `read` reads, in the page cache from the start, spread over the nodes' }),
  },
  { description: 'Task groups (processes × threads) with an operation mix, think times and phases.' },
);

export interface MixGroupConfig {
  name: string;
  processes: number;
  threads: number;
  nodes?: number[];
  spread: 'pack' | 'interleave';
  mix?: MixWeights;
  rates?: MixWeights;
  thinkNs?: Distribution;
  userNs?: Distribution;
  regionPages: number;
}

export interface MixOverride {
  mix?: MixWeights;
  rates?: MixWeights;
  thinkNs?: Distribution;
  rateScale?: number;
}

export interface MixPhaseConfig {
  name: string;
  durationNs: number;
  groups?: string[];
  rateScale: number;
  overrides?: Record<string, MixOverride>;
}

export interface MixConfig extends CommonConfig, MachineConfig, VmConfig {
  kind: 'mix';
  groups: MixGroupConfig[];
  phases?: MixPhaseConfig[];
  filePages: number;
}

/** One task: its group, process and thread, its mm (numbered over all groups) and its CPU. */
export interface MixTask {
  group: number;
  process: number;
  thread: number;
  mm: number;
  cpu: number;
}

export interface MixPlacement {
  tasks: MixTask[];
  /** Number of mms (processes over all groups). */
  mms: number;
  /** Group of each mm. */
  mmGroup: number[];
}

/** CPUs a group may use, in the order ties are broken. */
function candidateCpus(g: MixGroupConfig, nodes: number, cpusPerNode: number): number[] {
  const list = g.nodes ? [...new Set(g.nodes)].sort((a, b) => a - b) : Array.from({ length: nodes }, (_, n) => n);
  const out: number[] = [];
  if (g.spread === 'interleave') {
    for (let j = 0; j < cpusPerNode; j++) for (const n of list) out.push(n * cpusPerNode + j);
  } else for (const n of list) for (let j = 0; j < cpusPerNode; j++) out.push(n * cpusPerNode + j);
  return out;
}

/**
 * Every task's CPU: group by group, process by process, thread by thread, each to the least loaded
 * CPU the group may use (ties in the group's candidate order). Deterministic in the config alone.
 */
export function placeMixTasks(cfg: Pick<MixConfig, 'groups' | 'nodes' | 'cpusPerNode'>): MixPlacement {
  const load = new Int32Array(cfg.nodes * cfg.cpusPerNode);
  const tasks: MixTask[] = [];
  const mmGroup: number[] = [];
  cfg.groups.forEach((g, group) => {
    const cands = candidateCpus(g, cfg.nodes, cfg.cpusPerNode);
    for (let process = 0; process < g.processes; process++) {
      const mm = mmGroup.length;
      mmGroup.push(group);
      for (let thread = 0; thread < g.threads; thread++) {
        let best = cands[0];
        for (const c of cands) if (load[c] < load[best]) best = c;
        load[best]++;
        tasks.push({ group, process, thread, mm, cpu: best });
      }
    }
  });
  return { tasks, mms: mmGroup.length, mmGroup };
}

const sumWeights = (w: MixWeights) => MIX_OPS.reduce((s, op) => s + (w[op] ?? 0), 0);

function weightIssues(w: MixWeights | undefined, path: string): FieldIssue[] {
  return w !== undefined && sumWeights(w) <= 0 ? [{ path, reason: 'at least one operation must have a weight above 0' }] : [];
}

/** mix, rates and thinkNs of a group or an override: which of them may go together. */
function choiceIssues(o: { mix?: MixWeights; rates?: MixWeights; thinkNs?: Distribution }, path: string): FieldIssue[] {
  const issues = [...weightIssues(o.mix, `${path}.mix`), ...weightIssues(o.rates, `${path}.rates`)];
  if (o.mix && o.rates) issues.push({ path: `${path}.rates`, reason: 'give mix (with thinkNs) or rates, not both' });
  if (o.rates && o.thinkNs) issues.push({ path: `${path}.thinkNs`, reason: 'rates set the think time; give thinkNs with mix only' });
  if (o.thinkNs) {
    const problem = distributionProblem(o.thinkNs);
    if (problem) issues.push({ path: `${path}.thinkNs`, reason: problem });
  }
  return issues;
}

type Raw<T> = Omit<T, 'thinkNs' | 'userNs'> & { thinkNs?: DistributionInput; userNs?: DistributionInput };

/**
 * The mix-specific part of resolving: defaults that depend on other fields (mix, thinkNs,
 * durationNs) and the checks a schema cannot express. `frames`: page frames of the machine.
 */
export function finishMix(doc: Omit<MixConfig, 'durationNs'> & { durationNs?: number }, frames: number): { config: MixConfig; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const groups = doc.groups.map((raw) => {
    const g = raw as Raw<MixGroupConfig>;
    const { thinkNs, userNs, ...rest } = g;
    const out: MixGroupConfig = { ...rest };
    if (thinkNs !== undefined) out.thinkNs = normalizeDistribution(thinkNs);
    if (userNs !== undefined) out.userNs = normalizeDistribution(userNs);
    if (!out.rates) {
      out.mix ??= { fault: 1 };
      out.thinkNs ??= MIX_DEFAULT_THINK;
    }
    return out;
  });
  const phases = doc.phases?.map((p) => {
    if (!p.overrides) return p;
    const overrides: Record<string, MixOverride> = {};
    for (const [name, o] of Object.entries(p.overrides as Record<string, Raw<MixOverride>>)) {
      overrides[name] = o.thinkNs === undefined ? (o as MixOverride) : { ...o, thinkNs: normalizeDistribution(o.thinkNs) };
    }
    return { ...p, overrides };
  });
  const durationNs = doc.durationNs ?? (phases ? phases.reduce((s, p) => s + p.durationNs, 0) : MIX_DEFAULT_DURATION_NS);
  const config: MixConfig = { ...doc, durationNs, groups, ...(phases ? { phases } : {}) };

  const names = new Map<string, number>();
  groups.forEach((g, k) => {
    const at = `groups.${k}`;
    if (names.has(g.name)) issues.push({ path: `${at}.name`, reason: `"${g.name}" is also the name of groups.${names.get(g.name)}` });
    else names.set(g.name, k);
    g.nodes?.forEach((n, j) => {
      if (n >= doc.nodes) issues.push({ path: `${at}.nodes.${j}`, reason: `node ${n} does not exist (the machine has ${doc.nodes} nodes)` });
    });
    issues.push(...choiceIssues(g, at));
    const userProblem = g.userNs && distributionProblem(g.userNs);
    if (userProblem) issues.push({ path: `${at}.userNs`, reason: userProblem });
  });
  const phaseNames = new Map<string, number>();
  phases?.forEach((p, k) => {
    const at = `phases.${k}`;
    if (phaseNames.has(p.name)) issues.push({ path: `${at}.name`, reason: `"${p.name}" is also the name of phases.${phaseNames.get(p.name)}` });
    else phaseNames.set(p.name, k);
    p.groups?.forEach((name, j) => {
      if (!names.has(name)) issues.push({ path: `${at}.groups.${j}`, reason: `no group is named "${name}"` });
    });
    for (const [name, o] of Object.entries(p.overrides ?? {})) {
      if (!names.has(name)) issues.push({ path: `${at}.overrides.${name}`, reason: `no group is named "${name}"` });
      else issues.push(...choiceIssues(o, `${at}.overrides.${name}`));
    }
  });
  if (issues.length > 0) return { config, issues };

  const tasks = groups.reduce((s, g) => s + g.processes * g.threads, 0);
  if (tasks > MIX_MAX_TASKS) {
    issues.push({ path: 'groups', reason: `at most ${MIX_MAX_TASKS} tasks in all (processes × threads summed over the groups; got ${tasks})` });
    return { config, issues };
  }
  const placement = placeMixTasks(config);
  const cpus = doc.nodes * doc.cpusPerNode;
  const slots = new Float64Array(cpus);
  const tasksOn = new Int32Array(cpus);
  const mmOn = new Int32Array(cpus).fill(-1);
  let mixedCpu = -1;
  for (const t of placement.tasks) {
    slots[t.cpu] += groups[t.group].regionPages;
    tasksOn[t.cpu]++;
    if (mmOn[t.cpu] >= 0 && mmOn[t.cpu] !== t.mm && mixedCpu < 0) mixedCpu = t.cpu;
    mmOn[t.cpu] = t.mm;
  }
  const perCpu = Math.max(...slots) + 1;
  if (perCpu * cpus > MIX_MAX_SLOTS) {
    issues.push({ path: 'groups', reason: `the regions of the tasks sharing a CPU may hold at most ${Math.floor(MIX_MAX_SLOTS / cpus) - 1} pages on this machine (got ${perCpu - 1}); lower regionPages` });
  }
  if (doc.kmap === 'per-mm' && mixedCpu >= 0) {
    issues.push({ path: 'kmap', reason: `per-mm kmap pools need every CPU to run tasks of one mm only; CPU ${mixedCpu} runs tasks of several (use global or atomic, or fewer tasks)` });
  }
  if (doc.kmap === 'per-task' && tasksOn.some((n) => n > 1)) {
    issues.push({ path: 'kmap', reason: `per-task kmap windows need at most one task per CPU; CPU ${tasksOn.findIndex((n) => n > 1)} runs ${Math.max(...tasksOn)} (use global or atomic, or fewer tasks)` });
  }
  if (config.filePages > frames / 2) {
    issues.push({ path: 'filePages', reason: `the file set must fit in half of memory (${Math.floor(frames / 2)} pages; got ${config.filePages})` });
  }
  return { config, issues };
}
