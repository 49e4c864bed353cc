/**
 * Queue mode end to end, with a real Redis and real processes: a control plane and `numasim
 * worker` processes sharing a queue. Skipped, with the reason printed, when no Redis answers on
 * NUMASIM_TEST_REDIS_URL (default redis://127.0.0.1:6379); CI starts one, so there it runs.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { getPreset, resolveWorkload, type Report } from '@numasim/shared';
import { runWorkload } from '@numasim/node-sim';
import { RunGate, startFleetWorker } from '@numasim/worker';
import { body, spawnControlPlane, tempDbPath, waitFor } from './helpers.js';

const redisUrl = process.env.NUMASIM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const cli = fileURLToPath(new URL('../../cli/bin/numasim.js', import.meta.url));

async function redisAnswers(): Promise<string | undefined> {
  const r = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    r.disconnect();
  }
}
const noRedis = await redisAnswers();
if (noRedis) console.warn(`queue-mode tests skipped: no Redis at ${redisUrl} (${noRedis})`);

const procs: ChildProcess[] = [];
const queues: string[] = [];
afterEach(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  procs.length = 0;
});
afterAll(async () => {
  if (noRedis) return;
  for (const name of queues) {
    for (const q of [name, `${name}-sweeps`]) {
      const queue = new Queue(q, { connection: { url: redisUrl } });
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
    }
  }
});

function env(queue: string, extra: Record<string, string> = {}) {
  return { ...process.env, NUMASIM_REDIS_URL: redisUrl, NUMASIM_QUEUE: queue, NUMASIM_QUEUE_LOCK_MS: '1500', NUMASIM_QUEUE_BACKOFF_MS: '100', ...extra };
}

async function controlPlane(queue: string, dbPath: string) {
  const { NUMASIM_REDIS_URL, NUMASIM_QUEUE, NUMASIM_QUEUE_LOCK_MS, NUMASIM_QUEUE_BACKOFF_MS } = env(queue);
  const started = await spawnControlPlane({ NUMASIM_REDIS_URL, NUMASIM_QUEUE, NUMASIM_QUEUE_LOCK_MS, NUMASIM_QUEUE_BACKOFF_MS, NUMASIM_DB_PATH: dbPath } as Record<string, string>);
  procs.push(started.proc);
  return started;
}

function worker(queue: string, extra: Record<string, string> = {}) {
  const proc = spawn(process.execPath, [cli, 'worker', '--concurrency', '1'], { env: env(queue, extra), stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  return new Promise<ChildProcess>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"msg":"worker ready"')) resolve(proc);
    });
    proc.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
}

const newQueue = () => {
  const q = `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  queues.push(q);
  return q;
};

/** The report without wall-clock figures and without the origin the service adds (the engine's own report has none). */
const stable = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallSeconds: 0, eventsPerSecond: 0 }, origin: undefined });

