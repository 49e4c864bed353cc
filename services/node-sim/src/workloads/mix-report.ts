/**
 * The `mix` workload's figures (MixResult in shared/src/report/types.ts), merged over the nodes
 * after the run: per group over the whole run, and per phase and group, the operations of each
 * kind that completed and their latency distribution.
 */
import { MIX_OPS, type MixConfig, type MixOpReport, type MixOpsReport, type MixResult } from '@numasim/shared';
import { HIST_BUCKETS } from '../locks/lock-stats.js';
import { summarize } from '../mm/mm-report.js';
import { MIX_KINDS, type MixPlan } from './mix-plan.js';
import type { MixNode } from './mix-node.js';

interface Merged {
  done: Float64Array;
  total: Float64Array;
  max: Float64Array;
  hist: (Float64Array | undefined)[];
}

function merge(nodes: readonly MixNode[], cells: number): Merged {
  const m: Merged = { done: new Float64Array(cells), total: new Float64Array(cells), max: new Float64Array(cells), hist: new Array<Float64Array | undefined>(cells).fill(undefined) };
  for (const lp of nodes) {
    for (let q = 0; q < cells; q++) {
      m.done[q] += lp.done[q];
      m.total[q] += lp.latTotal[q];
      m.max[q] = Math.max(m.max[q], lp.latMax[q]);
      const h = lp.latHist[q];
      if (!h) continue;
      const into = (m.hist[q] ??= new Float64Array(HIST_BUCKETS));
      for (let b = 0; b < HIST_BUCKETS; b++) into[b] += h[b];
    }
  }
  return m;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** One kind of operation over the cells `qs` (phases of one group), in a span of `spanNs`. */
function opReport(m: Merged, qs: readonly number[], spanNs: number): MixOpReport {
  const hist = new Float64Array(HIST_BUCKETS);
  let completed = 0;
  let total = 0;
  let max = 0;
  for (const q of qs) {
    completed += m.done[q];
    total += m.total[q];
    max = Math.max(max, m.max[q]);
    const h = m.hist[q];
    if (h) for (let b = 0; b < HIST_BUCKETS; b++) hist[b] += h[b];
  }
  return { completed, perSecond: spanNs > 0 ? r3((completed * 1e9) / spanNs) : 0, latencyNs: summarize(hist, total, completed, max) };
}

function opsReport(m: Merged, plan: MixPlan, g: number, phases: readonly number[], spanNs: number): MixOpsReport {
  const cell = (p: number, k: number) => (p * plan.groups + g) * MIX_KINDS + k;
  const entries = MIX_OPS.map((op, k) => [op, opReport(m, phases.map((p) => cell(p, k)), spanNs)] as const);
  return Object.fromEntries(entries) as unknown as MixOpsReport;
}

export function mixResult(cfg: MixConfig, plan: MixPlan, nodes: readonly MixNode[], simulatedNs: number): MixResult {
  const m = merge(nodes, plan.phases * plan.groups * MIX_KINDS);
  const allPhases = Array.from({ length: plan.phases }, (_, p) => p);
  const operations = m.done.reduce((a, b) => a + b, 0);
  const sum = (f: (n: MixNode) => number) => nodes.reduce((s, n) => s + f(n), 0);
  return {
    kind: 'mix',
    operations,
    operationsPerSecond: r3((operations * 1e9) / simulatedNs),
    contextSwitches: sum((n) => n.contextSwitches),
    allocationFailures: sum((n) => n.allocationFailures),
    readMisses: sum((n) => n.cache.refaults),
    groups: cfg.groups.map((g, gi) => ({
      name: g.name,
      processes: g.processes,
      threads: g.threads,
      cpus: plan.placement.tasks.filter((t) => t.group === gi).map((t) => t.cpu),
      ops: opsReport(m, plan, gi, allPhases, simulatedNs),
    })),
    phases: plan.phaseNames.map((name, p) => {
      const startNs = Math.min(plan.phaseStart[p], simulatedNs);
      const endNs = p + 1 < plan.phases ? Math.min(plan.phaseStart[p + 1], simulatedNs) : simulatedNs;
      return { name, startNs, endNs, groups: cfg.groups.map((g, gi) => ({ name: g.name, ops: opsReport(m, plan, gi, [p], endNs - startNs) })) };
    }),
  };
}
