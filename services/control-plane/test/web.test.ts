/** The web page without a browser: the route plugin that serves it, and the page's pure functions. */
import { afterAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PRESETS, resolveWorkload } from '@numasim/shared';
import { registerWebRoutes } from '../src/http/routes-web.js';
import { metricValue as serverMetricValue } from '../src/sweeps/grid.js';
import { filterRows, lockRows, sortRows } from '../web/src/locks.js';
import { configFields, parseList, parseValue } from '../web/src/fields.js';
import { metricValue } from '../web/src/metric.js';
import { compareCells, compareText } from '../web/src/compare-table.js';
import { plotPoints } from '../web/src/sweep-data.js';

const lock = (name: string, cls: string, o: Partial<Record<string, number>> = {}) => ({
  name,
  class: cls,
  homeNode: 0,
  acquisitions: 100,
  contentions: 10,
  trylockFailures: 0,
  attempts: 100,
  utilPercent: 20,
  conPercent: 10,
  holdMeanNs: 50,
  holdMaxNs: 90,
  holdTotalNs: 5000,
  waitMeanNs: 30,
  waitMaxNs: 70,
  waitTotalNs: 300,
  waitCpuPercent: 1,
  spinPercent: 10,
  rjectPercent: 0,
  nowaitPercent: 90,
  holdMinNs: 10,
  holdP50Ns: 50,
  holdP99Ns: 90,
  waitMinNs: 5,
  waitP50Ns: 30,
  waitP99Ns: 70,
  conBounces: 0,
  acqBounces: 0,
  callers: [{ name: 'do_fault', acquisitions: 100, contentions: 10, trylockFailures: 0, attempts: 100, utilPercent: 20, conPercent: 10, holdMeanNs: 50, holdMaxNs: 90, holdTotalNs: 5000, waitMeanNs: 30, waitMaxNs: 70, waitTotalNs: 300 }],
  ...o,
});

