/** The mix workload: threads against processes on page_table_lock, phases, time-sharing, determinism, placements. */
import { afterAll, describe, expect, it } from 'vitest';
import { getPreset, resolveWorkload, type MixResult, type Report } from '@numasim/shared';
import { closeDefaultNodePool, runWorkload, runWorkloadPlaced, runWorkloadWithSeries, type RunOutput } from '@numasim/node-sim';

const cfg = (preset: string, sets: string[] = []) => resolveWorkload(getPreset(preset).workload, sets);
const run = (preset: string, sets: string[] = []) => runWorkload(cfg(preset, sets), { checkInvariants: true });
const mixOf = (r: Report): MixResult => {
  if (r.workload.kind !== 'mix') throw new Error(`not a mix report: ${r.workload.kind}`);
  return r.workload;
};
const ptls = (r: Report) => r.locks.filter((l) => l.class === 'mm->page_table_lock');
const stable = (o: RunOutput) =>
  JSON.stringify({
    report: { ...o.report, engine: { ...o.report.engine, wallSeconds: 0, eventsPerSecond: 0 }, config: { ...o.report.config, placement: undefined } },
    series: o.series,
  });

afterAll(() => closeDefaultNodePool());

describe('mix workload: threads share an mm, processes do not', () => {
  const short = ['durationNs=10000000', 'groups.0.regionPages=8']; // small regions: faults and munmaps both

  it('16 threads of one process contend on its one mm->page_table_lock', () => {
    const r = run('numaq-16-mix-threads', short);
    const locks = ptls(r);
    expect(locks.map((l) => l.name)).toEqual(['mm->page_table_lock[faulters/p0]']);
    const [ptl] = locks;
    expect(ptl.acquisitions).toBeGreaterThan(250);
    expect(ptl.contentions).toBeGreaterThan(0);
    expect(ptl.conPercent).toBeGreaterThan(50);
    expect(ptl.callers.map((c) => c.name).sort()).toEqual(['do_anonymous_page', 'zap_page_range']);
    const w = mixOf(r);
    expect(w.groups[0].cpus).toEqual(Array.from({ length: 16 }, (_, c) => c));
    expect(w.groups[0].ops.fault.completed).toBeGreaterThan(150);
    expect(w.groups[0].ops.munmap.completed).toBeGreaterThan(10);
    expect(w.contextSwitches).toBe(0);
  });

  it('16 single-threaded processes each take their own lock, never contended', () => {
    const r = run('numaq-16-mix-processes', short);
    const locks = ptls(r);
    expect(locks).toHaveLength(16);
    for (const l of locks) {
      expect(l.acquisitions).toBeGreaterThan(200);
      expect(l.contentions).toBe(0);
    }
  });

  it('more tasks than CPUs time-share them, paying context switches; the threads still share one lock', () => {
    const r = run('numaq-16-mix-threads', [...short, 'groups.0.threads=32']);
    const w = mixOf(r);
    expect(w.groups[0].cpus.filter((c) => c === 5)).toHaveLength(2);
    expect(w.contextSwitches).toBeGreaterThan(200);
    expect(ptls(r)).toHaveLength(1);
  });
});

describe('mix workload: user time competes for the CPU, think time does not', () => {
  // Empty munmaps: a system call and little else, so what limits the rate is the CPU.
  const tasks = (processes: number, extra: Record<string, unknown>) =>
    mixOf(runWorkload(resolveWorkload({ kind: 'mix', machine: 'numaq-16', durationNs: 10_000_000, groups: [{ name: 'g', processes, mix: { munmap: 1 }, ...extra }] })));
  const done = (w: MixResult) => w.groups[0].ops.munmap.completed;

  it('32 CPU-bound tasks on 16 CPUs do what 16 do, and each waits for its CPU', () => {
    const alone = tasks(16, { userNs: 50_000, thinkNs: 0 });
    const shared = tasks(32, { userNs: 50_000, thinkNs: 0 });
    expect(done(shared)).toBeLessThan(1.02 * done(alone));
    expect(done(shared)).toBeGreaterThan(0.9 * done(alone));
    expect(alone.contextSwitches).toBe(0);
    expect(shared.contextSwitches).toBeGreaterThan(done(shared) / 2);
    // Waiting behind the other task's 50 µs of user time counts in the latency; its own does not.
    expect(alone.groups[0].ops.munmap.latencyNs.p50).toBeLessThan(20_000);
    expect(shared.groups[0].ops.munmap.latencyNs.p50).toBeGreaterThan(50_000);
  });

  it('32 tasks that sleep between operations do twice what 16 do', () => {
    expect(done(tasks(32, { thinkNs: 50_000 }))).toBeGreaterThan(1.8 * done(tasks(16, { thinkNs: 50_000 })));
  });
});