async function submitSweep(base: string, durationNs: number) {
  const r = await fetch(`${base}/v1/sweeps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ base: { preset: 'lockbench-8', set: { durationNs } }, grid: { cpusPerNode: [1, 2, 4, 8], lock: ['ticket', 'tas'] } }),
  });
  expect(r.status).toBe(202);
  return (await body(r)).id as string;
}

const sweepDone = (base: string, id: string, timeoutMs = 90_000) =>
  waitFor(async () => {
    const s = await body(fetch(`${base}/v1/sweeps/${id}`));
    return s.status === 'succeeded' ? s : undefined;
  }, timeoutMs, 200);

describe.skipIf(noRedis !== undefined)('queue mode', { timeout: 120_000 }, () => {
  it('spreads a sweep over two workers, with reports equal to embedded runs', async () => {
    const q = newQueue();
    const cp = await controlPlane(q, tempDbPath());
    const { base } = cp;
    const workerProcs = await Promise.all([worker(q), worker(q)]);
    const id = await submitSweep(base, 200_000_000);
    const sweep = await sweepDone(base, id);
    const workers = new Set<string>();
    for (const child of sweep.children) {
      const view = await body(fetch(`${base}/v1/runs/${child.id}`));
      const done = view.transitions.find((t: { status: string }) => t.status === 'succeeded');
      workers.add(done.detail.match(/on worker (\S+),/)[1]);
      const report = (await body(fetch(`${base}/v1/runs/${child.id}/report`))) as Report;
      const embedded = runWorkload(resolveWorkload(getPreset('lockbench-8').workload, ['durationNs=200000000', `cpusPerNode=${child.params.cpusPerNode}`, `lock=${child.params.lock}`]));
      expect(stable(report)).toBe(stable(embedded));
    }
    expect(workers.size).toBe(2);
    // Reports live in the store, not in Redis.
    const redis = new Redis(redisUrl);
    expect(await redis.keys(`numasim:${q}:result:*`)).toEqual([]);
    redis.disconnect();
    // Both kinds of process stop cleanly on SIGTERM, leaving no connection open behind them.
    const exits = [...workerProcs, cp.proc].map((p) => new Promise<number | null>((r) => p.once('exit', (code) => r(code))));
    for (const p of [...workerProcs, cp.proc]) p.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0, 0]);
  });

  it('finishes every run when a worker is killed mid-run', async () => {
    const q = newQueue();
    const { base } = await controlPlane(q, tempDbPath());
    const [w1] = await Promise.all([worker(q), worker(q)]);
    const id = await submitSweep(base, 1_500_000_000);
    await waitFor(async () => ((await body(fetch(`${base}/v1/sweeps/${id}`))).counts.running >= 2 ? true : undefined), 30_000, 50);
    w1.kill('SIGKILL');
    const sweep = await sweepDone(base, id);
    expect(sweep.counts).toEqual({ succeeded: 8 });
    let requeued = 0;
    for (const child of sweep.children) {
      const statuses = (await body(fetch(`${base}/v1/runs/${child.id}`))).transitions.map((t: { status: string }) => t.status);
      if (statuses.join(' ').includes('running queued')) requeued++;
    }
    expect(requeued).toBeGreaterThanOrEqual(1);
  });

  it('streams a queue-mode run over SSE and cancels a running one on its worker', async () => {
    const q = newQueue();
    const { base } = await controlPlane(q, tempDbPath());
    // A worker in this process, whose runs stop at 100 simulated ms until released: the run to
    // cancel is certainly still running, however fast the engine is.
    const gate = new RunGate(100_000_000);
    const { NUMASIM_QUEUE_LOCK_MS, NUMASIM_QUEUE_BACKOFF_MS } = env(q);
    const w = await startFleetWorker({ redisUrl, queueName: q, attempts: 5, backoffMs: Number(NUMASIM_QUEUE_BACKOFF_MS), lockMs: Number(NUMASIM_QUEUE_LOCK_MS), concurrency: 1, workerHeapMb: 1024, workerNice: 0, workerIdle: false, maxEvents: 1e10, runTimeoutMs: 120_000, gate });
    try {
      const submit = async (durationNs: number) =>
        (await body(fetch(`${base}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ preset: 'lockbench-8', set: { durationNs } }) }))).id as string;
      const shortId = await submit(50_000_000); // ends before the gate
      const text = await (await fetch(`${base}/v1/runs/${shortId}/events`)).text();
      const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
      expect(events).toContain('status');
      expect(events.at(-1)).toBe('end');
      expect(text).toMatch(/"status":"succeeded"/);
      const heldId = await submit(1_000_000_000);
      await waitFor(async () => ((await body(fetch(`${base}/v1/runs/${heldId}`))).progress.simulatedNs >= 100_000_000 ? true : undefined), 30_000, 50);
      const streamed = fetch(`${base}/v1/runs/${heldId}/events`).then((r) => r.text());
      expect((await fetch(`${base}/v1/runs/${heldId}/cancel`, { method: 'POST' })).status).toBe(202);
      expect((await body(fetch(`${base}/v1/runs/${heldId}`))).status).toBe('cancelled');
      const heldEvents = await streamed;
      expect(heldEvents).toMatch(/"unit":"simulated-ns"/);
      expect(heldEvents).toMatch(/event: end\ndata: \{"id":"[^"]+","status":"cancelled"\}/);
      // The worker aborted it and is free again: the next run succeeds promptly.
      const next = await submit(1_000_000);
      const view = await waitFor(async () => {
        const v = await body(fetch(`${base}/v1/runs/${next}`));
        return v.finished ? v : undefined;
      }, 20_000, 50);
      expect(view.status).toBe('succeeded');
    } finally {
      gate.release();
      await w.close();
    }
  });

  it('creates one job for a duplicate submission with the same idempotency key', async () => {
    const q = newQueue();
    const { base } = await controlPlane(q, tempDbPath());
    const send = () =>
      fetch(`${base}/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'same-key' },
        body: JSON.stringify({ preset: 'lockbench-8', set: { durationNs: 1_000_000 } }),
      });
    const a = await body(send());
    const b = await body(send());
    expect(b.id).toBe(a.id);
    const queue = new Queue(q, { connection: { url: redisUrl } });
    const jobs = await waitFor(async () => {
      const js = await queue.getJobs(['waiting', 'active', 'completed', 'delayed', 'prioritized']);
      return js.length > 0 ? js : undefined;
    });
    expect(jobs.map((j) => j.id)).toEqual([a.id]);
    await queue.close();
  });

  it('does not retry a run that fails for its own reasons (an event budget found too small while running)', async () => {
    const q = newQueue();
    const { base } = await controlPlane(q, tempDbPath());
    await worker(q, { NUMASIM_MAX_EVENTS: '1000' });
    const r = await body(fetch(`${base}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ preset: 'lockbench-8', set: { durationNs: 50_000_000 } }) }));
    const view = await waitFor(async () => {
      const v = await body(fetch(`${base}/v1/runs/${r.id}`));
      return v.finished ? v : undefined;
    }, 30_000, 100);
    expect(view.status).toBe('failed');
    expect(view.error.code).toBe('NUMASIM_ERR_RUN_LIMIT_EXCEEDED');
    expect(view.transitions.filter((t: { status: string }) => t.status === 'running')).toHaveLength(1);
  });

  it('completes a sweep when the control plane is killed and restarted mid-sweep', async () => {
    const q = newQueue();
    const db = tempDbPath();
    const first = await controlPlane(q, db);
    await Promise.all([worker(q), worker(q)]);
    const id = await submitSweep(first.base, 800_000_000);
    await waitFor(async () => ((await body(fetch(`${first.base}/v1/sweeps/${id}`))).counts.succeeded >= 1 ? true : undefined), 30_000, 50);
    first.proc.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500)); // the workers carry on meanwhile
    const second = await controlPlane(q, db);
    const sweep = await sweepDone(second.base, id);
    expect(sweep.counts).toEqual({ succeeded: 8 });
    for (const child of sweep.children) expect((await fetch(`${second.base}/v1/runs/${child.id}/report`)).status).toBe(200);
  });
});
