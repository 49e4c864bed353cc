import { afterAll, describe, expect, it } from 'vitest';
import { configHash, getPreset, resolveWorkload, type Report } from '@numasim/shared';
import { availableParallelism } from 'node:os';
import { AUTO_MIN_EVENTS_PER_WINDOW, chooseAuto, closeDefaultNodePool, NodePool, resolvePlacement, runWorkloadParallel, runWorkloadPlaced, runWorkloadWithSeries, type RunOutput } from '@numasim/node-sim';

/** Report and series without what depends on the machine or on where the run executed. */
const stable = (o: RunOutput) =>
  JSON.stringify({
    report: { ...o.report, engine: { ...o.report.engine, wallSeconds: 0, eventsPerSecond: 0 }, config: { ...o.report.config, placement: undefined } },
    series: o.series,
  });

const cases: [string, string[]][] = [
  // heavy global-lock traffic: 16 CPUs on one test-and-set lock homed on node 0
  ['lockbench-numaq-tas', ['durationNs=20000000']],
  ['numaq-16-page-fault', ['durationNs=8000000', 'sampleEveryNs=1000000']],
  // remote allocations: round-robin zonelists put most pages on other nodes
  ['numaq-16-kernbench', ['durationNs=20000000', 'zonelist=round-robin', 'sampleEveryNs=5000000']],
];

afterAll(() => closeDefaultNodePool());

describe('parallel execution gives the inline results, byte for byte', () => {
  for (const [preset, sets] of cases) {
    it(`${preset}: inline, threads, packed:2, packed:3`, async () => {
      const cfg = (placement: string) => resolveWorkload(getPreset(preset).workload, [...sets, `placement=${placement}`]);
      const inline = runWorkloadWithSeries(cfg('inline'));
      expect(inline.report.engine.events).toBeGreaterThan(1000);
      expect(inline.series.tNs.length).toBeGreaterThan(1);
      for (const placement of ['threads', 'packed:2', 'packed:3']) {
        const out = await runWorkloadPlaced(cfg(placement));
        expect(out.placement).toBe(placement);
        expect(out.parallel!.windows).toBeGreaterThan(10);
        expect(out.report.config.placement).toBe(placement);
        expect(out.report.run.configHash).toBe(inline.report.run.configHash);
        expect(stable(out)).toBe(stable(inline));
      }
    });
  }

  it('kernbench to the end of its build (the run ends with its last event, not its duration)', async () => {
    const cfg = (placement: string) => resolveWorkload(getPreset('numaq-16-kernbench').workload, ['jobs=6', 'parallelJobs=8', `placement=${placement}`]);
    const inline = runWorkloadWithSeries(cfg('inline'));
    expect(inline.report.run.simulatedNs).toBeLessThan(inline.report.config.durationNs);
    expect(stable(await runWorkloadPlaced(cfg('packed:2')))).toBe(stable(inline));
  });

  it('stays identical when mailboxes overflow and events wait for later windows', async () => {
    const cfg = resolveWorkload(getPreset('lockbench-numaq-tas').workload, ['durationNs=5000000']);
    const inline = runWorkloadWithSeries(cfg);
    expect(stable(await runWorkloadParallel(cfg, 4, { mailboxEvents: 1 }))).toBe(stable(inline));
  });

  it('placement is echoed but not hashed', () => {
    const a = resolveWorkload(getPreset('lockbench-8').workload, ['placement=threads']);
    const b = resolveWorkload(getPreset('lockbench-8').workload, ['placement=packed:2']);
    expect(configHash(a)).toBe(configHash(b));
    expect(a.placement).toBe('threads');
  });

  it('rejects an unknown placement naming the field', () => {
    for (const bad of ['packed:0', 'threads:2', 'fast']) {
      expect(() => resolveWorkload(getPreset('lockbench-8').workload, [`placement=${bad}`])).toThrow(/placement/);
    }
  });
});

