/**
 * Nothing accepted is lost: the service is killed (SIGKILL) or stopped (SIGTERM) while runs are
 * queued and running, started again on the same database, and every run ends `succeeded`, once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { body, spawnControlPlane, tempDbPath, waitFor } from './helpers.js';

const server = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const children: ChildProcess[] = [];

async function start(dbPath: string, env: Record<string, string> = {}): Promise<{ proc: ChildProcess; base: string }> {
  const started = await spawnControlPlane({ NUMASIM_DB_PATH: dbPath, NUMASIM_CONCURRENCY: '1', ...env });
  children.push(started.proc);
  return started;
}

const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (code) => r(code))));

afterEach(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  children.length = 0;
});

// Each run takes a second or two of wall time, so some are queued and one is running when the service dies.
const workload = (seed: number) => ({ workload: { kind: 'lockbench', nodes: 1, cpusPerNode: 4, durationNs: 400_000_000, seed } });

async function submitAll(base: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${base}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(workload(i + 1)) });
    expect(r.status).toBe(202);
    ids.push((await body(r)).id);
  }
  return ids;
}

async function statuses(base: string): Promise<Map<string, string>> {
  const list = await body(fetch(`${base}/v1/runs?limit=500`));
  return new Map(list.runs.map((r: { id: string; status: string }) => [r.id, r.status]));
}

describe('restart recovery', () => {
  it('SIGKILL mid-run: after a restart every accepted run succeeds, once', async () => {
    const db = tempDbPath();
    const first = await start(db);
    const ids = await submitAll(first.base, 4);
    await waitFor(async () => ([...(await statuses(first.base)).values()].includes('running') ? true : undefined));
    first.proc.kill('SIGKILL');
    await exited(first.proc);

    const second = await start(db);
    const all = await waitFor(async () => {
      const s = await statuses(second.base);
      return [...s.values()].every((v) => v === 'succeeded') ? s : undefined;
    }, 60_000, 200);
    expect([...all.keys()].sort()).toEqual([...ids].sort()); // no run lost, none duplicated
    const killed = await body(fetch(`${second.base}/v1/runs/${ids[0]}`));
    expect(killed.transitions.map((t: { status: string }) => t.status)).toEqual(['queued', 'running', 'queued', 'running', 'succeeded']);
    for (const id of ids) {
      const report = await body(fetch(`${second.base}/v1/runs/${id}/report`));
      expect(report.run.simulatedNs).toBe(400_000_000);
    }
    second.proc.kill('SIGTERM');
    expect(await exited(second.proc)).toBe(0);
  });

  it('SIGTERM: running runs are re-queued after the grace period and finish at the next start', async () => {
    const db = tempDbPath();
    const first = await start(db, { NUMASIM_SHUTDOWN_GRACE_MS: '0' });
    const ids = await submitAll(first.base, 2);
    await waitFor(async () => ([...(await statuses(first.base)).values()].includes('running') ? true : undefined));
    first.proc.kill('SIGTERM');
    expect(await exited(first.proc)).toBe(0);

    const second = await start(db);
    const all = await waitFor(async () => {
      const s = await statuses(second.base);
      return [...s.values()].every((v) => v === 'succeeded') ? s : undefined;
    }, 60_000, 200);
    expect(all.size).toBe(ids.length);
    second.proc.kill('SIGTERM');
    await exited(second.proc);
  });

  it('refuses to start on a database path it cannot write, naming the variable', async () => {
    // A path through a regular file: no folder can be made there (tests run as root, so a
    // read-only folder would not stop them).
    const file = join(mkdtempSync(join(tmpdir(), 'numasim-ro-')), 'not-a-dir');
    writeFileSync(file, '');
    const proc = spawn(process.execPath, [server], { env: { ...process.env, NUMASIM_DB_PATH: `${file}/db.sqlite`, NUMASIM_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(proc);
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exited(proc)).toBe(1);
    expect(err).toMatch(/^numasim: cannot start: NUMASIM_ERR_API_STORE_UNAVAILABLE: cannot open the run store at .*not-a-dir\/db\.sqlite \(NUMASIM_DB_PATH\): /);
  });
});
