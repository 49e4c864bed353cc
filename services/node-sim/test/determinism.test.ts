import { describe, expect, it } from 'vitest';
import { getPreset, resolveWorkload, type Report } from '@numasim/shared';
import { runPhold, runWorkload } from '@numasim/node-sim';

/** The report without the fields that depend on the machine running it. */
const stable = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallSeconds: 0, eventsPerSecond: 0 } });

describe('determinism', () => {
  const cfg = (seed: number) => resolveWorkload(getPreset('lockbench-numaq-tas').workload, [`seed=${seed}`, 'durationNs=20000000']);

  it('gives the same report for the same workload and seed', () => {
    expect(stable(runWorkload(cfg(5)))).toBe(stable(runWorkload(cfg(5))));
  });

  it('gives a different report for another seed, with the same configHash', () => {
    const a = runWorkload(cfg(5));
    const b = runWorkload(cfg(6));
    expect(stable(a)).not.toBe(stable(b));
    expect(a.run.configHash).toBe(b.run.configHash);
    expect(a.run.seed).toBe(5);
  });

  it('does not depend on the pending-event set', () => {
    const heap = runWorkload(cfg(3), { queue: 'heap' });
    expect(stable(runWorkload(cfg(3), { queue: 'calendar' }))).toBe(stable(heap));
    expect(stable(runWorkload(cfg(3), { queue: 'auto' }))).toBe(stable(heap));
  });

  it('echoes a config that runs the same simulation again', () => {
    const a = runWorkload(cfg(9));
    const again = runWorkload(resolveWorkload(JSON.parse(JSON.stringify(a.config))));
    expect(stable(again)).toBe(stable(a));
  });

  it('PHOLD: the checksum depends only on the parameters and seed', () => {
    const p = { lps: 64, population: 4, endNs: 50_000, remote: 0.25, lookaheadNs: 100, meanNs: 900, seed: 1 };
    const a = runPhold({ ...p, queue: 'heap' });
    expect(runPhold({ ...p, queue: 'calendar' }).checksum).toBe(a.checksum);
    expect(runPhold({ ...p, queue: 'auto' }).events).toBe(a.events);
    expect(runPhold({ ...p, seed: 2 }).checksum).not.toBe(a.checksum);
  });

  it('stops a run that goes over its event budget with a clear error', () => {
    expect(() => runWorkload(cfg(1), { maxEvents: 1000 })).toThrow(expect.objectContaining({ code: 'NUMASIM_ERR_RUN_LIMIT_EXCEEDED' }));
  });
});