describe('mix workload: phases', () => {
  const r = runWorkloadWithSeries(cfg('numaq-16-mix-phases', ['phases.0.durationNs=6000000', 'phases.1.durationNs=6000000', 'phases.2.durationNs=6000000', 'sampleEveryNs=1000000']), { checkInvariants: true });
  const w = mixOf(r.report);
  const phase = (name: string) => w.phases.find((p) => p.name === name)!;
  const group = (p: string, g: string) => phase(p).groups.find((x) => x.name === g)!;

  it('reports each phase over its own span', () => {
    expect(r.report.run.simulatedNs).toBe(18_000_000);
    expect(w.phases.map((p) => [p.name, p.startNs, p.endNs])).toEqual([
      ['warm-up', 0, 6_000_000],
      ['fault-storm', 6_000_000, 12_000_000],
      ['calm', 12_000_000, 18_000_000],
    ]);
  });

  it('runs the batch group only in the fault storm', () => {
    expect(group('warm-up', 'batch').ops.fault.completed).toBe(0);
    expect(group('fault-storm', 'batch').ops.fault.completed).toBeGreaterThan(150);
    // At most the operation each batch task had under way when the storm ended.
    const calm = group('calm', 'batch').ops;
    expect(calm.fault.completed + calm.munmap.completed).toBeLessThanOrEqual(16);
    expect(w.groups[1].cpus.every((c) => c >= 8)).toBe(true);
  });

  it('halves the server\'s rate in the storm (rateScale 0.5), and its mix holds', () => {
    const warm = group('warm-up', 'server').ops;
    const storm = group('fault-storm', 'server').ops;
    expect(storm.read.perSecond).toBeLessThan(0.8 * warm.read.perSecond);
    expect(storm.read.perSecond).toBeGreaterThan(0.3 * warm.read.perSecond);
    expect(warm.read.completed).toBeGreaterThan(5 * warm.write.completed);
    expect(warm.fault.completed).toBe(0);
    expect(warm.read.latencyNs.p50).toBeGreaterThan(0);
    expect(warm.read.latencyNs.p99).toBeGreaterThanOrEqual(warm.read.latencyNs.p50);
  });

  it('shows the storm in the time series: the batch mm locks move only while it lasts', () => {
    const batch = r.series.locks.filter((l) => l.name.startsWith('mm->page_table_lock[batch/'));
    expect(batch).toHaveLength(2);
    const acqAt = (k: number) => batch.reduce((s, l) => s + l.acquisitions[k], 0);
    const t = r.series.tNs;
    const inWarm = t.flatMap((end, k) => (end <= 6_000_000 ? [acqAt(k)] : []));
    const inStorm = t.flatMap((end, k) => (end > 7_000_000 && end <= 12_000_000 ? [acqAt(k)] : []));
    const lateCalm = t.flatMap((end, k) => (end > 14_000_000 ? [acqAt(k)] : []));
    expect(inWarm.length).toBeGreaterThan(3);
    expect(inWarm.every((a) => a === 0)).toBe(true);
    expect(inStorm.every((a) => a > 10)).toBe(true);
    expect(lateCalm.every((a) => a === 0)).toBe(true);
  });
});

describe('mix workload: phase overrides', () => {
  it('a phase can replace a group\'s mix, and a phase that runs no group still lasts its time', () => {
    const r = runWorkload(
      resolveWorkload({
        kind: 'mix',
        machine: 'numaq-16',
        groups: [{ name: 'io', processes: 8, mix: { read: 1 }, thinkNs: 20_000 }],
        phases: [
          { name: 'reads', durationNs: 3_000_000 },
          { name: 'writes', durationNs: 3_000_000, overrides: { io: { mix: { write: 1 } } } },
          { name: 'idle', durationNs: 3_000_000, groups: [] },
        ],
      }),
      { checkInvariants: true },
    );
    expect(r.run.simulatedNs).toBe(9_000_000);
    const [reads, writes, idle] = mixOf(r).phases.map((p) => p.groups[0].ops);
    expect(reads.read.completed).toBeGreaterThan(20);
    expect(reads.write.completed).toBe(0);
    expect(writes.write.completed).toBeGreaterThan(80);
    expect(writes.read.completed).toBeLessThanOrEqual(8); // reads under way when the phase began
    expect(idle.write.completed).toBeLessThanOrEqual(8);
    expect(idle.read.completed).toBe(0);
  });
});

