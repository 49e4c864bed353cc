/**
 * deploy/prometheus checked offline with promtool (config, rules, alert unit tests), and end to
 * end: Debian's real Prometheus scrapes a running control plane every second while a lockbench
 * runs, and its HTTP API returns the run's lock wait histogram with as many observations as the
 * report has acquisitions. Skipped, with the reason printed, where the binaries are missing
 * (.ci/run installs them).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, loadConfig, type BuiltApp } from '@numasim/control-plane';

const dir = fileURLToPath(new URL('../prometheus/', import.meta.url));
const has = (bin: string) => spawnSync(bin, ['--version']).status === 0;
const missing = ['promtool', 'prometheus'].filter((b) => !has(b));
if (missing.length > 0) console.warn(`deploy/prometheus tests skipped: ${missing.join(' and ')} not installed (apt-get install prometheus)`);

const promtool = (...args: string[]) => spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(missing.length > 0)('deploy/prometheus', { timeout: 90_000 }, () => {
  it('passes promtool check config, check rules and the alert unit tests', () => {
    for (const r of [promtool('check', 'config', 'prometheus.yml'), promtool('check', 'rules', 'rules/recording.yml', 'rules/alerts.yml'), spawnSync('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: join(dir, 'rules'), encoding: 'utf8' })]) {
      expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
      expect(r.status).toBe(0);
    }
  });

  let app: BuiltApp | undefined;
  let prom: ChildProcess | undefined;
  afterAll(async () => {
    prom?.kill('SIGKILL');
    await app?.shutdown();
  });

  it('a real Prometheus scrapes a run\'s lock metrics, and they match its report', async () => {
    const work = mkdtempSync(join(tmpdir(), 'numasim-prom-'));
    app = await buildApp({ ...loadConfig({}), dbPath: join(work, 'db.sqlite'), logLevel: 'silent', concurrency: 1 }, false);
    const target = await app.app.listen({ port: 0, host: '127.0.0.1' });
    const promPort = await freePort();
    writeFileSync(
      join(work, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: numasim\n    static_configs:\n      - targets: ['${new URL(target).host}']\n`,
    );
    prom = spawn('prometheus', [`--config.file=${join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${join(work, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
    const api = `http://127.0.0.1:${promPort}/api/v1`;
    const res = await fetch(`${target}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ preset: 'lockbench-numaq-tas', set: { durationNs: 200_000_000 } }) });
    const { id } = (await res.json()) as { id: string };
    let report: { locks: { acquisitions: number; class: string }[] } | undefined;
    for (let i = 0; i < 300 && !report; i++) {
      const v = (await (await fetch(`${target}/v1/runs/${id}`)).json()) as { status: string };
      if (v.status === 'succeeded') report = (await (await fetch(`${target}/v1/runs/${id}/report`)).json()) as typeof report;
      else await new Promise((r) => setTimeout(r, 100));
    }
    const acquisitions = report!.locks.reduce((s, l) => s + l.acquisitions, 0);
    let value: number | undefined;
    for (let i = 0; i < 60; i++) {
      try {
        const q = await fetch(`${api}/query?query=${encodeURIComponent(`sum(numasim_lock_wait_seconds_count{run="${id}"})`)}`);
        const body = (await q.json()) as { data?: { result: { value: [number, string] }[] } };
        const r = body.data?.result[0];
        if (r && Number(r.value[1]) === acquisitions) {
          value = Number(r.value[1]);
          break;
        }
      } catch {
        // Prometheus still starting
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(value).toBe(acquisitions);
    expect(acquisitions).toBeGreaterThan(1000);
  });
});
