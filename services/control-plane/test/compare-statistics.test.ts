/** The statistics of a comparison (mean, spread, change, Welch's mark) in the API, as the CLI prints them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltApp } from '@numasim/control-plane';
import { compareGroups } from '@numasim/shared';
import { makeApp, waitFor } from './helpers.js';

describe('compare statistics', () => {
  let b: BuiltApp;
  let sweepId = '';
  let runIds: string[] = [];
  const get = (url: string) => b.app.inject({ method: 'GET', url });
  const metric = 'locks.bench_lock.conPercent';

  beforeAll(async () => {
    b = await makeApp();
    const sweep = (
      await b.app.inject({
        method: 'POST',
        url: '/v1/sweeps',
        payload: { base: { preset: 'lockbench-8', set: { durationNs: 2_000_000 } }, grid: { cpusPerNode: [2, 4] }, replicates: 3 },
      })
    ).json();
    sweepId = sweep.id;
    runIds = sweep.children.map((c: { id: string }) => c.id);
    await waitFor(async () => ((await get(`/v1/sweeps/${sweepId}`)).json().status === 'succeeded' ? true : undefined), 120_000);
  });
  afterAll(async () => b.shutdown());

  it('groups replicates per grid point and marks a significant change against the baseline', async () => {
    const cmp = (await get(`/v1/sweeps/${sweepId}/compare?metrics=${metric}`)).json();
    expect(cmp.statistics).toHaveLength(2);
    const [base, four] = cmp.statistics;
    expect(base).toMatchObject({ metric, n: 3, baseline: true, changePercent: null, p: null, params: { cpusPerNode: 2 } });
    expect(four).toMatchObject({ metric, n: 3, baseline: false, params: { cpusPerNode: 4 } });
    // The same numbers the shared function gives for the rows' values: one computation for API and CLI.
    const values = (cpus: number) => cmp.rows.filter((r: { params: { cpusPerNode: number } }) => r.params.cpusPerNode === cpus).map((r: { values: Record<string, number> }) => r.values[metric]);
    const expected = compareGroups({ groups: [{ key: 'a', params: {}, values: { [metric]: values(2) } }, { key: 'b', params: {}, values: { [metric]: values(4) } }] });
    expect(four.mean).toBe(expected[1].mean);
    expect(four.p).toBe(expected[1].p);
    expect(four.changePercent).toBeGreaterThan(0); // four CPUs a node contend more than two
    expect(four.significant).toBe(four.p < 0.05);
  });

  it('answers the statistics for any runs, against the baseline run, as JSON, CSV and text', async () => {
    const runs = [...runIds.slice(3), ...runIds.slice(0, 3)].join(',');
    const cmp = (await get(`/v1/compare?runs=${runs}&metrics=${metric}&baseline=${runIds[0]}`)).json();
    const baseRow = cmp.statistics.find((r: { baseline: boolean }) => r.baseline);
    expect(baseRow.params).toMatchObject({ cpusPerNode: 2 });
    const csv = await get(`/v1/compare?runs=${runs}&metrics=${metric}&baseline=${runIds[0]}&format=stats-csv`);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.trimEnd().split('\n')).toHaveLength(1 + cmp.statistics.length);
    const text = await get(`/v1/compare?runs=${runs}&metrics=${metric}&format=text`);
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.body).toContain(metric);
    expect(text.body).toMatch(/cpusPerNode=4/);
  });

  it('names the allowed formats when given another', async () => {
    const r = await get(`/v1/compare?runs=${runIds[0]}&format=xlsx`);
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/json, csv, stats-csv, text/);
  });
});
