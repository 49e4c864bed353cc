/** Bad requests get a 4xx with a code and never a 5xx, and no run is created by a rejected request. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BuiltApp } from '@numasim/control-plane';
import { makeApp, small } from './helpers.js';

describe('bad input', () => {
  let b: BuiltApp;
  beforeAll(async () => {
    b = await makeApp({ bodyLimitBytes: 64 * 1024 });
  });
  afterAll(async () => b.shutdown());

  const runCount = async () => (await b.app.inject({ method: 'GET', url: '/v1/runs?limit=500' })).json().runs.length;
  const raw = (body: string, contentType = 'application/json') => b.app.inject({ method: 'POST', url: '/v1/runs', payload: body, headers: { 'content-type': contentType } });

  const cases: [string, () => ReturnType<typeof raw>, number, string, RegExp?][] = [
    ['malformed JSON', () => raw('{"preset": '), 400, 'NUMASIM_ERR_API_BODY_MALFORMED'],
    ['an empty body', () => raw(''), 400, 'NUMASIM_ERR_API_BODY_MALFORMED'],
    ['a body that is not an object', () => raw('[1,2,3]'), 400, 'NUMASIM_ERR_API_BODY_INVALID'],
    ['an unknown top-level field', () => raw('{"preset":"lockbench-8","colour":"red"}'), 400, 'NUMASIM_ERR_API_BODY_INVALID', /colour: unknown field/],
    ['both workload and preset', () => raw(JSON.stringify({ preset: 'lockbench-8', workload: small })), 400, 'NUMASIM_ERR_API_BODY_INVALID'],
    ['an unknown preset', () => raw('{"preset":"nope"}'), 404, 'NUMASIM_ERR_PRESET_UNKNOWN'],
    ['a wrong type inside the workload', () => raw(JSON.stringify({ workload: { ...small, cpusPerNode: 'eight' } })), 400, 'NUMASIM_ERR_WORKLOAD_INVALID', /cpusPerNode: must be a whole number/],
    ['an unknown workload field', () => raw(JSON.stringify({ workload: { ...small, cpus: 3 } })), 400, 'NUMASIM_ERR_WORKLOAD_INVALID', /cpus: unknown field/],
    ['a huge number', () => raw(JSON.stringify({ workload: { ...small, cpusPerNode: 1e308 } })), 400, 'NUMASIM_ERR_WORKLOAD_INVALID'],
    ['10^9 CPUs', () => raw(JSON.stringify({ workload: { ...small, nodes: 64, cpusPerNode: 1e9 } })), 400, 'NUMASIM_ERR_WORKLOAD_INVALID', /cpusPerNode: must be at most 128/],
    ['10^6 simulated seconds', () => raw(JSON.stringify({ workload: { ...small, durationNs: 1e15 } })), 400, 'NUMASIM_ERR_API_LIMIT_EXCEEDED', /durationNs/],
    ['__proto__ in the body', () => raw('{"preset":"lockbench-8","__proto__":{"polluted":1}}'), 400, 'NUMASIM_ERR_API_BODY_FORBIDDEN_KEY', /^body\.__proto__: /],
    ['constructor.prototype in the workload', () => raw('{"workload":{"kind":"lockbench","constructor":{"prototype":{"x":1}}}}'), 400, 'NUMASIM_ERR_API_BODY_FORBIDDEN_KEY', /^body\.workload\.constructor: /],
    ['a prototype key deep in a list', () => raw('{"preset":"lockbench-8","set":["a=1"],"x":[{"prototype":1}]}'), 400, 'NUMASIM_ERR_API_BODY_FORBIDDEN_KEY', /^body\.x\[0\]\.prototype: /],
    ['an empty label', () => raw(JSON.stringify({ preset: 'lockbench-8', label: '' })), 400, 'NUMASIM_ERR_API_BODY_INVALID', /body\.label: must be at least 1 character long$/],
    ['a set that is neither an object nor a list', () => raw('{"preset":"lockbench-8","set":5}'), 400, 'NUMASIM_ERR_API_BODY_INVALID', /^invalid request: body\.set: must be an object or an array \(got 5\)$/],
    ['a label too long', () => raw(JSON.stringify({ preset: 'lockbench-8', label: 'x'.repeat(201) })), 400, 'NUMASIM_ERR_API_BODY_INVALID', /body\.label: must be at most 200 characters long/],
    ['a __proto__ override path', () => raw('{"preset":"lockbench-8","set":{"__proto__.x":1}}'), 400, 'NUMASIM_ERR_SET_PATH_INVALID'],
    ['a form body', () => raw('preset=lockbench-8', 'application/x-www-form-urlencoded'), 415, 'NUMASIM_ERR_API_CONTENT_TYPE_UNSUPPORTED'],
    ['an oversized body', () => raw(JSON.stringify({ preset: 'lockbench-8', set: { durationNs: 1, pad: 'x'.repeat(100_000) } })), 413, 'NUMASIM_ERR_API_BODY_TOO_LARGE'],
    ['deep nesting', () => raw(`${'{"workload":'.repeat(1)}${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`), 400, 'NUMASIM_ERR_WORKLOAD_INVALID'],
  ];

  it.each(cases)('%s → %i %s', async (_what, send, status, code, message) => {
    const before = await runCount();
    const r = await send();
    expect(r.statusCode).toBe(status);
    const body = r.json();
    expect(body.code).toBe(code);
    if (message) expect(body.message).toMatch(message);
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at |node_modules/);
    expect(await runCount()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names a bad choice once, with the allowed values, one issue per field', async () => {
    const r = await b.app.inject({ method: 'GET', url: '/v1/runs?status=bogus&kind=lockbnech&limit=x' });
    expect(r.statusCode).toBe(400);
    const body = r.json();
    expect(body.code).toBe('NUMASIM_ERR_API_BODY_INVALID');
    expect(body.issues).toEqual([
      { path: 'querystring.status', reason: 'must be one of: queued, running, succeeded, failed, cancelled (got "bogus")' },
      { path: 'querystring.kind', reason: expect.stringMatching(/^must be one of: lockbench, page-fault, .*kernbench.* \(got "lockbnech"\)$/) },
      { path: 'querystring.limit', reason: 'must match ^[0-9]{1,4}$ (got "x")' },
    ]);
    expect(body.message).not.toMatch(/equal to constant|anyOf/);
    expect(body.message.match(/must be one of/g)).toHaveLength(2);
  });

  it('answers 404 with a code for unknown ids and endpoints', async () => {
    for (const url of ['/v1/runs/run_nope', '/v1/runs/run_nope/report', '/v1/sweeps/swp_nope', '/v1/nothing']) {
      const r = await b.app.inject({ method: 'GET', url });
      expect(r.statusCode).toBe(404);
      expect(r.json().code).toMatch(/^NUMASIM_ERR_API_/);
    }
    const bad = await b.app.inject({ method: 'GET', url: '/v1/runs/..%2Fetc' });
    expect(bad.statusCode).toBe(400);
  });

  it('never answers 5xx to random ids, cursors, query strings and content types', async () => {
    const segment = fc.oneof(fc.string(), fc.constantFrom('run_', '..', '%00', '%2F', 'a'.repeat(500), '__proto__', 'constructor'));
    await fc.assert(
      fc.asyncProperty(segment, segment, fc.constantFrom('', '/report', '/timeseries', '/cancel', '/compare', '/plot.svg'), async (id, q, tail) => {
        const enc = encodeURIComponent(id);
        for (const url of [`/v1/runs/${enc}${tail}`, `/v1/sweeps/${enc}${tail}`, `/v1/runs?cursor=${encodeURIComponent(q)}&limit=${encodeURIComponent(q)}`, `/v1/runs/${enc}/report?format=${encodeURIComponent(q)}`]) {
          for (const method of ['GET', 'POST', 'DELETE'] as const) {
            const r = await b.app.inject({ method, url });
            expect(r.statusCode).toBeLessThan(500);
            if (r.statusCode >= 400) expect(r.json().code).toMatch(/^NUMASIM_ERR_/);
          }
        }
      }),
      { numRuns: 60 },
    );
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '']) {
      const r = await raw('{"preset":"lockbench-8"}', type);
      expect(r.statusCode).toBeLessThan(500);
      if (r.statusCode >= 400) expect(r.json().code).toMatch(/^NUMASIM_ERR_/);
    }
  });

  it('never answers 5xx to random and mutated request bodies, and creates runs only for 2xx', async () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    const workloadish = fc.record(
      {
        kind: fc.constantFrom('lockbench', 'nope', 1, null),
        nodes: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double(), fc.string(), json),
        cpusPerNode: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constant(1e300), json),
        durationNs: fc.oneof(fc.integer({ min: -1, max: 20_000_000 }), fc.constant(Number.MAX_VALUE), fc.string()),
        thinkNs: fc.oneof(json, fc.record({ dist: fc.constantFrom('exp', 'const', 'zipf'), mean: fc.double() })),
        lock: fc.oneof(fc.constantFrom('ticket', 'tas'), fc.string()),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      json,
      fc.record({ workload: workloadish }, { requiredKeys: [] }),
      fc.record({ preset: fc.oneof(fc.constantFrom('lockbench-8', 'lockbench-spread'), fc.string()), set: fc.oneof(json, fc.dictionary(fc.string(), json)) }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const before = await runCount();
        const r = await raw(JSON.stringify(payload) ?? 'null');
        expect(r.statusCode).toBeLessThan(500);
        if (r.statusCode >= 400) {
          expect(r.json().code).toMatch(/^NUMASIM_ERR_/);
          expect(await runCount()).toBe(before);
        } else {
          expect(await runCount()).toBe(before + 1);
          await b.app.inject({ method: 'POST', url: `/v1/runs/${r.json().id}/cancel` });
        }
      }),
      { numRuns: 150 },
    );
  });
});