describe('parallel runs fail cleanly', () => {
  const cfg = () => resolveWorkload(getPreset('lockbench-numaq-tas').workload, ['durationNs=20000000']);

  it('a node worker that throws fails the run, naming its node and the cause; the pool stays usable', async () => {
    const err = await runWorkloadParallel(cfg(), 4, { fault: { thread: 2, atWindow: 5, kind: 'throw' } }).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err?.code).toBe('NUMASIM_ERR_RUN_NODE_FAILED');
    expect(err?.message).toMatch(/node 2 failed: injected fault/);
    const again = await runWorkloadParallel(cfg(), 4);
    expect(stable(again)).toBe(stable(runWorkloadWithSeries(cfg())));
  });

  it('a node worker that runs out of memory fails the run, naming its node; its pool stays usable', async () => {
    const pool = new NodePool({ maxThreads: 4, heapMb: 64 });
    try {
      const err = await runWorkloadParallel(cfg(), 2, { pool, fault: { thread: 1, atWindow: 3, kind: 'oom' } }).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(err?.code).toBe('NUMASIM_ERR_RUN_NODE_FAILED');
      expect(err?.message).toMatch(/nodes 2–3 failed: out of memory/);
      await expect(runWorkloadParallel(cfg(), 2, { pool })).resolves.toBeDefined();
    } finally {
      await pool.close();
    }
  });

  it('a progress callback that throws stops the run with its error', async () => {
    const boom = new Error('callback failed');
    await expect(runWorkloadParallel(cfg(), 2, { onProgress: () => { throw boom; } })).rejects.toBe(boom);
    await expect(runWorkloadParallel(cfg(), 2)).resolves.toBeDefined();
  });

  it('the event budget keeps its own code', async () => {
    await expect(runWorkloadParallel(cfg(), 2, { maxEvents: 1000 })).rejects.toMatchObject({ code: 'NUMASIM_ERR_RUN_LIMIT_EXCEEDED' });
  });

  it('cancellation stops every worker and rejects with NUMASIM_ERR_RUN_CANCELLED', async () => {
    const long = resolveWorkload(getPreset('lockbench-numaq-tas').workload, ['durationNs=100000000000']);
    const ac = new AbortController();
    let progressed = 0;
    const run = runWorkloadParallel(long, 2, { signal: ac.signal, onProgress: () => progressed++ === 0 && ac.abort() });
    await expect(run).rejects.toMatchObject({ code: 'NUMASIM_ERR_RUN_CANCELLED' });
    expect(progressed).toBeGreaterThan(0);
    await expect(runWorkloadParallel(cfg(), 2)).resolves.toBeDefined();
  });

  it('rejects a placement needing more threads than the pool has', async () => {
    const four = resolveWorkload(getPreset('lockbench-numaq-tas').workload, ['durationNs=1000000']);
    const pool = new NodePool({ maxThreads: 2 });
    await expect(runWorkloadParallel(four, 4, { pool })).rejects.toMatchObject({ code: 'NUMASIM_ERR_RUN_PLACEMENT_THREADS' });
    await pool.close();
  });
});

describe('auto', () => {
  it('packs a loosely coupled model on the cores, keeps tight and one-node models inline', () => {
    const loose = resolveWorkload(getPreset('lockbench-spread').workload, ['localLockFraction=0.9999', 'costs.lineRemoteNs=1000000']);
    expect(resolvePlacement(loose)).toEqual(availableParallelism() >= 2 ? { kind: 'packed', threads: 2 } : { kind: 'inline', threads: 0 });
    expect(resolvePlacement(resolveWorkload(getPreset('numaq-64-kernbench').workload)).kind).toBe('inline');
    expect(resolvePlacement(resolveWorkload(getPreset('lockbench-spread').workload)).kind).toBe('inline');
    expect(chooseAuto({ nodes: 1, cores: 8, eventsPerWindow: 1e6 }).kind).toBe('inline');
    expect(chooseAuto({ nodes: 16, cores: 8, eventsPerWindow: AUTO_MIN_EVENTS_PER_WINDOW })).toEqual({ kind: 'packed', threads: 8 });
    expect(chooseAuto({ nodes: 16, cores: 8, eventsPerWindow: AUTO_MIN_EVENTS_PER_WINDOW - 1 }).kind).toBe('inline');
  });

  it('runs the tight presets inline', async () => {
    const cfg = resolveWorkload(getPreset('lockbench-numaq-tas').workload, ['durationNs=2000000']);
    const out = await runWorkloadPlaced(cfg);
    expect(out.placement).toBe('inline');
    expect((out.report as Report).config.placement).toBeUndefined();
  });
});
