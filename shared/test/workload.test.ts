import { describe, expect, it } from 'vitest';
import { configHash, getPreset, NumasimError, parseSetOverride, PRESETS, resolveWorkload } from '@numasim/shared';

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NumasimError);
    return { code: (e as NumasimError).code, issues: (e as NumasimError).issues, message: (e as Error).message };
  }
  throw new Error('expected an error');
};

describe('resolveWorkload', () => {
  it('fills defaults and resolves to itself', () => {
    const cfg = resolveWorkload({ kind: 'lockbench' });
    expect(cfg).toMatchObject({ nodes: 1, cpusPerNode: 4, lock: 'ticket', seed: 1, thinkNs: { dist: 'exp', mean: 2000 } });
    expect(cfg.distances).toEqual([[10]]);
    expect(resolveWorkload(JSON.parse(JSON.stringify(cfg)))).toEqual(cfg);
  });

  it('names every offending field with a reason', () => {
    const e = issuesOf(() => resolveWorkload({ kind: 'lockbench', cpusPerNode: 1000, nodes: 'two', bogus: 1, thinkNs: { dist: 'exp' } }));
    expect(e.code).toBe('NUMASIM_ERR_WORKLOAD_INVALID');
    const byPath = Object.fromEntries(e.issues.map((i) => [i.path, i.reason]));
    expect(byPath.cpusPerNode).toBe('must be at most 128 (got 1000)');
    expect(byPath.nodes).toMatch(/whole number/);
    expect(byPath.bogus).toBe('unknown field');
    expect(byPath['thinkNs.mean']).toBe('is required');
  });

  it('rejects unknown kinds and non-objects', () => {
    expect(issuesOf(() => resolveWorkload({ kind: 'nope' })).code).toBe('NUMASIM_ERR_WORKLOAD_KIND_UNKNOWN');
    expect(issuesOf(() => resolveWorkload([1, 2])).code).toBe('NUMASIM_ERR_WORKLOAD_INVALID');
    expect(issuesOf(() => resolveWorkload({})).issues[0].path).toBe('kind');
  });

  it('checks fields against each other', () => {
    const e = issuesOf(() => resolveWorkload({ kind: 'lockbench', nodes: 2, distances: [[10, 20]] }));
    expect(e.code).toBe('NUMASIM_ERR_WORKLOAD_INCONSISTENT');
    expect(e.issues[0].path).toBe('distances');
    const u = issuesOf(() => resolveWorkload({ kind: 'lockbench', holdNs: { dist: 'uniform', min: 5, max: 1 } }));
    expect(u.issues[0]).toEqual({ path: 'holdNs', reason: 'min (5) must not exceed max (1)' });
  });

  it('applies --set overrides by dotted path, as JSON or as a string', () => {
    const cfg = resolveWorkload({ kind: 'lockbench' }, ['cpusPerNode=16', 'lock=tas', 'thinkNs={"dist":"const","value":5}', 'costs.lineRemoteNs=900']);
    if (cfg.kind !== 'lockbench') throw new Error('expected a lockbench config');
    expect(cfg.cpusPerNode).toBe(16);
    expect(cfg.lock).toBe('tas');
    expect(cfg.thinkNs).toEqual({ dist: 'const', value: 5 });
    expect(cfg.costs.lineRemoteNs).toBe(900);
    expect(issuesOf(() => resolveWorkload({ kind: 'lockbench' }, ['cpusPerNod=16'])).issues[0]).toEqual({ path: 'cpusPerNod', reason: 'unknown field' });
  });

  it('reads an override as the string it was written as where a field takes only strings (lru=2.4)', () => {
    const cfg = resolveWorkload({ kind: 'page-fault' }, ['lru=2.4', 'pagevec=true', 'zonelist=zone-major']);
    if (cfg.kind !== 'page-fault') throw new Error('expected a page-fault config');
    expect([cfg.lru, cfg.pagevec, cfg.zonelist]).toEqual(['2.4', true, 'zone-major']);
    expect(issuesOf(() => resolveWorkload({ kind: 'page-fault' }, ['lru=2.6'])).issues[0]).toEqual({ path: 'lru', reason: 'must be one of "2.4", "rmap", "2.5-zone" (got "2.6")' });
  });

  it('refuses override paths that could pollute prototypes, and malformed overrides', () => {
    expect(issuesOf(() => parseSetOverride('__proto__.x=1')).code).toBe('NUMASIM_ERR_SET_PATH_INVALID');
    expect(issuesOf(() => parseSetOverride('costs.constructor=1')).code).toBe('NUMASIM_ERR_SET_PATH_INVALID');
    expect(issuesOf(() => parseSetOverride('novalue')).code).toBe('NUMASIM_ERR_SET_SYNTAX');
    expect(issuesOf(() => resolveWorkload({ kind: 'lockbench' }, ['seed.x=1'])).code).toBe('NUMASIM_ERR_SET_PATH_INVALID');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('configHash', () => {
  it('ignores key order, the seed and the placement, and sees every other field', () => {
    const a = resolveWorkload({ kind: 'lockbench', nodes: 2, cpusPerNode: 2 });
    const b = resolveWorkload({ cpusPerNode: 2, nodes: 2, kind: 'lockbench', seed: 99 });
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(configHash(resolveWorkload({ kind: 'lockbench', nodes: 2, cpusPerNode: 3 }))).not.toBe(configHash(a));
  });
});

describe('presets', () => {
  it('all resolve, with unique names', () => {
    expect(new Set(PRESETS.map((p) => p.name)).size).toBe(PRESETS.length);
    for (const p of PRESETS) expect(() => resolveWorkload(p.workload)).not.toThrow();
  });

  it('an unknown preset is a 404 naming the known ones', () => {
    const e = issuesOf(() => getPreset('nope'));
    expect(e.code).toBe('NUMASIM_ERR_PRESET_UNKNOWN');
    expect(e.message).toContain('lockbench-8');
  });
});