describe('mix workload: every operation under the VM knobs', () => {
  const all = {
    kind: 'mix',
    machine: 'numaq-16',
    durationNs: 3_000_000,
    groups: [
      { name: 'a', processes: 2, threads: 4, mix: { fault: 4, munmap: 1, read: 3, write: 2 }, thinkNs: { dist: 'exp', mean: 5000 }, regionPages: 16 },
      { name: 'b', processes: 6, rates: { read: 20000, write: 5000, fault: 10000 }, regionPages: 8, spread: 'interleave' },
    ],
  };
  it.each([[[]], [['kmap=per-mm']], [['kmap=per-task', 'pte=highmem']], [['lru=rmap']], [['lru=2.5-zone', 'pagevec=true']], [['machine=x86_64-2s']], [['groups.0.threads=8']]])(
    '%j: the memory invariants hold and every kind of operation completes',
    (sets: string[]) => {
      const w = mixOf(runWorkload(resolveWorkload(all, sets), { checkInvariants: true }));
      for (const op of ['fault', 'munmap', 'read', 'write'] as const) expect(w.groups.reduce((s, g) => s + g.ops[op].completed, 0), op).toBeGreaterThan(5);
      expect(w.allocationFailures).toBe(0);
    },
  );
});

describe('mix workload: written pages', () => {
  it('stay in the page cache until reclaim drops them: writing more than memory holds does not fail', () => {
    const r = runWorkload(
      resolveWorkload({ kind: 'mix', machine: 'smp-8', memPerNodeMiB: 32, filePages: 1000, durationNs: 60_000_000, groups: [{ name: 'w', processes: 8, mix: { write: 1 }, thinkNs: 0 }] }),
      { checkInvariants: true },
    );
    const w = mixOf(r);
    expect(w.groups[0].ops.write.completed).toBeGreaterThan(32 * 256); // more pages than the machine has
    expect(w.allocationFailures).toBe(0);
    expect(r.memory!.reclaim!.pagesReclaimed).toBeGreaterThan(1000);
  });
});

describe('mix workload: rates', () => {
  it('rates set a Poisson stream of that many operations per second per task', () => {
    const r = runWorkload(resolveWorkload({ kind: 'mix', machine: 'numaq-16', durationNs: 100_000_000, groups: [{ name: 'r', processes: 8, rates: { read: 2000, write: 500 } }] }));
    const ops = mixOf(r).groups[0].ops;
    // 8 tasks × 0.1 s × 2000/s = 1600 reads and 400 writes, less what the operations' own time takes.
    expect(ops.read.completed).toBeGreaterThan(1200);
    expect(ops.read.completed).toBeLessThan(1700);
    expect(ops.write.completed).toBeGreaterThan(250);
    expect(ops.write.completed).toBeLessThan(450);
  });
});

describe('mix workload: determinism', () => {
  const sets = ['phases.0.durationNs=2000000', 'phases.1.durationNs=3000000', 'phases.2.durationNs=2000000', 'sampleEveryNs=1000000'];

  it('gives the same report for the same seed, and another for another seed', () => {
    const a = runWorkloadWithSeries(cfg('numaq-16-mix-phases', sets));
    expect(stable(runWorkloadWithSeries(cfg('numaq-16-mix-phases', sets)))).toBe(stable(a));
    expect(stable(runWorkloadWithSeries(cfg('numaq-16-mix-phases', [...sets, 'seed=2'])))).not.toBe(stable(a));
  });

  it.each([
    ['numaq-16-mix-phases', sets],
    ['numaq-16-mix-threads', ['durationNs=3000000', 'groups.0.threads=20', 'sampleEveryNs=1000000']],
  ])('%s: inline, threads and packed:2 give the same report and series, byte for byte', async (preset, s) => {
    const inline = runWorkloadWithSeries(cfg(preset, [...s, 'placement=inline']));
    expect(inline.report.engine.events).toBeGreaterThan(1000);
    for (const placement of ['packed:2', 'threads']) {
      const out = await runWorkloadPlaced(cfg(preset, [...s, `placement=${placement}`]));
      expect(out.placement).toBe(placement);
      expect(stable(out)).toBe(stable(inline));
    }
  });
});
