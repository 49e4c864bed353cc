import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltApp } from '@numasim/control-plane';
import { makeApp, waitFor } from './helpers.js';

describe('sweeps', () => {
  let b: BuiltApp;
  beforeAll(async () => {
    b = await makeApp();
  });
  afterAll(async () => b.shutdown());

  it('runs a grid with replicates, compares it and plots it', async () => {
    const r = await b.app.inject({
      method: 'POST',
      url: '/v1/sweeps',
      payload: { base: { preset: 'lockbench-8', set: { durationNs: 5_000_000 } }, grid: { cpusPerNode: [1, 2, 4], lock: ['ticket', 'tas'] }, replicates: 2 },
    });
    expect(r.statusCode).toBe(202);
    const sweep = r.json();
    expect(sweep.children).toHaveLength(12);
    const seeds = new Set(sweep.children.map((c: { seed: number }) => c.seed));
    expect(seeds.size).toBe(2); // replicate 0 keeps the base seed, replicate 1 gets a derived one
    expect(sweep.children[0].params).toEqual({ cpusPerNode: 1, lock: 'ticket', replicate: 0 });
    const done = await waitFor(async () => {
      const s = (await b.app.inject({ method: 'GET', url: `/v1/sweeps/${sweep.id}` })).json();
      return s.status === 'succeeded' ? s : undefined;
    });
    expect(done.counts).toEqual({ succeeded: 12 });
    const cmp = (await b.app.inject({ method: 'GET', url: `/v1/sweeps/${sweep.id}/compare?metrics=locks.bench_lock.conPercent,machine.cpus` })).json();
    expect(cmp.parameters).toEqual(['cpusPerNode', 'lock', 'replicate']);
    expect(cmp.rows).toHaveLength(12);
    for (const row of cmp.rows) expect(row.values['machine.cpus']).toBe(row.params.cpusPerNode);
    const con = (n: number) => cmp.rows.find((x: { params: { cpusPerNode: number; lock: string } }) => x.params.cpusPerNode === n && x.params.lock === 'ticket').values['locks.bench_lock.conPercent'];
    expect(con(1)).toBe(0);
    expect(con(4)).toBeGreaterThan(con(2));
    const svg = await b.app.inject({ method: 'GET', url: `/v1/sweeps/${sweep.id}/plot.svg?metric=locks.bench_lock.conPercent&x=cpusPerNode&series=lock` });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(svg.body).toMatch(/^<svg /);
    // Drawn by the shared plot module: series named in the legend, units and replicates in the labels.
    expect(svg.body).toContain('>ticket</text>');
    expect(svg.body).toContain('>tas</text>');
    expect(svg.body).toContain('bench_lock contention (%)');
    expect(svg.body).toContain(`sweep ${sweep.id}`);
    expect(svg.body).toContain('mean of 2 replicates per point');
    expect(svg.body).toMatch(/mark-line/);
    expect(svg.body).not.toContain('NaN');
    const ci = await b.app.inject({ method: 'GET', url: `/v1/sweeps/${sweep.id}/plot.svg?metric=locks.bench_lock.conPercent&x=cpusPerNode&series=lock&spread=ci95` });
    expect(ci.statusCode).toBe(200);
    expect(ci.body).toContain('with the 95% confidence interval of the mean');
    const bad = await b.app.inject({ method: 'GET', url: `/v1/sweeps/${sweep.id}/plot.svg?metric=x&x=nodes` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/not a grid parameter/);
  });

  it('refuses a sweep larger than the limit and a grid point that does not resolve, creating nothing', async () => {
    const big = await b.app.inject({ method: 'POST', url: '/v1/sweeps', payload: { base: { preset: 'lockbench-8' }, grid: { seed: Array.from({ length: 300 }, (_, i) => i) } } });
    expect(big.statusCode).toBe(400);
    expect(big.json().code).toBe('NUMASIM_ERR_API_LIMIT_EXCEEDED');
    const before = (await b.app.inject({ method: 'GET', url: '/v1/runs?limit=500' })).json().runs.length;
    const bad = await b.app.inject({ method: 'POST', url: '/v1/sweeps', payload: { base: { preset: 'lockbench-8' }, grid: { cpusPerNode: [2, 200] } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/cpusPerNode: must be at most 128/);
    expect((await b.app.inject({ method: 'GET', url: '/v1/runs?limit=500' })).json().runs.length).toBe(before);
  });
});
