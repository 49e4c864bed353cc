/**
 * A run's life in the service: it ends when its workload does, its progress measures the
 * workload's own end, a workload that cannot advance time is refused or stopped with a code, and
 * the lock counters exported to Prometheus equal the report's, embedded and in queue mode.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import type { Report } from '@numasim/shared';
import type { BuiltApp } from '@numasim/control-plane';
import { RunGate, startFleetWorker } from '@numasim/worker';
import { readFileSync } from 'node:fs';
import { STILL_TIME_EVENTS } from '@numasim/node-sim';
import { finished, makeApp, waitFor } from './helpers.js';

const redisUrl = process.env.NUMASIM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisAnswers(): Promise<boolean> {
  const r = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
const haveRedis = await redisAnswers();
if (!haveRedis) console.warn(`queue-mode lifecycle test skipped: no Redis at ${redisUrl}`);

const post = (b: BuiltApp, payload: object) => b.app.inject({ method: 'POST', url: '/v1/runs', payload });

/** Sum of a counter's samples for one run, from the /metrics text. */
async function counter(b: BuiltApp, name: string, runId: string): Promise<number> {
  const text = (await b.app.inject({ method: 'GET', url: '/metrics' })).body;
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) if (m[1].includes(`run="${runId}"`)) sum += Number(m[2]);
  return sum;
}

async function expectCountersEqualReport(b: BuiltApp, id: string) {
  const report = (await b.app.inject({ method: 'GET', url: `/v1/runs/${id}/report` })).json() as Report;
  const acquisitions = report.locks.reduce((s, l) => s + l.acquisitions, 0);
  const contentions = report.locks.reduce((s, l) => s + l.contentions, 0);
  expect(acquisitions).toBeGreaterThan(1000);
  expect(contentions).toBeGreaterThan(0);
  expect(await counter(b, 'numasim_lock_acquisitions_total', id)).toBe(acquisitions);
  expect(await counter(b, 'numasim_lock_contentions_total', id)).toBe(contentions);
}

// Long enough for many progress messages (each throttled, so most are dropped), short enough to be quick.
const busy = { preset: 'lockbench-numaq-ticket', set: { durationNs: 300_000_000 } };

describe('run lifecycle, embedded', () => {
  const apps: BuiltApp[] = [];
  const gates: RunGate[] = [];
  afterAll(async () => {
    for (const g of gates) g.release();
    for (const b of apps) await b.shutdown();
  });

  it('refuses a workload whose time cannot advance at submission, naming the fields', async () => {
    const b = await makeApp();
    apps.push(b);
    const r = await post(b, { preset: 'lockbench-8', set: { thinkNs: 0, holdNs: 0 } });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('NUMASIM_ERR_WORKLOAD_ZERO_TIME');
    expect(r.json().issues.map((i: { path: string }) => i.path)).toEqual(['thinkNs', 'holdNs', 'handoffNs']);
  });

  it('fails a run whose time stands still with its own code, and frees its thread', async () => {
    const b = await makeApp({ concurrency: 1 });
    apps.push(b);
    const stall = { kind: 'lockbench', nodes: 1, cpusPerNode: 1, thinkNs: 0, holdNs: 0, handoffNs: { sameCpu: 0, sameNode: 3, remote: 3 }, durationNs: 1_000_000 };
    const r = await post(b, { workload: stall });
    expect(r.statusCode).toBe(202);
    const view = await finished(b, r.json().id);
    expect(view.status).toBe('failed');
    expect(view.error.code).toBe('NUMASIM_ERR_RUN_TIME_STANDS_STILL');
    const next = await post(b, { workload: { ...stall, thinkNs: 100 } });
    expect((await finished(b, next.json().id)).status).toBe('succeeded');
  });

  it('shows numaq-16-kernbench past half its jobs while it runs, and done when it ends', async () => {
    // Two thirds of the build's 28.5 simulated seconds: past half of its jobs, far below its 120 s cap.
    const gate = new RunGate(20_000_000_000);
    gates.push(gate);
    const b = await makeApp({ concurrency: 1 }, { gate });
    apps.push(b);
    const { id } = (await post(b, { preset: 'numaq-16-kernbench' })).json();
    const mid = await waitFor(async () => {
      const v = (await b.app.inject({ method: 'GET', url: `/v1/runs/${id}` })).json();
      return v.status === 'running' && v.progress.simulatedNs >= 20_000_000_000 ? v : undefined;
    }, 120_000);
    expect(mid.progress.unit).toBe('jobs');
    expect(mid.progress.total).toBe(500);
    expect(mid.progress.fraction).toBeGreaterThan(0.5);
    expect(mid.progress.fraction).toBeLessThan(1);
    expect(mid.progress.fraction).toBe(Math.round((mid.progress.done / 500) * 10000) / 10000);
    expect(mid.progress.etaMs).not.toBeNull();
    gate.release();
    const end = await finished(b, id, 120_000);
    expect(end.status).toBe('succeeded');
    expect(end.progress).toMatchObject({ unit: 'jobs', done: 500, total: 500, fraction: 1, etaMs: null });
  }, 180_000);

  it('exports lock counters equal to the report\'s', async () => {
    const b = await makeApp({ concurrency: 1 });
    apps.push(b);
    const { id } = (await post(b, busy)).json();
    expect((await finished(b, id)).status).toBe('succeeded');
    await expectCountersEqualReport(b, id);
  });
});

describe.skipIf(!haveRedis)('run lifecycle, queue mode', () => {
  it('exports lock counters equal to the report\'s when the run went through the queue', async () => {
    const queueName = `test-lifecycle-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const b = await makeApp({ redisUrl, queueName, queueLockMs: 5000 });
    const worker = await startFleetWorker({ redisUrl, queueName, attempts: 1, backoffMs: 100, lockMs: 5000, concurrency: 1, workerHeapMb: 1024, workerNice: 0, workerIdle: false, maxEvents: 1e9, runTimeoutMs: 120_000 });
    try {
      const { id } = (await post(b, busy)).json();
      const view = await finished(b, id, 120_000);
      expect(view.status).toBe('succeeded');
      expect(view.progress.fraction).toBe(1);
      await expectCountersEqualReport(b, id);
    } finally {
      await worker.close();
      await b.shutdown();
      for (const q of [queueName, `${queueName}-sweeps`]) {
        const queue = new Queue(q, { connection: { url: redisUrl } });
        await queue.obliterate({ force: true }).catch(() => {});
        await queue.close();
      }
    }
  }, 180_000);
});

describe('docs/SERVICE.md on runs', () => {
  it('states the limits the code has', async () => {
    const doc = readFileSync(new URL('../../../docs/SERVICE.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const { STORE_PROGRESS_EVERY_MS } = await import('../dist/runs/lifecycle.js');
    expect(STILL_TIME_EVENTS).toBe(2_000_000);
    expect(doc).toContain('after two million events in a row at one simulated instant');
    expect(STORE_PROGRESS_EVERY_MS).toBe(1000);
    expect(doc).toContain('at most once a second per run');
  });
});
