/** The `mix` workload's schema, defaults, overrides, placement and the checks across its fields. */
import { describe, expect, it } from 'vitest';
import { getPreset, NumasimError, placeMixTasks, resolveWorkload, type MixConfig } from '@numasim/shared';

const base = { kind: 'mix', machine: 'numaq-16' };

const failure = (input: unknown, sets: string[] = []) => {
  try {
    resolveWorkload(input, sets);
  } catch (e) {
    expect(e).toBeInstanceOf(NumasimError);
    return { code: (e as NumasimError).code, issues: (e as NumasimError).issues };
  }
  throw new Error('the workload was accepted');
};

const mix = (input: unknown, sets: string[] = []) => resolveWorkload(input, sets) as MixConfig;

describe('mix workload: resolving', () => {
  it('fills defaults: one group of 4 processes faulting, const 1000 ns think, 1 s', () => {
    const c = mix(base);
    expect(c.groups).toEqual([{ name: 'tasks', processes: 4, threads: 1, spread: 'pack', regionPages: 128, mix: { fault: 1 }, thinkNs: { dist: 'const', value: 1000 } }]);
    expect(c.durationNs).toBe(1_000_000_000);
    expect(mix(c)).toEqual(c); // a resolved workload resolves to itself
  });

  it('lasts as long as its phases unless durationNs says otherwise', () => {
    const phases = [
      { name: 'a', durationNs: 3000 },
      { name: 'b', durationNs: 4000 },
    ];
    expect(mix({ ...base, phases }).durationNs).toBe(7000);
    expect(mix({ ...base, phases, durationNs: 5000 }).durationNs).toBe(5000);
  });

  it('takes flat --set keys and deeper fields by dotted path', () => {
    const c = mix(getPreset('numaq-16-mix-phases').workload, ['lru=2.5-zone', 'pagevec=true', 'durationNs=2000000', 'groups.1.threads=4', 'phases.1.rateScale=2', 'phases.1.overrides.batch.mix={"fault":1,"munmap":1}']);
    expect(c.lru).toBe('2.5-zone');
    expect(c.pagevec).toBe(true);
    expect(c.durationNs).toBe(2_000_000);
    expect(c.groups[1].threads).toBe(4);
    expect(c.phases![1].rateScale).toBe(2);
    expect(c.phases![1].overrides!.batch.mix).toEqual({ fault: 1, munmap: 1 });
  });

  it('places threads on the least loaded CPUs: packed by node, or interleaved across nodes', () => {
    const packed = placeMixTasks({ nodes: 4, cpusPerNode: 4, groups: mix({ ...base, groups: [{ name: 'g', processes: 2, threads: 4 }] }).groups });
    expect(packed.tasks.map((t) => t.cpu)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(packed.tasks.map((t) => t.mm)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    const spread = placeMixTasks({ nodes: 4, cpusPerNode: 4, groups: mix({ ...base, groups: [{ name: 'g', threads: 4, spread: 'interleave' }] }).groups });
    expect(spread.tasks.map((t) => t.cpu)).toEqual([0, 4, 8, 12]);
    const onNode = placeMixTasks({ nodes: 4, cpusPerNode: 4, groups: mix({ ...base, groups: [{ name: 'g', processes: 6, nodes: [3] }] }).groups });
    expect(onNode.tasks.map((t) => t.cpu)).toEqual([12, 13, 14, 15, 12, 13]);
  });
});

describe('mix workload: bad input names the field and the reason', () => {
  it.each<[string, unknown, string[], string, string, RegExp]>([
    ['a negative weight', base, ['groups.0.mix={"fault":-1}'], 'NUMASIM_ERR_WORKLOAD_INVALID', 'groups.0.mix.fault', /at least 0/],
    ['an unknown group field', base, ['groups.0.thread=4'], 'NUMASIM_ERR_WORKLOAD_INVALID', 'groups.0.thread', /unknown field/],
    ['an unknown operation', base, ['groups.0.mix={"fork":1}'], 'NUMASIM_ERR_WORKLOAD_INVALID', 'groups.0.mix.fork', /unknown field/],
    ['no threads', base, ['groups.0.threads=0'], 'NUMASIM_ERR_WORKLOAD_INVALID', 'groups.0.threads', /at least 1/],
    ['a phase without a duration', { ...base, phases: [{ name: 'p' }] }, [], 'NUMASIM_ERR_WORKLOAD_INVALID', 'phases.0.durationNs', /required/],
    ['a rate scale of 0', { ...base, phases: [{ name: 'p', durationNs: 10, rateScale: 0 }] }, [], 'NUMASIM_ERR_WORKLOAD_INVALID', 'phases.0.rateScale', /at least/],
    ['all weights 0', base, ['groups.0.mix={"fault":0}'], 'NUMASIM_ERR_WORKLOAD_INCONSISTENT', 'groups.0.mix', /above 0/],
    ['mix and rates', base, ['groups.0.mix={"fault":1}', 'groups.0.rates={"read":100}'], 'NUMASIM_ERR_WORKLOAD_INCONSISTENT', 'groups.0.rates', /not both/],
    ['a uniform user time with min above max', base, ['groups.0.userNs={"dist":"uniform","min":5,"max":1}'], 'NUMASIM_ERR_WORKLOAD_INCONSISTENT', 'groups.0.userNs', /must not exceed/],
    ['rates and thinkNs', { ...base, groups: [{ name: 'g', rates: { read: 10 }, thinkNs: 5 }] }, [], 'NUMASIM_ERR_WORKLOAD_INCONSISTENT', 'groups.0.thinkNs', /rates set the think time/],
    ['a node the machine lacks', base, ['groups.0.nodes=[1,4]'], 'NUMASIM_ERR_WORKLOAD_INCONSISTENT', 'groups.0.nodes.1', /node 4 does not exist/],
    ['two groups of one name', { ...base, groups: [{ name: 'g' }, { name: 'g' }] }, [], 'NUMASIM_ERR_WORKLOAD_INCONSISTENT', 'groups.1.name', /also the name of groups.0/],
    ['a phase naming no group', { ...base, phases: [{ name: 'p', durationNs: 10, groups: ['nope'] }] }, [], 'NUMASIM_ERR_WORKLOAD_INCONSISTENT', 'phases.0.groups.0', /no group is named "nope"/],
    ['an override for no group', { ...base, phases: [{ name: 'p', durationNs: 10, overrides: { nope: { rateScale: 2 } } }] }, [], 'NUMASIM_ERR_WORKLOAD_INCONSISTENT', 'phases.0.overrides.nope', /no group/],
    ['two phases of one name', { ...base, phases: [{ name: 'p', durationNs: 10 }, { name: 'p', durationNs: 10 }] }, [], 'NUMASIM_ERR_WORKLOAD_INCONSISTENT', 'phases.1.name', /also the name/],
    ['per-mm kmap pools with two mms on a CPU', base, ['groups.0.processes=17', 'kmap=per-mm'], 'NUMASIM_ERR_WORKLOAD_INCONSISTENT', 'kmap', /CPU 0 runs tasks of several/],
    ['per-task kmap windows with two tasks on a CPU', base, ['groups.0.threads=17', 'kmap=per-task'], 'NUMASIM_ERR_WORKLOAD_INCONSISTENT', 'kmap', /at most one task per CPU/],
    ['regions too large for the model', base, ['groups.0.processes=1024', 'groups.0.regionPages=65536'], 'NUMASIM_ERR_WORKLOAD_INCONSISTENT', 'groups', /lower regionPages/],
    ['a file set larger than half of memory', base, ['filePages=4000000'], 'NUMASIM_ERR_WORKLOAD_INCONSISTENT', 'filePages', /half of memory/],
  ])('%s', (_what, input, sets, code, path, reason) => {
    const e = failure(input, sets);
    expect(e.code).toBe(code);
    const issue = e.issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(e.issues)).toBeDefined();
    expect(issue!.reason).toMatch(reason);
  });

  it('accepts what the checks allow: 17 processes time-sharing under the global kmap pool', () => {
    expect(() => mix(base, ['groups.0.processes=17', 'kmap=global'])).not.toThrow();
  });
});
