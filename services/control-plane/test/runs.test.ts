import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset, resolveWorkload, renderLockmeterText, type Report } from '@numasim/shared';
import { runWorkload } from '@numasim/node-sim';
import type { BuiltApp } from '@numasim/control-plane';
import { finished, held, heldAtGate, makeApp, makeGatedApp, small } from './helpers.js';

const stable = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallSeconds: 0, eventsPerSecond: 0 } });

describe('runs API', () => {
  let b: BuiltApp;
  beforeAll(async () => {
    b = await makeApp();
  });
  afterAll(async () => b.shutdown());

  const post = (payload: unknown, headers: Record<string, string> = {}) => b.app.inject({ method: 'POST', url: '/v1/runs', payload: payload as object, headers });

  it('runs a preset to the end, and its report equals the CLI\'s', async () => {
    const res = await post({ preset: 'lockbench-numaq-ticket', set: { durationNs: 50_000_000 } });
    expect(res.statusCode).toBe(202);
    const { id, status, configHash, links } = res.json();
    expect(status).toBe('queued');
    expect(links.report).toBe(`/v1/runs/${id}/report`);
    const view = await finished(b, id);
    expect(view.status).toBe('succeeded');
    expect(view.transitions.map((t: { status: string }) => t.status)).toEqual(['queued', 'running', 'succeeded']);
    expect(view.progress.fraction).toBe(1);
    const { origin, ...report } = (await b.app.inject({ method: 'GET', url: `/v1/runs/${id}/report` })).json() as Report;
    const cli = runWorkload(resolveWorkload(getPreset('lockbench-numaq-ticket').workload, ['durationNs=50000000']));
    expect(stable(report)).toBe(stable(cli));
    // The engine's report plus where the run came from, added by the service.
    expect(origin).toEqual({ preset: 'lockbench-numaq-ticket', overrides: { durationNs: 50_000_000 }, label: null });
    expect(view.preset).toBe('lockbench-numaq-ticket');
    expect(view.overrides).toEqual({ durationNs: 50_000_000 });
    expect(report.run.configHash).toBe(configHash);
    const text = await b.app.inject({ method: 'GET', url: `/v1/runs/${id}/report?format=text` });
    expect(text.headers['content-type']).toMatch(/text\/plain/);
    expect(text.body).toBe(renderLockmeterText(report));
    const csv = await b.app.inject({ method: 'GET', url: `/v1/runs/${id}/report?format=csv` });
    expect(csv.body.split('\n')[0]).toMatch(/^lock,class,caller,/);
    const ts = (await b.app.inject({ method: 'GET', url: `/v1/runs/${id}/timeseries` })).json();
    expect(ts.intervalNs).toBe(10_000_000);
    expect(ts.tNs).toEqual([10, 20, 30, 40, 50].map((x) => x * 1_000_000));
    expect(ts.locks[0].acquisitions.reduce((x: number, y: number) => x + y, 0)).toBe(report.locks[0].acquisitions);
  });

  it('takes an inline workload with set overrides as a list', async () => {
    const res = await post({ workload: small, set: ['cpusPerNode=3'] });
    expect(res.statusCode).toBe(202);
    const view = await finished(b, res.json().id);
    expect(view.status).toBe('succeeded');
    const report = (await b.app.inject({ method: 'GET', url: `/v1/runs/${view.id}/report` })).json();
    expect(report.machine.cpus).toBe(6);
  });

  it('is idempotent with an Idempotency-Key, and refuses the key for another body', async () => {
    const a = await post({ workload: small }, { 'idempotency-key': 'k-1' });
    const again = await post({ workload: small }, { 'idempotency-key': 'k-1' });
    expect(a.statusCode).toBe(202);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(a.json().id);
    const other = await post({ workload: { ...small, seed: 4 } }, { 'idempotency-key': 'k-1' });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('NUMASIM_ERR_API_IDEMPOTENCY_MISMATCH');
    const list = (await b.app.inject({ method: 'GET', url: '/v1/runs?limit=500' })).json();
    expect(list.runs.filter((r: { id: string }) => r.id === a.json().id)).toHaveLength(1);
  });

  it('cancels a running run, and deletes only finished runs', async () => {
    const { b, gate } = await makeGatedApp();
    try {
      const { id } = (await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: held } })).json();
      await heldAtGate(b, id);
      const del = await b.app.inject({ method: 'DELETE', url: `/v1/runs/${id}` });
      expect(del.statusCode).toBe(409);
      const c = await b.app.inject({ method: 'POST', url: `/v1/runs/${id}/cancel` });
      expect(c.statusCode).toBe(202);
      const view = await finished(b, id);
      expect(view.status).toBe('cancelled'); // held at the gate: it cannot have ended
      expect(view.progress.simulatedNs).toBeLessThan(held.durationNs);
      expect((await b.app.inject({ method: 'POST', url: `/v1/runs/${id}/cancel` })).statusCode).toBe(409);
      expect((await b.app.inject({ method: 'GET', url: `/v1/runs/${id}/report` })).json().code).toBe('NUMASIM_ERR_API_RUN_STATE_CONFLICT');
      expect((await b.app.inject({ method: 'DELETE', url: `/v1/runs/${id}` })).statusCode).toBe(204);
      expect((await b.app.inject({ method: 'GET', url: `/v1/runs/${id}` })).statusCode).toBe(404);
    } finally {
      gate.release();
      await b.shutdown();
    }
  });

  it('lists runs newest first, page by page', async () => {
    for (let i = 0; i < 3; i++) await post({ workload: { ...small, seed: 100 + i } });
    const first = (await b.app.inject({ method: 'GET', url: '/v1/runs?limit=2' })).json();
    expect(first.runs).toHaveLength(2);
    expect(first.runs[0].seed).toBe(102);
    const second = (await b.app.inject({ method: 'GET', url: `/v1/runs?limit=2&cursor=${first.nextCursor}` })).json();
    expect(second.runs[0].seed).toBe(100);
    const bad = await b.app.inject({ method: 'GET', url: '/v1/runs?cursor=abc' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('NUMASIM_ERR_API_BODY_INVALID');
  });

  it('lists the presets with their resolved configs', async () => {
    const r = (await b.app.inject({ method: 'GET', url: '/v1/presets' })).json();
    expect(r.presets.find((p: { name: string }) => p.name === 'lockbench-8').config.cpusPerNode).toBe(8);
  });
});

