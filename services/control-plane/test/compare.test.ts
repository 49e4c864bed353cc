/** GET /v1/compare: any finished runs side by side, as JSON and CSV; bad metrics and run ids named. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltApp } from '@numasim/control-plane';
import { finished, held, heldAtGate, makeGatedApp, waitFor } from './helpers.js';
import { compareCsv, groupKeyOfRun, groupRows, type CompareTable } from '../src/compare/table.js';

describe('compare', () => {
  let b: BuiltApp;
  const ids: Record<string, string> = {};
  let sweepId = '';
  const get = (url: string) => b.app.inject({ method: 'GET', url });
  const post = (url: string, payload: unknown) => b.app.inject({ method: 'POST', url, payload: payload as object });

  beforeAll(async () => {
    // Runs shorter than the gate's simulated time pass it; `held` stops there until cancelled.
    ({ b } = await makeGatedApp());
    ids.two = (await post('/v1/runs', { preset: 'lockbench-8', set: { durationNs: 2_000_000, cpusPerNode: 2 }, label: 'two' })).json().id;
    ids.four = (await post('/v1/runs', { preset: 'lockbench-8', set: { durationNs: 2_000_000, cpusPerNode: 4 }, label: '=four, "quoted"' })).json().id;
    const sweep = (await post('/v1/sweeps', { base: { preset: 'lockbench-8', set: { durationNs: 2_000_000 } }, grid: { cpusPerNode: [1, 3] } })).json();
    sweepId = sweep.id;
    ids.child = sweep.children[1].id;
    for (const id of Object.values(ids)) await finished(b, id);
    await waitFor(async () => ((await get(`/v1/sweeps/${sweepId}`)).json().status === 'succeeded' ? true : undefined));
  });
  afterAll(async () => b.shutdown());

  it('compares runs from anywhere: what each came from, its parameters and each metric', async () => {
    const r = await get(`/v1/compare?runs=${ids.two},${ids.four},${ids.child}&metrics=locks.bench_lock.conPercent,machine.cpus&baseline=${ids.two}`);
    expect(r.statusCode).toBe(200);
    const cmp = r.json();
    expect(cmp.runs).toEqual([ids.two, ids.four, ids.child]);
    expect(cmp.baseline).toBe(ids.two);
    expect(cmp.metrics).toEqual(['locks.bench_lock.conPercent', 'machine.cpus']);
    expect(cmp.parameters).toEqual(['durationNs', 'cpusPerNode', 'replicate']);
    expect(cmp.rows.map((x: { id: string }) => x.id)).toEqual([ids.two, ids.four, ids.child]);
    expect(cmp.rows[0]).toMatchObject({ preset: 'lockbench-8', label: 'two', sweepId: null, status: 'succeeded', params: { durationNs: 2_000_000, cpusPerNode: 2 } });
    expect(cmp.rows[2]).toMatchObject({ sweepId, label: null, params: { durationNs: 2_000_000, cpusPerNode: 3, replicate: 0 } });
    expect(cmp.rows.map((x: { values: Record<string, number> }) => x.values['machine.cpus'])).toEqual([2, 4, 3]);
    for (const row of cmp.rows) {
      const report = (await get(`/v1/runs/${row.id}/report`)).json();
      expect(row.values['locks.bench_lock.conPercent']).toBe(report.locks.find((l: { name: string }) => l.name === 'bench_lock').conPercent);
    }
    expect(cmp.rows[1].values['locks.bench_lock.conPercent']).toBeGreaterThan(cmp.rows[0].values['locks.bench_lock.conPercent']);

    const csv = await get(`/v1/compare?runs=${ids.two},${ids.four}&metrics=machine.cpus&format=csv`);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trimEnd().split('\n');
    expect(lines[0]).toBe('run,status,preset,label,sweep,seed,durationNs,cpusPerNode,machine.cpus');
    expect(lines[1]).toBe(`${ids.two},succeeded,lockbench-8,two,,${cmp.rows[0].seed},2000000,2,2`);
    // A label a spreadsheet would read as a formula stays text; commas and quotes are quoted.
    expect(lines[2]).toBe(`${ids.four},succeeded,lockbench-8,"'=four, ""quoted""",,${cmp.rows[1].seed},2000000,4,4`);
  });

  it('refuses a misspelt or text metric by name, with the code plot uses', async () => {
    const r = await get(`/v1/compare?runs=${ids.two}&metrics=machine.cpus,locks.bench_lock.conPercnt`);
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('NUMASIM_ERR_API_METRIC_UNKNOWN');
    expect(r.json().message).toMatch(/"locks\.bench_lock\.conPercnt" names no number in the report; nearest: locks\.bench_lock\.conPercent/);
    expect(r.json().message).not.toContain('"machine.cpus"');
    const text = await get(`/v1/compare?runs=${ids.two}&metrics=run.configHash`);
    expect(text.json()).toMatchObject({ code: 'NUMASIM_ERR_API_METRIC_UNKNOWN', issues: [{ path: 'querystring.metrics', reason: expect.stringMatching(/^"run\.configHash" is text \(.*\), not a number$/) }] });
    const sweepCompare = await get(`/v1/sweeps/${sweepId}/compare?metrics=locks.bench_lock.conPercnt`);
    expect(sweepCompare.statusCode).toBe(400);
    expect(sweepCompare.json().code).toBe('NUMASIM_ERR_API_METRIC_UNKNOWN');
    const plot = await get(`/v1/sweeps/${sweepId}/plot.svg?metric=locks.bench_lock.conPercnt&x=cpusPerNode`);
    expect(plot.statusCode).toBe(400);
    expect(plot.json().code).toBe('NUMASIM_ERR_API_METRIC_UNKNOWN');
    expect(plot.json().message).toContain('querystring.metric: "locks.bench_lock.conPercnt"');
  });

  it('keeps the sweep compare, now also as CSV', async () => {
    const cmp = (await get(`/v1/sweeps/${sweepId}/compare?metrics=machine.cpus`)).json();
    expect(cmp.parameters).toEqual(['cpusPerNode', 'replicate']);
    expect(cmp.rows.map((x: { values: Record<string, number> }) => x.values['machine.cpus'])).toEqual([1, 3]);
    const csv = (await get(`/v1/sweeps/${sweepId}/compare?metrics=machine.cpus&format=csv`)).body.trimEnd().split('\n');
    expect(csv[0]).toBe('run,status,preset,label,sweep,seed,cpusPerNode,replicate,machine.cpus');
    expect(csv).toHaveLength(3);
  });

  it('names unknown runs, runs without a report, and a baseline that is not compared', async () => {
    const missing = await get(`/v1/compare?runs=${ids.two},run_nope,run_gone`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('NUMASIM_ERR_API_RUN_NOT_FOUND');
    expect(missing.json().message).toBe('no run "run_nope", "run_gone"');
    const { id } = (await post('/v1/runs', { workload: held })).json();
    await heldAtGate(b, id);
    await post(`/v1/runs/${id}/cancel`, {});
    await finished(b, id);
    const cancelled = await get(`/v1/compare?runs=${ids.two},${id}`);
    expect(cancelled.statusCode).toBe(409);
    expect(cancelled.json().code).toBe('NUMASIM_ERR_API_RUN_STATE_CONFLICT');
    expect(cancelled.json().message).toBe(`only runs that succeeded have reports to compare: ${id} is cancelled`);
    const baseline = await get(`/v1/compare?runs=${ids.two}&baseline=${ids.four}`);
    expect(baseline.statusCode).toBe(400);
    expect(baseline.json().issues[0].path).toBe('querystring.baseline');
    const garbage = await get('/v1/compare?runs=a;b');
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().issues[0].path).toBe('querystring.runs');
    expect((await get('/v1/compare')).json().issues).toEqual([{ path: 'querystring.runs', reason: 'is required' }]);
  });
});

describe('compare tables', () => {
  const table: CompareTable = {
    metrics: ['m'],
    parameters: ['cpus', 'replicate'],
    rows: [
      { id: 'r1', status: 'succeeded', preset: 'p', label: null, sweepId: 's', seed: 1, params: { cpus: 2, replicate: 0 }, values: { m: 10 } },
      { id: 'r2', status: 'succeeded', preset: 'p', label: null, sweepId: 's', seed: 9, params: { cpus: 2, replicate: 1 }, values: { m: 12 } },
      { id: 'r3', status: 'succeeded', preset: 'p', label: 'x', sweepId: null, seed: 1, params: { cpus: 4 }, values: { m: null } },
    ],
  };

  it('groups replicates of one configuration, the form a statistics function takes', () => {
    expect(groupRows(table)).toEqual([
      { key: 'p cpus=2', params: { cpus: 2 }, runs: ['r1', 'r2'], values: { m: [10, 12] } },
      { key: 'x p cpus=4', params: { cpus: 4 }, runs: ['r3'], values: { m: [] } },
    ]);
    expect(groupKeyOfRun(table, 'r2')).toBe('p cpus=2');
    expect(groupKeyOfRun(table, 'r9')).toBeUndefined();
  });

  it('writes an empty CSV cell for a missing value', () => {
    expect(compareCsv(table).split('\n')[3]).toBe('r3,succeeded,p,x,,1,4,,');
  });
});
