/**
 * The plan of a `mix` run (shared/src/workload/mix.ts), built once before the run and read by every
 * node: configuration, not state (the engine's LP rule). It turns groups and phases into flat
 * tables the tasks consult at every operation: when each phase starts, and per phase and group
 * whether the group runs, its cumulative operation weights, its think-time sampler and the factor
 * its think times are divided by. Where every task runs comes from `placeMixTasks`, so the
 * resolver's checks and the simulation agree on it.
 *
 * Phases need no messages: every node knows the phase of any time from the table.
 */
import { MIX_OPS, placeMixTasks, type Distribution, type MixConfig, type MixPlacement, type MixWeights } from '@numasim/shared';
import { DurationSampler } from '../engine/distributions.js';

/** Operation codes of a task, in MIX_OPS order. */
export const MIX_FAULT = 0;
export const MIX_MUNMAP = 1;
export const MIX_READ = 2;
export const MIX_WRITE = 3;
export const MIX_KINDS = MIX_OPS.length;

export interface MixPlan {
  readonly groups: number;
  readonly phases: number;
  readonly phaseNames: readonly string[];
  /** Start of each phase, ns; the last phase lasts until the run ends. */
  readonly phaseStart: Float64Array;
  /** [p * groups + g]: 1 when group g runs in phase p. */
  readonly active: Uint8Array;
  /** [(p * groups + g) * MIX_KINDS + k]: weights of operations 0…k summed. */
  readonly cumWeight: Float64Array;
  /** [p * groups + g]: the think time, and what it is divided by. */
  readonly think: readonly DurationSampler[];
  readonly thinkScale: Float64Array;
  /** Per group: the user CPU time before each operation, or null. */
  readonly user: readonly (DurationSampler | null)[];
  readonly placement: MixPlacement;
  readonly regionPages: Int32Array;
  /** First page slot of each task's region in its CPU's slots; slot slotsPerCpu − 1 is for writes. */
  readonly slotBase: Int32Array;
  readonly slotsPerCpu: number;
}

const RATE_THINK_NS = 1e9;

/** The think time and weights rates stand for: a Poisson stream of Σrates operations per second. */
function fromRates(rates: MixWeights): { weights: MixWeights; think: Distribution } {
  const total = MIX_OPS.reduce((s, op) => s + (rates[op] ?? 0), 0);
  return { weights: rates, think: { dist: 'exp', mean: RATE_THINK_NS / total } };
}

export function buildMixPlan(cfg: MixConfig): MixPlan {
  const G = cfg.groups.length;
  const phases = cfg.phases ?? [{ name: 'run', durationNs: cfg.durationNs, rateScale: 1 }];
  const P = phases.length;
  const phaseStart = new Float64Array(P);
  for (let p = 1; p < P; p++) phaseStart[p] = phaseStart[p - 1] + phases[p - 1].durationNs;
  const active = new Uint8Array(P * G);
  const cumWeight = new Float64Array(P * G * MIX_KINDS);
  const think: DurationSampler[] = [];
  const thinkScale = new Float64Array(P * G);
  phases.forEach((ph, p) => {
    cfg.groups.forEach((g, gi) => {
      const at = p * G + gi;
      active[at] = ph.groups === undefined || ph.groups.includes(g.name) ? 1 : 0;
      const o = ph.overrides?.[g.name];
      // An override's mix or rates replaces the group's; its thinkNs replaces the think time only.
      let base = g.rates ? fromRates(g.rates) : { weights: g.mix!, think: g.thinkNs! };
      if (o?.rates) base = fromRates(o.rates);
      else if (o?.mix) base = { weights: o.mix, think: o.thinkNs ?? (g.rates ? base.think : g.thinkNs!) };
      else if (o?.thinkNs) base = { weights: base.weights, think: o.thinkNs };
      let sum = 0;
      MIX_OPS.forEach((op, k) => {
        sum += base.weights[op] ?? 0;
        cumWeight[at * MIX_KINDS + k] = sum;
      });
      think.push(new DurationSampler(base.think));
      thinkScale[at] = ph.rateScale * (o?.rateScale ?? 1);
    });
  });
  const placement = placeMixTasks(cfg);
  const regionPages = Int32Array.from(cfg.groups, (g) => g.regionPages);
  const used = new Int32Array(cfg.nodes * cfg.cpusPerNode);
  const slotBase = new Int32Array(placement.tasks.length);
  placement.tasks.forEach((t, k) => {
    slotBase[k] = used[t.cpu];
    used[t.cpu] += regionPages[t.group];
  });
  return {
    groups: G,
    phases: P,
    phaseNames: phases.map((p) => p.name),
    phaseStart,
    active,
    cumWeight,
    think,
    thinkScale,
    user: cfg.groups.map((g) => (g.userNs ? new DurationSampler(g.userNs) : null)),
    placement,
    regionPages,
    slotBase,
    slotsPerCpu: Math.max(0, ...used) + 1,
  };
}

/** The phase running at time `t`. */
export function phaseAt(plan: MixPlan, t: number): number {
  let p = plan.phases - 1;
  while (p > 0 && plan.phaseStart[p] > t) p--;
  return p;
}

/** Start of the first phase after `p` in which group `g` runs, or −1 when there is none. */
export function nextActiveStart(plan: MixPlan, g: number, p: number): number {
  for (let q = p + 1; q < plan.phases; q++) if (plan.active[q * plan.groups + g] === 1) return plan.phaseStart[q];
  return -1;
}