describe('limits and back-pressure', () => {
  it('refuses a workload beyond the limits at submission, naming the field', async () => {
    const b = await makeApp({ maxDurationNs: 1_000_000_000, maxCpus: 8 });
    try {
      const r = await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: { ...small, durationNs: 2_000_000_000, cpusPerNode: 16 } } });
      expect(r.statusCode).toBe(400);
      const body = r.json();
      expect(body.code).toBe('NUMASIM_ERR_API_LIMIT_EXCEEDED');
      expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['cpusPerNode', 'durationNs']);
      expect((await b.app.inject({ method: 'GET', url: '/v1/runs' })).json().runs).toHaveLength(0);
    } finally {
      await b.shutdown();
    }
  });

  it('answers 429 with Retry-After when the queue is full', async () => {
    const { b, gate } = await makeGatedApp({ concurrency: 1, queueLimit: 1 });
    try {
      const a = await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: held } });
      await heldAtGate(b, a.json().id);
      const queued = await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: small } });
      expect(queued.statusCode).toBe(202);
      const full = await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: small } });
      expect(full.statusCode).toBe(429);
      expect(full.headers['retry-after']).toBe('5');
      expect(full.json().code).toBe('NUMASIM_ERR_API_QUEUE_FULL');
      await b.app.inject({ method: 'POST', url: `/v1/runs/${a.json().id}/cancel` });
      expect((await finished(b, queued.json().id)).status).toBe('succeeded'); // shorter than the gate's time: never held
    } finally {
      gate.release();
      await b.shutdown();
    }
  });

  it('fails a run that exceeds the event budget or the wall-clock limit, with a code', async () => {
    const b = await makeApp({ maxEvents: 10_000 });
    try {
      const events = await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: { ...small, durationNs: 100_000_000 } } });
      const e = await finished(b, events.json().id);
      expect(e.status).toBe('failed');
      expect(e.error.code).toBe('NUMASIM_ERR_RUN_LIMIT_EXCEEDED');
      const { b: b2, gate } = await makeGatedApp({ runTimeoutMs: 300 });
      try {
        // Held at the gate, the run cannot end before its wall-clock limit.
        const slow = await b2.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: held } });
        const t = await finished(b2, slow.json().id);
        expect(t.status).toBe('failed');
        expect(t.error.code).toBe('NUMASIM_ERR_RUN_TIMEOUT');
        expect((await b2.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      } finally {
        gate.release();
        await b2.shutdown();
      }
    } finally {
      await b.shutdown();
    }
  });
});
