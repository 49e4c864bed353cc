/** GET /v1/runs/:id/report?format=: the lock table in lockmeter's, lock_stat's and perf lock's forms, as numasim run --format prints it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltApp } from '@numasim/control-plane';
import { formatLockTable, type Report } from '@numasim/shared';
import { finished, makeApp } from './helpers.js';

describe('report formats', () => {
  let b: BuiltApp;
  let id = '';
  let report: Report;
  const get = (url: string) => b.app.inject({ method: 'GET', url });

  beforeAll(async () => {
    b = await makeApp();
    id = (await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { preset: 'lockbench-8', set: { durationNs: 2_000_000 } } })).json().id;
    await finished(b, id);
    report = (await get(`/v1/runs/${id}/report`)).json();
  });
  afterAll(async () => b.shutdown());

  it('prints each lock-table format from the stored report, with the same options as the CLI', async () => {
    for (const format of ['lockmeter', 'lock_stat', 'perf-lock', 'perf-cycles'] as const) {
      const r = await get(`/v1/runs/${id}/report?format=${format}&top=1&lock=bench`);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/plain/);
      expect(r.body).toBe(formatLockTable(report, { format, top: 1, lock: 'bench' }));
    }
    expect((await get(`/v1/runs/${id}/report?format=lock_stat`)).body).toMatch(/con-bounces/);
    // perf-cycles, as `numasim run --format perf-cycles` prints it: % of CPU cycles spinning per lock.
    const cycles = await get(`/v1/runs/${id}/report?format=perf-cycles`);
    expect(cycles.statusCode, cycles.body).toBe(200);
    expect(cycles.body).toBe(formatLockTable(report, { format: 'perf-cycles' }));
    const perfCsv = await get(`/v1/runs/${id}/report?format=perf-lock&fieldSeparator=,`);
    expect(perfCsv.body).toBe(formatLockTable(report, { format: 'perf-lock', fieldSeparator: ',' }));
  });

  it('refuses a separator without perf-lock, and an unknown format naming the allowed ones', async () => {
    const sep = await get(`/v1/runs/${id}/report?format=lock_stat&fieldSeparator=,`);
    expect(sep.statusCode).toBe(400);
    expect(sep.json().issues[0].path).toBe('querystring.fieldSeparator');
    const bad = await get(`/v1/runs/${id}/report?format=xml`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/json, text, csv, lockmeter, lock_stat, perf-lock, perf-cycles/);
  });
});
