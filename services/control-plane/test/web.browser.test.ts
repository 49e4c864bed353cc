/**
 * The web page in real headless Chromium against a listening control plane: the run list, a run
 * started from the form and followed live to its end, its lock table, a sweep started from the
 * form and its chart, and the compare page. Screenshots go to test-artifacts/web/ (git-ignored).
 * Waits are on the page's own signals (data-status, data-chart, data-loaded); timeouts only bound a hang.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { BuiltApp } from '@numasim/control-plane';
import type { RunGate } from '@numasim/worker';
import { body, finished, GATE_NS, makeGatedApp, small } from './helpers.js';

const CHROMIUM = process.env.NUMASIM_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`web page browser tests skipped: no Chromium at ${CHROMIUM} (install Debian's chromium, or set NUMASIM_CHROMIUM)`);

const artifacts = fileURLToPath(new URL('../../../test-artifacts/web/', import.meta.url));
const HANG = 120_000;

describe.skipIf(!haveChromium)('the web page in headless Chromium', () => {
  let b: BuiltApp;
  let gate: RunGate;
  let base: string;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });
  const post = (url: string, payload: unknown) => body(fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }));

  beforeAll(async () => {
    // The page is built here too, so the test checks the current source even without `npm run build`.
    const { buildWeb } = (await import(fileURLToPath(new URL('../web/build.mjs', import.meta.url)))) as { buildWeb(o: { quiet: boolean }): Promise<unknown> };
    await buildWeb({ quiet: true });
    mkdirSync(artifacts, { recursive: true });
    // Runs that reach GATE_NS (simulated) wait there until the test releases the gate.
    ({ b, gate } = await makeGatedApp());
    base = await b.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(HANG);
  }, HANG);
  afterAll(async () => {
    await browser?.close();
    await b?.shutdown();
  });

  it('lists the runs at /', async () => {
    const { id } = await post('/v1/runs', { workload: small });
    await finished(b, id);
    await page.goto(`${base}/`);
    await page.locator('main[data-loaded="runs"]').waitFor();
    await expect(page.locator(`#runs-table tr[data-run="${id}"]`).textContent()).resolves.toContain('succeeded');
    await shot('runs');
  }, HANG);

  it('starts a run from a preset, follows it live to its end and shows its lock table', async () => {
    await page.goto(`${base}/#/new?preset=lockbench-spread`);
    await page.locator('#start-form').waitFor();
    await shot('start-form');
    // 200 simulated ms: the run is held at the gate halfway until the test lets it go.
    await page.fill('[name="v:durationNs"]', String(2 * GATE_NS));
    await page.fill('#label', 'spread, 200 ms');
    await page.click('#start');
    await page.waitForURL(/#\/runs\/run_/);
    const id = page.url().split('/').at(-1)!;
    await page.locator('#run-status[data-status="running"]').waitFor();
    await page.locator('#live figure[data-chart="ready"]').waitFor();
    // Evaluated in the page (a string: this file is type-checked without the DOM's types).
    await page.waitForFunction(`Number(document.querySelector('#run-live-state progress')?.getAttribute('value')) >= 0.5`);
    await shot('run-live');
    gate.release();
    // Same page, no reload: the status comes over the run's event stream.
    await page.locator('#run-status[data-status="succeeded"]').waitFor();
    await page.locator('#run-body[data-ready="true"]').waitFor();
    await expect(page.locator('#run-live-state').getAttribute('data-seen')).resolves.toMatch(/^(queued )?running succeeded$/);
    // What the run came from: the preset, the one field changed as an override, the label.
    const facts = await page.locator('dl.facts').first().textContent();
    expect(facts).toContain('lockbench-spread');
    expect(facts).toContain('durationNs=200000000');
    expect(facts).toContain('spread, 200 ms');
    await shot('run');

    const report = await body(fetch(`${base}/v1/runs/${id}/report`));
    const bench = report.locks.filter((l: { class: string }) => l.class === 'bench_lock');
    const rows = await page.locator('#locks tbody tr').allTextContents();
    const classRow = rows.find((r) => r.startsWith('bench_lock'))!;
    expect(classRow).toBeDefined();
    const total = bench.reduce((a: number, l: { attempts: number }) => a + l.attempts, 0);
    expect(classRow).toContain(new Intl.NumberFormat('en-US').format(total));
    // Per instance, then filtered: one row per lock, then only the ones named.
    await page.check('#lock-instances');
    await expect(page.locator('#locks').getAttribute('data-rows')).resolves.toBe(String(report.locks.length));
    await page.fill('#lock-filter', 'bench_lock[1]');
    await expect(page.locator('#locks tbody tr').allTextContents()).resolves.toEqual([expect.stringMatching(/^bench_lock\[1\]/)]);
    // Sorting by a column orders the rows by it.
    await page.fill('#lock-filter', '');
    await page.getByRole('button', { name: /^CON %/ }).click();
    await expect(page.locator('#locks th[aria-sort="descending"]').textContent()).resolves.toMatch(/^CON %/);
    const con = (await page.locator('#locks tbody tr td:nth-child(4)').allTextContents()).map(Number);
    expect(con).toEqual([...con].sort((a, b) => b - a));
    // Callers under each lock, as lockmeter lists them: the class's callers, merged across instances.
    await page.uncheck('#lock-instances');
    await page.check('#lock-callers');
    const callerNames = new Set(bench.flatMap((l: { callers: { name: string }[] }) => l.callers.map((c) => c.name)));
    expect(callerNames.size).toBeGreaterThan(0);
    await expect(page.locator('#locks tr.caller').count()).resolves.toBe(callerNames.size);
    await page.locator('#locks').screenshot({ path: `${artifacts}lock-table-callers.png` });
    // The downloads are the report's formats.
    const hrefs = await page.locator('.downloads a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(expect.arrayContaining([`/v1/runs/${id}/report?format=json`, `/v1/runs/${id}/report?format=text`, `/v1/runs/${id}/report?format=csv`]));
    await expect(page.locator('figure.chart[data-chart="ready"]').count()).resolves.toBeGreaterThan(0);

    // The list filtered by the label finds this run alone.
    await page.goto(`${base}/`);
    await page.locator('main[data-shown=""]').waitFor();
    await page.fill('input[name="label"]', 'spread, 200 ms');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator(`main[data-shown="#/?${new URLSearchParams({ label: 'spread, 200 ms' })}"]`).waitFor();
    const listed = await page.locator('#runs-table tbody tr').allTextContents();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toContain(id);
  }, HANG);

  it('shows a memory workload\'s zones and numastat as the report has them', async () => {
    const { id } = await post('/v1/runs', { workload: { kind: 'page-fault', nodes: 2, cpusPerNode: 2, memPerNodeMiB: 64, layout: 'x86_64', durationNs: 50_000_000 } });
    await finished(b, id);
    const report = await body(fetch(`${base}/v1/runs/${id}/report`));
    await page.goto(`${base}/#/runs/${id}`);
    await page.locator('#run-body[data-ready="true"]').waitFor();
    const numastat = await page.locator('#numastat tbody tr').allTextContents();
    expect(numastat).toHaveLength(report.memory.numastat.length);
    expect(await page.locator('#numastat tbody tr:first-child td:nth-child(2)').textContent()).toBe(new Intl.NumberFormat('en-US').format(report.memory.numastat[0].numaHit));
    await expect(page.locator('#zones tbody tr').count()).resolves.toBe(report.memory.zones.length);
    // Five samples (10 ms apart): lock utilisation, contention and free pages per zone over time.
    await page.locator('figure.chart[data-chart="ready"] >> nth=2').waitFor();
    await shot('run-memory');
  }, HANG);

  it('starts a sweep from the form and charts a metric against a parameter', async () => {
    await page.goto(`${base}/#/new?preset=lockbench-8`);
    await page.locator('#start-form').waitFor();
    await page.check('input[name="mode"][value="sweep"]');
    await page.fill('[name="v:durationNs"]', '5000000');
    await page.fill('[name="g:cpusPerNode"]', '2, 4, 8');
    await page.fill('[name="g:lock"]', 'ticket, tas');
    await page.fill('#replicates', '2');
    await page.fill('#label', 'ticket vs tas');
    await page.click('#start');
    await page.waitForURL(/#\/sweeps\/swp_/);
    const id = page.url().split('/').at(-1)!;
    await page.locator('#sweep-status[data-status="succeeded"]').waitFor();
    await page.locator('#sweep-chart figure[data-chart="ready"]').waitFor();
    await shot('sweep');
    // Any metric: picking another one redraws the chart for it.
    await page.selectOption('#metric', 'locks.bench_lock.waitMeanNs');
    await page.locator('#sweep-chart figure[data-chart="ready"][data-metric="locks.bench_lock.waitMeanNs"]').waitFor();
    await shot('sweep-wait');
    const sweep = await body(fetch(`${base}/v1/sweeps/${id}`));
    expect(sweep.children).toHaveLength(12);
    // The shared builder's chart: one series per lock kind, named in the legend.
    const svgText = await page.locator('#sweep-chart svg').textContent();
    for (const word of ['cpusPerNode', 'lock', 'ticket', 'tas']) expect(svgText).toContain(word);

    await page.goto(`${base}/#/compare?sweep=${id}`);
    await page.locator('main[data-loaded="compare"]').waitFor();
    const heads = await page.locator('#compare thead th').allTextContents();
    // One column per grid point (3 × 2), its replicates summarised.
    expect(heads).toEqual(['Metric', 'cpusPerNode=2 lock=ticket', 'cpusPerNode=2 lock=tas', 'cpusPerNode=4 lock=ticket', 'cpusPerNode=4 lock=tas', 'cpusPerNode=8 lock=ticket', 'cpusPerNode=8 lock=tas']);
    await shot('compare');

    // The list now holds every run of the session, the sweep's among them, linked to their sweep.
    await page.goto(`${base}/`);
    await page.locator('main[data-loaded="runs"]').waitFor();
    await expect(page.locator(`#runs-table a[href="#/sweeps/${id}"]`).count()).resolves.toBe(12);
    await expect(page.locator('table.sweeps tbody').textContent()).resolves.toContain('ticket vs tas');
    await shot('runs-all');
    // Filters: by preset (the sweep's runs came from lockbench-8), then by label.
    await page.selectOption('select[name="preset"]', 'lockbench-8');
    await page.locator('main[data-shown="#/?preset=lockbench-8"]').waitFor();
    await expect(page.locator('#runs-table tbody tr').count()).resolves.toBe(12);

    // Two runs ticked on the list, compared: one column each, the first the baseline.
    await page.goto(`${base}/#/?preset=lockbench-8`);
    await page.locator('main[data-shown="#/?preset=lockbench-8"]').waitFor();
    const boxes = page.locator('#runs-table tbody input[type="checkbox"]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole('button', { name: 'Compare selected runs' }).click();
    await page.locator('main[data-shown^="#/compare?runs="]').waitFor();
    const picked = new URL(page.url().replace('#/compare?', 'compare?')).searchParams.get('runs')!.split(',');
    expect(picked).toHaveLength(2);
    await expect(page.locator('#compare thead th').allTextContents()).resolves.toEqual(['Metric', ...picked]);
    const ops = await page.locator('#compare tbody tr', { hasText: 'workload.operationsPerSecond' }).locator('td').allTextContents();
    const reports = await Promise.all(picked.map((r) => body(fetch(`${base}/v1/runs/${r}/report`))));
    expect(ops[0]).toBe(new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(reports[0].workload.operationsPerSecond));
    const csv = await page.locator('a', { hasText: 'CSV per run' }).getAttribute('href');
    const res = await fetch(`${base}${csv}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    await expect(page.locator('#compare-text').textContent()).resolves.toContain('workload.operationsPerSecond');
    await shot('compare-runs');
  }, HANG);
});
