/**
 * How a run ends and says how far it is: progress towards the workload's own end, the last
 * progress marked final, and simulated time that stands still stopping the run with its own code
 * in every placement.
 */
import { describe, expect, it } from 'vitest';
import { isNumasimError, resolveWorkload, getPreset } from '@numasim/shared';
import { Kernel, runUntilAdvancing, runWorkloadParallel, runWorkloadWithSeries, type RunProgress } from '@numasim/node-sim';

// Zero think and hold times, and a hand-off that costs nothing to the CPU that released the lock:
// the resolver cannot refuse it (hand-offs within a node cost time), but one CPU per node loops at one instant.
const stall = (nodes = 1) =>
  resolveWorkload({ kind: 'lockbench', nodes, cpusPerNode: 1, thinkNs: 0, holdNs: 0, handoffNs: { sameCpu: 0, sameNode: 3, remote: 3 }, durationNs: 1_000_000 });

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isNumasimError(e) ? e.code : String(e);
  }
  return undefined;
}

describe('simulated time that stands still', () => {
  it('stops the kernel after a chunk of events at one instant, and not before', () => {
    const k = new Kernel({ lookaheadNs: 1 });
    let handled = 0;
    const lp = k.addLp({ handle: () => void (handled++, k.schedule(handled < 50 ? 0 : 1, 0, 0, 0, 0)) });
    k.post(lp, lp, 0, 0, 0, 0, 0);
    // 49 events at t = 0, then one per ns: chunks of 100 always see time move.
    expect(runUntilAdvancing(k, 1000, Infinity, 100)).toBeGreaterThan(1000);
    const still = new Kernel({ lookaheadNs: 1 });
    const me = still.addLp({ handle: () => still.schedule(0, 0, 0, 0, 0) });
    still.post(me, me, 5, 0, 0, 0, 0);
    expect(codeOf(() => runUntilAdvancing(still, 10, Infinity, 100))).toBe('NUMASIM_ERR_RUN_TIME_STANDS_STILL');
    expect(still.now).toBe(5);
  });

  it('fails an inline run with NUMASIM_ERR_RUN_TIME_STANDS_STILL', () => {
    expect(codeOf(() => runWorkloadWithSeries(stall()))).toBe('NUMASIM_ERR_RUN_TIME_STANDS_STILL');
  });

  it('fails a run on node workers with the same code, naming the thread', async () => {
    const e = await runWorkloadParallel(stall(2), 2).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isNumasimError(e) && e.code).toBe('NUMASIM_ERR_RUN_TIME_STANDS_STILL');
    expect((e as Error).message).toMatch(/worker thread running node/);
  });
});

describe('progress', () => {
  const kernbench = resolveWorkload(getPreset('numaq-16-kernbench').workload, ['jobs=40', 'parallelJobs=16']);

  it('counts jobs for kernbench, ends with a final progress of every job, and never goes back', () => {
    const seen: RunProgress['progress'][] = [];
    const finals: boolean[] = [];
    const { report } = runWorkloadWithSeries(kernbench, { onProgress: (p) => (seen.push(p.progress), finals.push(p.final)) });
    expect(finals.filter(Boolean)).toHaveLength(1);
    expect(finals.at(-1)).toBe(true);
    expect(seen.at(-1)).toEqual({ unit: 'jobs', done: 40, total: 40, fraction: 1 });
    for (let i = 1; i < seen.length; i++) expect(seen[i].fraction).toBeGreaterThanOrEqual(seen[i - 1].fraction);
    // The build ends long before its durationNs cap: measured against the cap it would stop near 0.
    expect(report.run.simulatedNs / kernbench.durationNs).toBeLessThan(0.2);
    // Counted in jobs, progress passes that mark before the end (jobs finish in waves, so not at any one sample).
    expect(seen.some((p) => p.fraction > 0.2 && p.fraction < 1)).toBe(true);
  });

  it('adds up the jobs of every node worker', async () => {
    const seen: RunProgress['progress'][] = [];
    await runWorkloadParallel(kernbench, 2, { onProgress: (p) => seen.push(p.progress) });
    expect(seen.at(-1)).toEqual({ unit: 'jobs', done: 40, total: 40, fraction: 1 });
  });

  it('measures simulated time for a workload that runs for its durationNs', () => {
    const cfg = resolveWorkload(getPreset('lockbench-8').workload, ['durationNs=20000000']);
    const seen: RunProgress[] = [];
    runWorkloadWithSeries(cfg, { onProgress: (p) => seen.push(p) });
    const mid = seen[Math.floor(seen.length / 2)];
    expect(mid.progress).toEqual({ unit: 'simulated-ns', done: mid.simulatedNs, total: 20_000_000, fraction: mid.simulatedNs / 20_000_000 });
    expect(seen.at(-1)!.final).toBe(true);
  });
});
