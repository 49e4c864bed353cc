/** Through a real listening server: SSE, metrics (checked by promtool), auth, OpenAPI. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuiltApp } from '@numasim/control-plane';
import { loadConfig } from '@numasim/control-plane';
import { body, makeApp, small, waitFor } from './helpers.js';

async function readSse(url: string): Promise<{ event: string; data: unknown }[]> {
  const res = await fetch(url);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const text = await res.text(); // the server ends the stream after the final status
  return text
    .split('\n\n')
    .filter((b) => b.startsWith('event:'))
    .map((block) => {
      const [e, d] = block.split('\n');
      return { event: e.slice('event: '.length), data: JSON.parse(d.slice('data: '.length)) };
    });
}

describe('a listening server', () => {
  let b: BuiltApp;
  let base: string;
  beforeAll(async () => {
    b = await makeApp({ apiToken: 'sekret' });
    base = await b.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => b.shutdown());

  const submit = (payload: unknown, token = 'sekret') =>
    fetch(`${base}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(payload) });

  it('streams status and progress over SSE until the run ends', async () => {
    const { id } = await body(submit({ workload: { ...small, durationNs: 3_000_000_000, cpusPerNode: 4 } }));
    const events = await readSse(`${base}/v1/runs/${id}/events`);
    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe('status');
    expect(kinds.at(-1)).toBe('end');
    expect(kinds).toContain('progress');
    expect((events.at(-1)!.data as { status: string }).status).toBe('succeeded');
    const finalStatus = events.filter((e) => e.event === 'status').at(-1)!.data as { status: string };
    expect(finalStatus.status).toBe('succeeded');
    // A finished run's stream is its status and the end.
    const again = await readSse(`${base}/v1/runs/${id}/events`);
    expect(again.map((e) => e.event)).toEqual(['status', 'end']);
  });

  it('exports the simulated memory of a memory workload: free pages per zone, numastat, kswapd', async () => {
    const { id } = await body(submit({ workload: { kind: 'page-fault', nodes: 2, cpusPerNode: 2, memPerNodeMiB: 64, layout: 'x86_64', durationNs: 5_000_000 } }));
    await waitFor(async () => ((await body(fetch(`${base}/v1/runs/${id}`))).status === 'succeeded' ? true : undefined));
    const report = await body(fetch(`${base}/v1/runs/${id}/report`));
    const text = await (await fetch(`${base}/metrics`)).text();
    const line = (prefix: string) => text.split('\n').find((l) => l.startsWith(prefix) && l.includes(`run="${id}"`));
    const z = report.memory.zones.find((x: { node: number; zone: string }) => x.node === 1 && x.zone === 'Normal');
    expect(Number(line('numasim_zone_free_pages{')!.split(' ').at(-1))).toBeGreaterThan(0);
    expect(text).toContain(`numasim_zone_free_pages{run="${id}",node="1",zone="Normal"} ${z.freePages}`);
    expect(text).toContain(`numasim_numa_allocations_total{run="${id}",node="0",result="hit"} ${report.memory.numastat[0].numaHit}`);
    expect(line('numasim_kswapd_wakeups_total{')).toBeDefined();
  });

  it('exports the global kmap pool\'s flushes of a highmem workload, as the report counts them', async () => {
    const workload = { kind: 'file-read', machine: 'numaq-16', nodes: 2, cpusPerNode: 2, memPerNodeMiB: 1024, filePages: 2000, userNsPerRead: 20_000, durationNs: 5_000_000, kmap: 'global', pkmapEntries: 16 };
    const { id } = await body(submit({ workload }));
    await waitFor(async () => ((await body(fetch(`${base}/v1/runs/${id}`))).status === 'succeeded' ? true : undefined));
    const report = await body(fetch(`${base}/v1/runs/${id}/report`));
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(report.memory.kmap.globalFlushes).toBeGreaterThan(0);
    expect(text).toContain(`numasim_kmap_global_flushes_total{run="${id}"} ${report.memory.kmap.globalFlushes}`);
  });

  it('exports the task area of a pipe workload, as the report counts it', async () => {
    const workload = { kind: 'pipe', machine: 'numaq-16', pairs: 2, durationNs: 2_000_000, taskArea: 'per-task' };
    const { id } = await body(submit({ workload }));
    await waitFor(async () => ((await body(fetch(`${base}/v1/runs/${id}`))).status === 'succeeded' ? true : undefined));
    const report = await body(fetch(`${base}/v1/runs/${id}/report`));
    const text = await (await fetch(`${base}/metrics`)).text();
    const t = report.memory.taskArea;
    expect(t.wakeups).toBeGreaterThan(0);
    expect(text).toContain(`numasim_task_area_wakeups_total{run="${id}"} ${t.wakeups}`);
    expect(text).toContain(`numasim_task_area_current_accesses_total{run="${id}",locality="remote"} ${t.currentRemote}`);
    expect(text).toContain(`numasim_task_area_alias_accesses_total{run="${id}",locality="remote"} ${t.aliasRemote}`);
    expect(text).toContain(`numasim_task_area_pages_allocated_total{run="${id}",node="1",kind="stack"} ${t.perNode[1].stackPages}`);
  });

  it('exports simulated lock metrics that agree with the report', async () => {
    const { id } = await body(submit({ workload: small }));
    await waitFor(async () => ((await body(fetch(`${base}/v1/runs/${id}`))).status === 'succeeded' ? true : undefined));
    const report = await body(fetch(`${base}/v1/runs/${id}/report`));
    const text = await (await fetch(`${base}/metrics`)).text();
    const value = (name: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`run="${id}"`) && !l.includes('le='));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    };
    expect(value('numasim_lock_acquisitions_total')).toBe(report.locks[0].acquisitions);
    expect(value('numasim_lock_contentions_total')).toBe(report.locks[0].contentions);
    expect(value('numasim_lock_wait_seconds_count')).toBe(report.locks[0].acquisitions);
    expect(value('numasim_lock_hold_seconds_sum')).toBeCloseTo(report.locks[0].holdTotalNs / 1e9, 9);
    for (const m of ['numasim_http_request_duration_seconds', 'numasim_runs{', 'numasim_queue_depth', 'numasim_pool_utilization_ratio', 'numasim_engine_events_total', 'process_cpu_seconds_total']) {
      expect(text).toContain(m);
    }
  });

  it('exposes metrics that pass promtool check metrics as scraped, nothing filtered', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    // prom-client's gauges named like counters are exported under names that are not.
    expect(text).toMatch(/^nodejs_active_handles_all \d+$/m);
    expect(text).not.toMatch(/^# TYPE \S+_total gauge$/m);
    if (spawnSync('promtool', ['--version']).status !== 0) {
      console.warn('promtool is not installed: the exposition was not checked by promtool');
      return;
    }
    const file = join(tmpdir(), `numasim-metrics-${process.pid}.txt`);
    writeFileSync(file, text);
    const check = spawnSync('sh', ['-c', `promtool check metrics < ${file}`], { encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('needs the bearer token for mutating endpoints only', async () => {
    const r = await submit({ workload: small }, 'wrong');
    expect(r.status).toBe(401);
    expect((await body(r)).code).toBe('NUMASIM_ERR_API_UNAUTHORIZED');
    expect((await fetch(`${base}/v1/runs`)).status).toBe(200);
  });

  it('serves health, readiness and the OpenAPI document', async () => {
    expect(await body(fetch(`${base}/healthz`))).toEqual({ status: 'ok' });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const doc = (await body(fetch(`${base}/docs/json`))) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/runs', '/v1/runs/{id}', '/v1/sweeps', '/v1/sweeps/{id}/plot.svg', '/metrics']));
    expect((await fetch(`${base}/docs`, { redirect: 'manual' })).status).toBeLessThan(400);
  });

  it('documents every workload kind\'s fields, with defaults and descriptions, in the OpenAPI document', async () => {
    const doc = await body(fetch(`${base}/docs/json`));
    const presets = await body(fetch(`${base}/v1/presets`));
    const kinds = [...new Set(presets.presets.map((p: { config: { kind: string } }) => p.config.kind))] as string[];
    expect(kinds.length).toBeGreaterThanOrEqual(7);
    const runBody = doc.paths['/v1/runs'].post.requestBody.content['application/json'].schema;
    const sweepBody = doc.paths['/v1/sweeps'].post.requestBody.content['application/json'].schema;
    for (const workload of [runBody.properties.workload, sweepBody.properties.base.properties.workload]) {
      expect(workload.discriminator.propertyName).toBe('kind');
      expect(workload.oneOf.map((o: { $ref: string }) => o.$ref).sort()).toEqual(kinds.map((k) => `#/components/schemas/Workload.${k}`).sort());
    }
    for (const kind of kinds) {
      const schema = doc.components.schemas[`Workload.${kind}`];
      expect(schema.properties.kind.const).toBe(kind);
      expect(schema.required).toContain('kind');
      // Fields with a default may be left out, and every field says what it is.
      expect(schema.required).not.toContain('seed');
      expect(schema.properties.seed.default).toBe(1);
      for (const [name, field] of Object.entries(schema.properties as Record<string, { description?: string; const?: string }>)) {
        if (name !== 'kind') expect(field.description, `${kind}.${name}`).toMatch(/\w/);
      }
    }
    expect(doc.components.schemas['Workload.lockbench'].properties.lock).toMatchObject({ default: 'ticket', description: expect.stringContaining('FIFO') });
    expect(runBody.properties.label.maxLength).toBe(200);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/compare', '/v1/sweeps/{id}/compare']));
  });
});

describe('configuration', () => {
  it('names the variable with a bad value', () => {
    expect(() => loadConfig({ NUMASIM_PORT: 'eighty' })).toThrow(/NUMASIM_PORT must be a whole number from 0 to 65535 \(got "eighty"\)/);
    expect(() => loadConfig({ NUMASIM_LOG_LEVEL: 'loud' })).toThrow(/NUMASIM_LOG_LEVEL must be one of/);
    expect(() => loadConfig({ NUMASIM_CONCURRENCY: '0' })).toThrow(/NUMASIM_CONCURRENCY/);
    expect(loadConfig({}).port).toBe(8080);
    expect(loadConfig({}).dbPath).toBe('./data/numasim.sqlite');
  });
});
