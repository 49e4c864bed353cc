import { describe, expect, it } from 'vitest';
import { isNumasimError, resolveWorkload, type Report } from '@numasim/shared';
import { runWorkload } from '../src/index.js';

const build = {
  kind: 'kernbench',
  machine: 'numaq-16',
  jobs: 24,
  treePages: 300,
  kmap: 'atomic',
  processes: [
    { name: 'cpp', anonPages: 20, fileFaults: 5, readPages: 40, writePages: 0, cpuNs: 1_000_000 },
    { name: 'as', anonPages: 10, fileFaults: 5, readPages: 0, writePages: 2, cpuNs: 500_000 },
  ],
};
const run = (sets: string[]) => runWorkload(resolveWorkload(build, sets), { checkInvariants: true });
const text = (r: Report) => r.memory!.text!;
const inUse = (r: Report) => r.memory!.zones.reduce((s, z) => s + z.pages - z.freePages, 0);
const kb = (r: Report) => (r.workload.kind === 'kernbench' ? r.workload : undefined)!;

describe('kernel text replication', () => {
  it('node0: the CPUs of every other node fetch kernel text across the interconnect', () => {
    const r = run(['text=node0', 'textMissLines=4']);
    const t = text(r);
    expect(t.perNode.map((p) => p.copyNode)).toEqual([0, 0, 0, 0]);
    expect(t.perNode[0].remoteFetchLines).toBe(0);
    for (const p of t.perNode.slice(1)) {
      expect(p.remoteFetchLines).toBeGreaterThan(0);
      expect(p.localFetchLines).toBe(0);
      // A remote line costs the 10:1 NUMA-Q miss: those nodes spend about ten times node 0's fetch time per line.
      expect(p.fetchNs / p.remoteFetchLines).toBeGreaterThan((5 * t.perNode[0].fetchNs) / t.perNode[0].localFetchLines);
    }
    expect(t.perNode.every((p) => p.replicaPages === 0 && p.remaps === 0)).toBe(true);
  });

  it('replicated: no remote fetches; each other node holds a copy in its own zones, and jobs started by make remap once', () => {
    const r = run(['text=replicated', 'textMissLines=4', 'textSizeKiB=2048']);
    const t = text(r);
    expect(t.perNode.map((p) => p.copyNode)).toEqual([0, 1, 2, 3]);
    expect(t.perNode.every((p) => p.remoteFetchLines === 0 && p.localFetchLines > 0)).toBe(true);
    expect(t.perNode.map((p) => p.replicaPages)).toEqual([0, 512, 512, 512]);
    // The replicas are real allocations: the page cache (tree + output) plus 3 copies of 2 MiB stay in use.
    expect(inUse(r)).toBe(300 + kb(r).pageCacheWrites + 3 * 512);
    // make's mm points at node 0's copy: the first process of every job run on nodes 1–3 remaps, the second inherits.
    const remaps = t.perNode.reduce((s, p) => s + p.remaps, 0);
    expect(remaps).toBeGreaterThan(0);
    expect(remaps).toBeLessThanOrEqual(24);
    expect(t.perNode[0].remaps).toBe(0);
  });

  it('kernel text fetches cost the remote nodes time only without replication', () => {
    const remote = (r: Report) => text(r).perNode.slice(1).reduce((s, p) => s + p.fetchNs, 0);
    expect(remote(run(['text=replicated']))).toBeLessThan(remote(run(['text=node0'])) / 5);
    expect(text(run(['textMissLines=0'])).perNode.every((p) => p.fetchNs === 0)).toBe(true);
  });

  it('rejects an unknown text mode, naming the field', () => {
    try {
      resolveWorkload(build, ['text=everywhere']);
      expect.unreachable();
    } catch (e) {
      expect(isNumasimError(e) && e.code).toBe('NUMASIM_ERR_WORKLOAD_INVALID');
      expect(isNumasimError(e) && e.issues.map((i) => i.path)).toContain('text');
    }
  });
});
