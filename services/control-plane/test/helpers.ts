/** A control plane on a temporary database, with the engine's real worker pool. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, loadConfig, type BuiltApp, type Config } from '@numasim/control-plane';

export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'numasim-cp-')), 'numasim.sqlite');
}

export async function makeApp(overrides: Partial<Config> = {}): Promise<BuiltApp> {
  const config = { ...loadConfig({}), dbPath: tempDbPath(), concurrency: 2, logLevel: 'silent', shutdownGraceMs: 0, ...overrides };
  const built = await buildApp(config, false);
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
/** Long enough to still be running when a test acts on it (about 10 s of wall time). */
export const long = { kind: 'lockbench', nodes: 1, cpusPerNode: 8, durationNs: 60_000_000_000, seed: 1 };

/** A response's JSON body, loosely typed: tests assert on its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function body(r: Response | Promise<Response>): Promise<any> {
  return (await r).json();
}
