/** A debug run is chosen by the caller (RunOptions.debug), not read from the environment by the model. */
import { describe, expect, it } from 'vitest';
import { getPreset, resolveWorkload } from '@numasim/shared';
import { buildModel, runWorkload } from '../src/run/run-workload.js';

const cfg = () => resolveWorkload(getPreset('numaq-16-page-fault').workload, ['durationNs=2000000']);
// The node's held-lock stack checks the lock order only in a debug run (a private field, read here).
const checks = (debug: boolean) => (buildModel(cfg(), 'heap', debug).kernel.lpAt(0) as unknown as { held: { check: boolean } }).held.check;

describe('debug runs', () => {
  it('check the lock order when the caller asks, whatever the environment says', () => {
    const saved = process.env.NUMASIM_DEBUG;
    process.env.NUMASIM_DEBUG = '1';
    try {
      expect(checks(false)).toBe(false);
      expect(checks(true)).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.NUMASIM_DEBUG;
      else process.env.NUMASIM_DEBUG = saved;
    }
  });

  it('give the same report as an ordinary run', () => {
    const strip = (r: ReturnType<typeof runWorkload>) => ({ ...r, engine: null });
    expect(strip(runWorkload(cfg(), { debug: true }))).toEqual(strip(runWorkload(cfg())));
  });
});
