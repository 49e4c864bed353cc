import { afterAll, describe, expect, it } from 'vitest';
import { closeDefaultNodePool, runWorkloadPlaced } from '@numasim/node-sim';
import { resolveWorkload, type Report, type TaskAreaReport } from '@numasim/shared';
import { Kernel, runWorkload } from '../src/index.js';
import type { MmNode } from '../src/mm/mm-node.js';
import { buildPipe } from '../src/workloads/pipe.js';

// Two-CPU pairs on a 16-way NUMA-Q (node 0: lowmem and a little highmem; nodes 1–3: highmem only).
const pipe = { kind: 'pipe', machine: 'numaq-16', pairs: 8, durationNs: 2_000_000, seed: 1 };
const forkExit = {
  kind: 'kernbench',
  machine: 'numaq-16',
  jobs: 48,
  parallelJobs: 16,
  treePages: 300,
  processes: [{ name: 'sh', anonPages: 20, fileFaults: 10, readPages: 0, writePages: 0, cpuNs: 300_000 }],
};
const run = (w: object, sets: string[]) => runWorkload(resolveWorkload(w, sets), { checkInvariants: true });
const ta = (r: Report): TaskAreaReport => r.memory!.taskArea!;

/** Runs a pipe model and hands back its nodes (their TaskArea counters, node by node). */
function nodesAfter(w: object, sets: string[]): readonly MmNode[] {
  const cfg = resolveWorkload(w, sets);
  if (cfg.kind !== 'pipe') throw new Error('a pipe workload');
  const model = buildPipe((lookaheadNs) => new Kernel({ lookaheadNs }), cfg);
  model.kernel.runUntil(cfg.durationNs);
  return model.nodes;
}

afterAll(() => closeDefaultNodePool());

describe('task area', () => {
  it('left out, nothing is modelled and the report has no taskArea section', () => {
    const r = run(forkExit, []);
    expect(r.memory!.taskArea).toBeUndefined();
    expect(r.config).not.toHaveProperty('taskArea');
  });

  it('lowmem puts every task_struct and stack on node 0 of an i386 NUMA layout', () => {
    for (const w of [forkExit, pipe]) {
      const t = ta(run(w, ['taskArea=lowmem']));
      expect(t.perNode[0].taskStructs).toBeGreaterThan(0);
      expect(t.perNode[0].stackPages).toBe(2 * t.perNode[0].taskStructs);
      for (const p of t.perNode.slice(1)) expect(p.taskStructs + p.stackPages).toBe(0);
      // Quads 1–3 reach them across the interconnect; no separate task_struct pages, no overhead.
      expect(t.currentRemote).toBeGreaterThan(t.currentLocal);
      expect(t.perNode.every((p) => p.taskStructPages === 0 && p.areaPtPages === 0)).toBe(true);
      expect(t.overheadPages).toBe(0);
    }
  });

  it('per-task: every task\'s current accesses are local, on every node', () => {
    for (const pairing of ['same-quad', 'cross-quad', 'same-cpu']) {
      const nodes = nodesAfter(pipe, ['taskArea=per-task', `pairing=${pairing}`]);
      const used = nodes.filter((n) => n.taskArea!.currentLocal > 0);
      expect(used.length).toBeGreaterThan(0);
      for (const n of nodes) expect(n.taskArea!.currentRemote).toBe(0);
    }
    const cross = nodesAfter(pipe, ['taskArea=per-task', 'pairing=cross-quad']);
    expect(cross.every((n) => n.taskArea!.currentLocal > 0)).toBe(true);
    // The process runner's processes too, apart from fork's read of make's task_struct on node 0.
    const t = ta(run(forkExit, ['taskArea=per-task']));
    for (const p of t.perNode) expect(p.taskStructs).toBeGreaterThan(0);
    expect(t.perNode.every((p) => p.taskStructPages === p.taskStructs && p.areaPtPages === p.taskStructs)).toBe(true);
  });

  it('per-task: a thread group pays a PGD per thread, and a PGD load on every switch between its threads', () => {
    const threads = ['pairing=same-cpu', 'threads=true', 'pairs=4'];
    const low = ta(run(pipe, ['taskArea=lowmem', ...threads]));
    const per = ta(run(pipe, ['taskArea=per-task', ...threads]));
    expect(low.pgdPages).toBe(4); // one mm per pair
    expect(per.pgdPages).toBe(8); // one per thread
    expect(low.pgdSwitches).toBe(0);
    expect(per.pgdSwitches).toBeGreaterThan(0);
    expect(per.pgdSwitches).toBe(per.areaSwitches);
    // Processes have a PGD each either way, and switching between them reloads cr3 in 2.4 already.
    const procs = ta(run(pipe, ['taskArea=per-task', 'pairing=same-cpu', 'pairs=4']));
    expect(procs.pgdPages).toBe(8);
    expect(procs.pgdSwitches).toBe(0);
  });

  it('the pipe workload: a wake-up across quads reaches the sleeper\'s stack remotely, within a quad locally', () => {
    const cross = ta(run(pipe, ['taskArea=per-task', 'pairing=cross-quad']));
    const quad = ta(run(pipe, ['taskArea=per-task', 'pairing=same-quad']));
    expect(cross.wakeups).toBeGreaterThan(0);
    expect(cross.aliasRemote).toBeGreaterThan(0);
    expect(quad.aliasRemote).toBe(0);
    expect(cross.aliasNs / cross.wakeups).toBeGreaterThan(quad.aliasNs / quad.wakeups);
  });

  it('virtual cache indexing flushes only where the per-task mapping and its alias meet', () => {
    const phys = ta(run(pipe, ['taskArea=per-task']));
    const virt = ta(run(pipe, ['taskArea=per-task', 'cacheIndexing=virtual']));
    const lowVirt = ta(run(pipe, ['taskArea=lowmem', 'cacheIndexing=virtual']));
    expect(phys.cacheFlushes).toBe(0);
    expect(virt.cacheFlushes).toBeGreaterThan(0);
    expect(virt.cacheFlushNs).toBeGreaterThan(0);
    expect(lowVirt.cacheFlushes).toBe(0);
  });

  it('refuses pairings the machine cannot hold, naming the field', () => {
    const refused = (sets: string[]) => {
      try {
        resolveWorkload(pipe, sets);
      } catch (e) {
        return (e as { code?: string; issues?: { path: string }[] }).issues?.map((i) => i.path) ?? [];
      }
      return [];
    };
    expect(refused(['pairs=9'])).toEqual(['pairs']);
    expect(refused(['nodes=3', 'pairs=2'])).toEqual(['pairing']);
    expect(refused(['pairing=same-cpu', 'pairs=16'])).toEqual([]);
    expect(() => resolveWorkload(pipe, ['taskArea=elsewhere'])).toThrow(/taskArea/);
  });

  it('is the same report on every placement', async () => {
    const cfg = (p: string) => resolveWorkload(pipe, ['taskArea=per-task', 'cacheIndexing=virtual', `placement=${p}`]);
    const inline = runWorkload(cfg('inline'));
    const placed = await runWorkloadPlaced(cfg('packed:2'));
    const strip = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallSeconds: 0, eventsPerSecond: 0 }, config: { ...r.config, placement: undefined } });
    expect(strip(placed.report)).toBe(strip(inline));
  });
});
