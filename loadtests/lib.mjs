// Shared pieces of the load tests: starting the real service and the yardstick in child processes
// on loopback, running autocannon, and judging its results against thresholds.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
export const resultsDir = join(here, 'results');

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${url} did not become ready`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The numasim service on a fresh database, in a child process. */
export async function startService(env = {}, { probe = false } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'numasim-load-'));
  // With `probe`, the service also records its event-loop delay (probe-service.mjs) into probeOut.
  const probeOut = probe ? join(dir, 'probe.json') : undefined;
  const args = probe ? ['--import', pathToFileURL(join(here, 'probe-service.mjs')).href] : [];
  // Extra node options for the service (say --cpu-prof), space-separated; diagnostic.
  if (process.env.LOADTEST_SERVICE_NODE_ARGS) args.push(...process.env.LOADTEST_SERVICE_NODE_ARGS.split(' ').filter(Boolean));
  // LOADTEST_SERVICE: another build's server.js, to compare builds under the same load.
  const entry = process.env.LOADTEST_SERVICE ?? join(here, '../services/control-plane/dist/server.js');
  const proc = spawn(process.execPath, [...args, entry], {
    env: { ...process.env, NUMASIM_PORT: String(port), NUMASIM_DB_PATH: join(dir, 'numasim.sqlite'), NUMASIM_LOG_LEVEL: 'warn', NUMASIM_SHUTDOWN_GRACE_MS: '0', ...(probeOut ? { NUMASIM_PROBE_OUT: probeOut } : {}), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/readyz`);
  return { base, proc, probeOut, stop: () => stop(proc) };
}

/** A bare Fastify hello-world server: the yardstick the service's read rate is measured against. */
export async function startYardstick() {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(here, 'yardstick-server.mjs'), String(port)], { stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/`);
  return { base, proc, stop: () => stop(proc) };
}

function stop(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    proc.once('exit', (code) => resolve(code));
    proc.kill('SIGTERM');
  });
}

export async function json(url, init) {
  const r = await fetch(url, init);
  return { status: r.status, body: await r.json() };
}

export const post = (url, body) => json(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export async function waitFor(fn, timeoutMs = 60_000, everyMs = 100) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function cannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ timeout: 10, ...opts }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** The figures every scenario prints: rate, latency percentiles, errors, status codes. */
export function summarize(name, r) {
  const codes = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, v]) => [code, v.count]));
  return {
    name,
    requests: r.requests.total,
    reqPerSec: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p97_5: r.latency.p97_5, p99: r.latency.p99, max: r.latency.max },
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: codes,
  };
}

/** 5xx answers other than a deliberate 503 (overload, with Retry-After): failures. */
export function unexpected5xx(codes) {
  return Object.entries(codes).filter(([c]) => Number(c) >= 500 && c !== '503').reduce((n, [, v]) => n + v, 0);
}

/** A threshold. `timing` marks one that depends on this machine's speed (see run.mjs on smoke mode). */
export function check(results, label, ok, detail, timing = false) {
  results.checks.push({ check: label, ok: Boolean(ok), detail, timing });
}

export function saveResults(name, data) {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(resultsDir, `${name}-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/**
 * An open-loop generator at a fixed rate: request i is due at start + i/rate, whatever happened to
 * the others, and its latency counts from when it was due, not from when it was sent. So a stall
 * shows up in the tail instead of silently lowering the rate (coordinated omission). autocannon's
 * own rate limit sends each connection's quota for a second back to back at the top of the second,
 * which measures bursts rather than a steady rate; both figures are printed.
 *
 * With `warmupSeconds`, the stream first runs that long at the same rate over the same connections
 * and goes straight on into the measured `seconds`: the warm-up opens the connections and lets
 * both ends compile their hot code; its figures are returned apart (`warmup`), its errors too.
 */
export async function openLoop({ base, path, rate, seconds, warmupSeconds = 0, connections = 50, method = 'GET', body, trace = false }) {
  const { Agent, request } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const url = new URL(base);
  const warm = Math.round(rate * warmupSeconds);
  const total = warm + Math.round(rate * seconds);
  const stats = () => ({ latencies: [], codes: {}, errors: 0 });
  const measured = stats();
  const warming = stats();
  let sent = 0;
  const start = performance.now();
  const measuredFrom = start + (warm * 1000) / rate;
  // With `trace`, per request (warm-up included): when it was due (wall clock, ms), how late it
  // was sent (the generator's own lag) and its latency from the due time; a stall then shows who
  // stalled.
  const n = total;
  const dueWall = trace ? new Float64Array(n) : undefined;
  const sendLag = trace ? new Float64Array(n) : undefined;
  const latency = trace ? new Float64Array(n).fill(Number.NaN) : undefined;
  await new Promise((resolve) => {
    let done = 0;
    const finish = () => {
      if (++done === total) resolve();
    };
    const fire = (i, dueAt) => {
      const st = i < warm ? warming : measured;
      const j = i;
      if (trace) {
        dueWall[j] = performance.timeOrigin + dueAt;
        sendLag[j] = performance.now() - dueAt;
      }
      const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const req = request({ agent, host: url.hostname, port: url.port, path: typeof path === 'function' ? path() : path, method, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          const ms = performance.now() - dueAt;
          st.latencies.push(ms);
          if (trace) latency[j] = ms;
          st.codes[res.statusCode] = (st.codes[res.statusCode] ?? 0) + 1;
          finish();
        });
      });
      req.on('error', () => {
        st.errors++;
        finish();
      });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / rate <= now) {
        fire(sent, start + (sent * 1000) / rate);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const end = performance.now();
  agent.destroy();
  const figures = (st, count, ms) => {
    st.latencies.sort((a, b) => a - b);
    const q = (p) => (st.latencies.length === 0 ? 0 : Math.round(st.latencies[Math.min(st.latencies.length - 1, Math.floor(p * st.latencies.length))] * 10) / 10);
    return {
      requests: count,
      reqPerSec: Math.round(count / (ms / 1000)),
      latencyMs: { p50: q(0.5), p97_5: q(0.975), p99: q(0.99), max: q(1) },
      errors: st.errors,
      timeouts: 0,
      statusCodes: st.codes,
    };
  };
  return {
    ...figures(measured, total - warm, end - measuredFrom),
    ...(warm > 0 ? { warmup: figures(warming, warm, measuredFrom - start) } : {}),
    measuredFrom: performance.timeOrigin + measuredFrom,
    ...(trace ? { trace: { dueAt: Array.from(dueWall), sendLag: Array.from(sendLag), latency: Array.from(latency) } } : {}),
  };
}

/** `openLoop` on GET /v1/runs/:id for the given ids, in a worker thread of its own. */
export async function openLoopThread({ onThread, ...opts }) {
  const { Worker } = await import('node:worker_threads');
  const w = new Worker(new URL('./open-loop-worker.mjs', import.meta.url), { workerData: opts });
  return new Promise((resolve, reject) => {
    w.on('message', (m) => {
      if (m.thread !== undefined) return onThread?.(m.thread);
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}
