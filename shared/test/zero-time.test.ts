import { describe, expect, it } from 'vitest';
import { getPreset, NumasimError, resolveWorkload } from '@numasim/shared';

function refusal(overrides: string[]) {
  try {
    resolveWorkload(getPreset('lockbench-8').workload, overrides);
  } catch (e) {
    expect(e).toBeInstanceOf(NumasimError);
    return e as NumasimError;
  }
  return undefined;
}

describe('workloads whose simulated time cannot advance', () => {
  it('refuses a lockbench with zero think, hold and hand-off times, naming the fields', () => {
    const e = refusal(['thinkNs=0', 'holdNs=0']); // lockbench-8 hands off in 0 ns
    expect(e?.code).toBe('NUMASIM_ERR_WORKLOAD_ZERO_TIME');
    expect(e?.issues.map((i) => i.path)).toEqual(['thinkNs', 'holdNs', 'handoffNs']);
    expect(e?.message).toMatch(/simulated time could never advance/);
  });

  it('counts a distribution as zero only when every sample rounds to 0 ns', () => {
    expect(refusal(['thinkNs={"dist":"uniform","min":0,"max":0.4}', 'holdNs={"dist":"exp","mean":0}'])?.code).toBe('NUMASIM_ERR_WORKLOAD_ZERO_TIME');
    expect(refusal(['thinkNs={"dist":"exp","mean":0.4}', 'holdNs=0'])).toBeUndefined();
    expect(refusal(['thinkNs=0', 'holdNs=1'])).toBeUndefined();
  });

  it('accepts zero think and hold times when a hand-off within a node takes time', () => {
    expect(refusal(['thinkNs=0', 'holdNs=0', 'handoffNs=5'])).toBeUndefined();
  });
});
