/** Runs and sweeps say what they came from (preset, overrides, label), and the lists filter on it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltApp } from '@numasim/control-plane';
import { finished, makeApp, small, waitFor } from './helpers.js';

describe('what runs came from', () => {
  let b: BuiltApp;
  beforeAll(async () => {
    b = await makeApp();
  });
  afterAll(async () => b.shutdown());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => b.app.inject({ method: 'POST', url, payload: payload as object, headers });
  const get = async (url: string) => (await b.app.inject({ method: 'GET', url })).json();
  const sweepDone = (id: string) => waitFor(async () => ((await get(`/v1/sweeps/${id}`)).status === 'succeeded' ? true : undefined));

  it('names the preset, the overrides and the label in the status, the list and the report', async () => {
    const r = await post('/v1/runs', { preset: 'lockbench-8', set: ['durationNs=2000000', 'lock=tas'], label: 'tas try' });
    expect(r.statusCode).toBe(202);
    const view = await finished(b, r.json().id);
    expect(view).toMatchObject({ status: 'succeeded', preset: 'lockbench-8', overrides: { durationNs: 2_000_000, lock: 'tas' }, label: 'tas try', sweepId: null });
    const listed = (await get(`/v1/runs?label=${encodeURIComponent('tas try')}`)).runs;
    expect(listed.map((x: { id: string }) => x.id)).toEqual([view.id]);
    expect(listed[0]).toMatchObject({ preset: 'lockbench-8', overrides: { durationNs: 2_000_000, lock: 'tas' }, label: 'tas try' });
    const report = await get(`/v1/runs/${view.id}/report`);
    expect(report.origin).toEqual({ preset: 'lockbench-8', overrides: { durationNs: 2_000_000, lock: 'tas' }, label: 'tas try' });
    expect(report.config.lock).toBe('tas');

    const inline = await finished(b, (await post('/v1/runs', { workload: small })).json().id);
    expect(inline).toMatchObject({ preset: null, overrides: null, label: null });
    expect((await get(`/v1/runs/${inline.id}/report`)).origin).toEqual({ preset: null, overrides: null, label: null });
  });

  it('filters the run list by preset, kind, status, sweep and label, together', async () => {
    const fault = { kind: 'page-fault', nodes: 1, cpusPerNode: 1, memPerNodeMiB: 64, durationNs: 1_000_000 };
    const ids = {
      a: (await post('/v1/runs', { workload: small, label: 'filters-a' })).json().id,
      b: (await post('/v1/runs', { preset: 'lockbench-8', set: { durationNs: 1_000_000 }, label: 'filters-b' })).json().id,
      c: (await post('/v1/runs', { workload: fault, label: 'filters-b' })).json().id,
    };
    const sweep = (await post('/v1/sweeps', { base: { preset: 'lockbench-8', set: { durationNs: 1_000_000 } }, grid: { cpusPerNode: [1, 2] }, label: 'filters-sweep' })).json();
    for (const id of Object.values(ids)) await finished(b, id);
    await sweepDone(sweep.id);
    const idsOf = async (q: string) => (await get(`/v1/runs?limit=500&${q}`)).runs.map((x: { id: string }) => x.id);
    expect(await idsOf('label=filters-b')).toEqual([ids.c, ids.b]);
    expect(await idsOf('label=filters-b&kind=page-fault')).toEqual([ids.c]);
    expect(await idsOf('label=filters-b&preset=lockbench-8')).toEqual([ids.b]);
    expect(await idsOf('label=filters-a&status=succeeded')).toEqual([ids.a]);
    expect(await idsOf('label=filters-a&status=failed')).toEqual([]);
    const children = (await get(`/v1/runs?sweep=${sweep.id}`)).runs;
    expect(children).toHaveLength(2);
    for (const c of children) expect(c).toMatchObject({ sweepId: sweep.id, preset: 'lockbench-8', overrides: { durationNs: 1_000_000 }, label: 'filters-sweep' });
    expect(await idsOf('label=filters-sweep')).toEqual(children.map((c: { id: string }) => c.id));
    const report = await get(`/v1/runs/${children[0].id}/report`);
    expect(report.origin).toEqual({ preset: 'lockbench-8', overrides: { durationNs: 1_000_000 }, label: 'filters-sweep' });
    const bad = await b.app.inject({ method: 'GET', url: '/v1/runs?preset=lockbench-9' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual([{ path: 'querystring.preset', reason: expect.stringMatching(/^must be one of: lockbench-8, .* \(got "lockbench-9"\)$/) }]);
  });

  it('lists sweeps newest first with their runs\' statuses, by label, page by page', async () => {
    const base = { preset: 'lockbench-8', set: ['durationNs=1000000'] };
    const made: string[] = [];
    for (const label of ['list-x', 'list-y', 'list-x']) made.push((await post('/v1/sweeps', { base, grid: { cpusPerNode: [1, 2] }, replicates: 2, label })).json().id);
    for (const id of made) await sweepDone(id);
    const first = await get('/v1/sweeps?limit=2');
    expect(first.items.map((x: { id: string }) => x.id)).toEqual([made[2], made[1]]);
    expect(first.items[0]).toMatchObject({
      id: made[2],
      status: 'succeeded',
      label: 'list-x',
      grid: { cpusPerNode: [1, 2] },
      replicates: 2,
      base: { preset: 'lockbench-8', overrides: { durationNs: 1_000_000 } },
      runs: { total: 4, queued: 0, running: 0, succeeded: 4, failed: 0, cancelled: 0 },
    });
    expect(first.items[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const second = await get(`/v1/sweeps?limit=2&cursor=${first.nextCursor}`);
    expect(second.items[0].id).toBe(made[0]);
    const labelled = await get('/v1/sweeps?label=list-x');
    expect(labelled.items.map((x: { id: string }) => x.id)).toEqual([made[2], made[0]]);
    expect(labelled.nextCursor).toBeNull();
    expect((await b.app.inject({ method: 'GET', url: '/v1/sweeps?limit=0' })).statusCode).toBe(400);
  });

  it('answers a repeated sweep with its Idempotency-Key with the original sweep, and refuses the key for another body', async () => {
    const body = { base: { preset: 'lockbench-8', set: { durationNs: 1_000_000 } }, grid: { cpusPerNode: [1, 2] }, label: 'idem' };
    const runsBefore = (await get('/v1/runs?limit=500')).runs.length;
    const first = await post('/v1/sweeps', body, { 'idempotency-key': 'sweep-key-1' });
    const again = await post('/v1/sweeps', body, { 'idempotency-key': 'sweep-key-1' });
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    expect(again.json().children.map((c: { id: string }) => c.id)).toEqual(first.json().children.map((c: { id: string }) => c.id));
    const other = await post('/v1/sweeps', { ...body, grid: { cpusPerNode: [4] } }, { 'idempotency-key': 'sweep-key-1' });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('NUMASIM_ERR_API_IDEMPOTENCY_MISMATCH');
    expect(other.json().message).toContain(first.json().id);
    expect((await get('/v1/sweeps?label=idem')).items).toHaveLength(1);
    expect((await get('/v1/runs?limit=500')).runs.length).toBe(runsBefore + 2);
    // A key is a sweep's or a run's: the same text on the other endpoint makes its own.
    expect((await post('/v1/runs', { workload: small }, { 'idempotency-key': 'sweep-key-1' })).statusCode).toBe(202);
  });
});
