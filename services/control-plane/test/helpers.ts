/** A control plane on a temporary database, with the engine's real worker pool. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, loadConfig, type BuiltApp, type Config, type TestHooks } from '@numasim/control-plane';
import { RunGate } from '@numasim/worker';

export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'numasim-cp-')), 'numasim.sqlite');
}

export async function makeApp(overrides: Partial<Config> = {}, hooks: TestHooks = {}): Promise<BuiltApp> {
  const config = { ...loadConfig({}), dbPath: tempDbPath(), concurrency: 2, logLevel: 'silent', shutdownGraceMs: 0, maxEventLoopDelayMs: 0, ...overrides };
  const built = await buildApp(config, false, hooks);
  await built.app.ready();
  return built;
}

export async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until a run has finished and returns its view. */
export async function finished(built: BuiltApp, id: string, timeoutMs = 30_000) {
  return waitFor(async () => {
    const r = await built.app.inject({ method: 'GET', url: `/v1/runs/${id}` });
    const body = r.json();
    return body.finished ? body : undefined;
  }, timeoutMs);
}

export const small = { kind: 'lockbench', nodes: 2, cpusPerNode: 2, durationNs: 5_000_000, seed: 3 };
/** Held at GATE_NS by a RunGate(GATE_NS), this run is certainly still running whatever the machine's speed. */
export const held = { kind: 'lockbench', nodes: 1, cpusPerNode: 8, durationNs: 200_000_000, seed: 1 };
export const GATE_NS = 100_000_000;

/** An app whose runs stop at GATE_NS until the test releases the gate. */
export async function makeGatedApp(overrides: Partial<Config> = {}): Promise<{ b: BuiltApp; gate: RunGate }> {
  const gate = new RunGate(GATE_NS);
  return { b: await makeApp(overrides, { gate }), gate };
}

/** Waits until run `id` is held at the gate, and returns its view there. */
export async function heldAtGate(built: BuiltApp, id: string) {
  return waitFor(async () => {
    const v = (await built.app.inject({ method: 'GET', url: `/v1/runs/${id}` })).json();
    return v.status === 'running' && v.progress.simulatedNs >= GATE_NS ? v : undefined;
  });
}

/** A response's JSON body, loosely typed: tests assert on its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function body(r: Response | Promise<Response>): Promise<any> {
  return (await r).json();
}

const serverJs = fileURLToPath(new URL('../dist/server.js', import.meta.url));

/**
 * `npm start`'s server in a child process, on a free port, with `env` over this process's
 * environment. Resolves with its base URL once it listens.
 */
export async function spawnControlPlane(env: Record<string, string>): Promise<{ proc: ChildProcess; base: string }> {
  const proc = spawn(process.execPath, [serverJs], { env: { ...process.env, NUMASIM_PORT: '0', NUMASIM_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`the control plane exited with ${code}: ${out}`)));
  });
  return { proc, base };
}
