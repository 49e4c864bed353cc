import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '@numasim/shared';
import type { BuiltApp } from '@numasim/control-plane';
import { finished, makeApp } from './helpers.js';

/** The report without wall-clock figures and without the echoed placement (in the config and in the origin's overrides). */
const stable = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallSeconds: 0, eventsPerSecond: 0 }, config: { ...r.config, placement: undefined }, origin: undefined });

describe('runs with a placement', () => {
  let b: BuiltApp;
  beforeAll(async () => {
    b = await makeApp();
  });
  afterAll(async () => b.shutdown());

  const run = async (placement: string) => {
    const res = await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { preset: 'lockbench-numaq-tas', set: { durationNs: 10_000_000, placement } } });
    expect(res.statusCode).toBe(202);
    const { id, configHash } = res.json();
    const view = await finished(b, id);
    expect(view.status).toBe('succeeded');
    const report = (await b.app.inject({ method: 'GET', url: `/v1/runs/${id}/report` })).json() as Report;
    const series = (await b.app.inject({ method: 'GET', url: `/v1/runs/${id}/timeseries` })).json() as unknown;
    return { configHash, report, series };
  };

  it('gives the inline report and series on node worker threads, under the same configHash', async () => {
    const inline = await run('inline');
    const packed = await run('packed:2');
    expect(packed.report.config.placement).toBe('packed:2');
    expect(packed.configHash).toBe(inline.configHash);
    expect(stable(packed.report)).toBe(stable(inline.report));
    expect(JSON.stringify(packed.series)).toBe(JSON.stringify(inline.series));
  });

  it('refuses an unknown placement before creating a run', async () => {
    const res = await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { preset: 'lockbench-numaq-tas', set: { placement: 'packed:many' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe('placement');
  });
});
