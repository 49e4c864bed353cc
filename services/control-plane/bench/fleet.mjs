#!/usr/bin/env node
// `npm run bench:fleet`: queue mode on this machine. A 16-run sweep through BullMQ with one and
// with two `numasim worker` processes (one thread each): runs/minute and the speed-up; then the
// per-run overhead of queue mode against the embedded mode, from small runs submitted one at a
// time. Needs Redis (NUMASIM_REDIS_URL, default redis://127.0.0.1:6379). Loopback only.
import { spawn } from 'node:child_process';
import { join, dirname } from 'node:path';
import { startService } from './service.mjs';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';

const here = dirname(fileURLToPath(import.meta.url));
const redisUrl = process.env.NUMASIM_REDIS_URL ?? 'redis://127.0.0.1:6379';
const procs = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start(args, env) {
  const p = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(p);
  return p;
}

async function controlPlane(env) {
  const started = await startService(env);
  procs.push(started.p);
  return started;
}

async function worker(queue) {
  const p = start([join(here, '../../cli/bin/numasim.js'), 'worker', '--concurrency', '1'], { NUMASIM_REDIS_URL: redisUrl, NUMASIM_QUEUE: queue });
  await new Promise((resolve) => {
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      if (out.includes('"msg":"worker ready"')) resolve();
    });
  });
  return p;
}

const json = async (url, init) => (await fetch(url, init)).json();
const stopAll = async () => {
  for (const p of procs.splice(0)) {
    if (p.exitCode === null) {
      p.kill('SIGTERM');
      await new Promise((r) => p.once('exit', r));
    }
  }
};

async function sweep(workers) {
  const queue = `bench-${process.pid}-${workers}`;
  const { base } = await controlPlane({ NUMASIM_REDIS_URL: redisUrl, NUMASIM_QUEUE: queue });
  for (let i = 0; i < workers; i++) await worker(queue);
  const body = { base: { preset: 'lockbench-8', set: { durationNs: 1_000_000_000 } }, grid: { seed: Array.from({ length: 16 }, (_, i) => i + 1) } };
  const t0 = performance.now();
  const s = await json(`${base}/v1/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  for (;;) {
    const v = await json(`${base}/v1/sweeps/${s.id}`);
    if (v.status === 'succeeded') break;
    if (v.status === 'failed' || v.status === 'partial') throw new Error(`sweep ${v.status}`);
    await sleep(50);
  }
  const seconds = (performance.now() - t0) / 1000;
  await stopAll();
  await obliterate(queue);
  return seconds;
}

async function oneByOne(env, n) {
  const { base } = await controlPlane(env);
  if (env.NUMASIM_QUEUE) await worker(env.NUMASIM_QUEUE);
  const times = [];
  for (let i = 0; i < n + 2; i++) {
    const t0 = performance.now();
    const r = await json(`${base}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ preset: 'lockbench-8', set: { durationNs: 1_000_000, seed: i + 1 } }) });
    for (;;) {
      const v = await json(`${base}/v1/runs/${r.id}`);
      if (v.finished) break;
      await sleep(2);
    }
    if (i >= 2) times.push(performance.now() - t0); // the first two warm the threads up
  }
  await stopAll();
  if (env.NUMASIM_QUEUE) await obliterate(env.NUMASIM_QUEUE);
  return times.reduce((a, b) => a + b, 0) / times.length;
}

async function obliterate(name) {
  for (const q of [name, `${name}-sweeps`]) {
    const queue = new Queue(q, { connection: { url: redisUrl } });
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
}

try {
  console.log('16-run sweep (lockbench-8, 1 simulated s each), queue mode:');
  const one = await sweep(1);
  console.log(`  1 worker:  ${one.toFixed(2)} s = ${((16 / one) * 60).toFixed(1)} runs/minute`);
  const two = await sweep(2);
  console.log(`  2 workers: ${two.toFixed(2)} s = ${((16 / two) * 60).toFixed(1)} runs/minute`);
  console.log(`  speed-up: ${(one / two).toFixed(2)}× (target ≥ 1.7×)`);
  const n = 30;
  const embedded = await oneByOne({}, n);
  const queued = await oneByOne({ NUMASIM_REDIS_URL: redisUrl, NUMASIM_QUEUE: `bench-${process.pid}-latency` }, n);
  console.log(`small runs one at a time (${n} each): embedded ${embedded.toFixed(1)} ms, queue mode ${queued.toFixed(1)} ms per run`);
  console.log(`  queue-mode overhead: ${(queued - embedded).toFixed(1)} ms per run (target ≤ 50 ms)`);
} finally {
  await stopAll();
}