describe('the route plugin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'numasim-web-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><main id="view"></main>');
  writeFileSync(join(dir, 'app.js'), 'console.log("page");'.repeat(50));
  writeFileSync(join(dir, 'app.css'), 'body{}');
  const app = Fastify();
  registerWebRoutes(app, dir);
  const unbuilt = Fastify();
  registerWebRoutes(unbuilt, join(dir, 'missing'));
  afterAll(async () => Promise.all([app.close(), unbuilt.close()]));

  it('serves the page at / and its assets under /web, gzipped when asked, revalidated by ETag', async () => {
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<main id="view">');
    const js = await app.inject({ url: '/web/app.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(js.rawPayload).toString()).toBe('console.log("page");'.repeat(50));
    const again = await app.inject({ url: '/web/app.js', headers: { 'if-none-match': js.headers.etag as string } });
    expect(again.statusCode).toBe(304);
    expect((await app.inject({ url: '/web/app.css' })).headers['content-type']).toMatch(/^text\/css/);
    expect((await app.inject({ url: '/web/other.js' })).statusCode).toBe(404);
  });

  it('says how to build the page when it is not built', async () => {
    const r = await unbuilt.inject({ url: '/' });
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('npm run build');
  });
});

describe('the lock table', () => {
  const locks = [
    lock('mm->page_table_lock[cpu0]', 'mm->page_table_lock', { acquisitions: 100, attempts: 100, contentions: 10, holdTotalNs: 1000, waitTotalNs: 200, utilPercent: 10, holdMaxNs: 40, homeNode: 0 }),
    lock('mm->page_table_lock[cpu1]', 'mm->page_table_lock', { acquisitions: 300, attempts: 300, contentions: 30, holdTotalNs: 5000, waitTotalNs: 1000, utilPercent: 30, holdMaxNs: 80, homeNode: 1 }),
    lock('pagemap_lru_lock', 'pagemap_lru_lock', { utilPercent: 50, conPercent: 60 }),
  ];

  it('collapses per-instance locks into their class as the shared lock tables do: sums add, means come from the totals', () => {
    const rows = lockRows(locks, false);
    expect(rows.map((r) => r.name)).toEqual(['mm->page_table_lock', 'pagemap_lru_lock']);
    const pt = rows[0];
    expect(pt).toMatchObject({ instances: 2, acquisitions: 400, contentions: 40, attempts: 400, holdTotalNs: 6000, holdMaxNs: 80, homeNode: null, utilPercent: 40, conPercent: 10 });
    expect(pt.holdMeanNs).toBe(6000 / 400);
    expect(pt.waitMeanNs).toBe(1200 / 40);
    expect(pt.callers).toEqual([expect.objectContaining({ name: 'do_fault', acquisitions: 200 })]);
    expect(rows[1]).toMatchObject({ name: 'pagemap_lru_lock', instances: 1, utilPercent: 50 });
    expect(lockRows(locks, true)).toHaveLength(3);
  });

  it('sorts by any column and filters by name or class', () => {
    const rows = lockRows(locks, true);
    expect(sortRows(rows, 'utilPercent', true).map((r) => r.utilPercent)).toEqual([50, 30, 10]);
    expect(sortRows(rows, 'name', false)[0].name).toBe('mm->page_table_lock[cpu0]');
    expect(filterRows(rows, 'CPU1').map((r) => r.name)).toEqual(['mm->page_table_lock[cpu1]']);
    expect(filterRows(rows, 'page_table').length).toBe(2);
  });
});

describe('the start form', () => {
  const preset = PRESETS.find((p) => p.name === 'lockbench-8')!;
  const fields = configFields(resolveWorkload(preset.workload) as unknown as Record<string, unknown>);
  const field = (path: string) => fields.find((f) => f.path === path)!;

  it('offers every leaf of the resolved config by the path --set takes, typed by its value', () => {
    expect(fields.map((f) => f.path)).toEqual(expect.arrayContaining(['cpusPerNode', 'lock', 'durationNs', 'costs.lineRemoteNs', 'thinkNs']));
    expect(fields.some((f) => f.path === 'kind')).toBe(false);
    expect(field('cpusPerNode').input).toBe('number');
    expect(field('lock').input).toBe('text');
    expect(field('thinkNs').input).toBe('json');
  });

  it('uses the schema for choices and descriptions when the server publishes it', () => {
    const schema = { properties: { lock: { description: 'spinlock kind', anyOf: [{ const: 'ticket' }, { const: 'tas' }] } } };
    const withSchema = configFields({ kind: 'lockbench', lock: 'ticket' }, schema);
    expect(withSchema).toEqual([{ path: 'lock', value: 'ticket', input: 'choice', choices: ['ticket', 'tas'], description: 'spinlock kind' }]);
  });

  it('types typed values and sweep lists as the field does', () => {
    expect(parseValue(field('cpusPerNode'), '16')).toBe(16);
    expect(parseList(field('cpusPerNode'), '1, 2,4')).toEqual([1, 2, 4]);
    expect(parseList(field('lock'), 'ticket, tas')).toEqual(['ticket', 'tas']);
    expect(parseList(field('thinkNs'), '{"dist":"exp","mean":1000}, {"dist":"fixed","value":5}')).toEqual([{ dist: 'exp', mean: 1000 }, { dist: 'fixed', value: 5 }]);
  });
});

describe('metrics, sweeps and compare', () => {
  const report = { locks: [lock('zone.lru_lock[0]', 'zone.lru_lock', { conPercent: 12.5 }), lock('zone.lru_lock[1]', 'zone.lru_lock')], workload: { kind: 'x', operations: 7, latency: { p99: 3 } } };

  it('reads report paths as the API does, lock names with dots included', () => {
    for (const path of ['locks.zone.lru_lock[0].conPercent', 'locks.zone.lru_lock[1].acquisitions', 'workload.operations', 'workload.latency.p99', 'workload.nothing', 'locks.none.conPercent']) {
      expect(metricValue(report, path)).toBe(serverMetricValue(report, path));
    }
    expect(metricValue(report, 'locks.zone.lru_lock[0].conPercent')).toBe(12.5);
  });

  it('places each run on the chart: x from one parameter, the series from the others', () => {
    const rows = [
      { id: 'a', status: 'succeeded', seed: 1, params: { cpus: 2, lock: 'tas', replicate: 0 }, values: { m: 10 } },
      { id: 'b', status: 'succeeded', seed: 2, params: { cpus: 2, lock: 'tas', replicate: 1 }, values: { m: 14 } },
      { id: 'c', status: 'failed', seed: 1, params: { cpus: 4, lock: 'tas', replicate: 0 }, values: { m: null } },
    ];
    expect(plotPoints(rows, 'm', 'cpus', ['cpus', 'lock'])).toEqual({
      series: 'lock',
      points: [
        { x: 2, y: 10, series: 'tas' },
        { x: 2, y: 14, series: 'tas' },
      ],
    });
    expect(plotPoints(rows, 'm', 'lock', ['lock'])).toEqual({ points: [{ x: 'tas', y: 10 }, { x: 'tas', y: 14 }] });
    const three = [{ id: 'a', status: 'succeeded', seed: 1, params: { cpus: 2, lock: 'tas', nodes: 4 }, values: { m: 1 } }];
    expect(plotPoints(three, 'm', 'cpus', ['cpus', 'lock', 'nodes'])).toEqual({ series: 'lock, nodes', points: [{ x: 2, y: 1, series: 'lock=tas nodes=4' }] });
  });

  it('compares groups against a baseline with the shared statistics, by metric, and as the text numasim compare prints', () => {
    const groups = [
      { key: 'old', params: {}, values: { ops: [100, 110, 105], lat: [5] } },
      { key: 'new', params: {}, values: { ops: [121, 125, 123], lat: [] } },
    ];
    const cells = compareCells(groups, ['ops', 'lat'], 'old');
    expect([...cells.keys()]).toEqual(['ops', 'lat']);
    const [old, neu] = cells.get('ops')!;
    expect(old).toMatchObject({ key: 'old', n: 3, mean: 105, baseline: true, changePercent: null });
    expect(neu.changePercent).toBeCloseTo(((123 - 105) / 105) * 100, 9);
    expect(neu.significant).toBe(true);
    expect(cells.get('lat')![1]).toMatchObject({ n: 0, changePercent: null, significant: false });
    const text = compareText(cells);
    expect(text).toContain('baseline');
    expect(text).toMatch(/\n {2}new +3 +123\.00 ± 2\.00 .*\+17\.14% \*/);
  });
});
