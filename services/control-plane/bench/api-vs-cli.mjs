#!/usr/bin/env node
// `npm run bench:api [-- PRESET] [--rounds N] [--service-priority]`: the wall time of one preset
// (default numaq-16-kernbench) through the service, POST to `succeeded`, against `numasim run`,
// alternately, N times each (default 3). The service runs on a loopback port with a temporary
// store. Its simulation threads normally run at a lower priority than the HTTP thread (nice,
// SCHED_IDLE); here they get the CLI's priority, so the ratio measures the service's own overhead
// on a machine other work shares. --service-priority keeps the service's defaults.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startService } from './service.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const preset = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'numaq-16-kernbench';
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 3) || 3;
const priority = args.includes('--service-priority') ? {} : { NUMASIM_WORKER_IDLE: '0', NUMASIM_WORKER_NICE: '0' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const startApiService = () => startService({ NUMASIM_CONCURRENCY: '1', ...priority });

async function viaApi(base) {
  const t0 = performance.now();
  const r = await fetch(`${base}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ preset }) });
  const { id } = await r.json();
  for (;;) {
    const v = await (await fetch(`${base}/v1/runs/${id}`)).json();
    if (v.finished) {
      const ms = performance.now() - t0;
      if (v.status !== 'succeeded') throw new Error(`run ${id} ${v.status}: ${JSON.stringify(v.error)}`);
      const report = await (await fetch(`${base}/v1/runs/${id}/report`)).json();
      return { ms, engineMs: report.engine.wallSeconds * 1000 };
    }
    await sleep(20);
  }
}

function viaCli() {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(here, '../../cli/bin/numasim.js'), 'run', preset, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`numasim run exited with ${code}`));
      resolve({ ms: performance.now() - t0, engineMs: JSON.parse(out).engine.wallSeconds * 1000 });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => `${(x / 1000).toFixed(2)} s`;

const { p, base } = await startApiService();
const api = [];
const cli = [];
try {
  for (let i = 0; i < rounds; i++) {
    const a = await viaApi(base);
    api.push(a);
    console.log(`round ${i + 1}: API ${fmt(a.ms)} (engine ${fmt(a.engineMs)})`);
    const c = await viaCli();
    cli.push(c);
    console.log(`round ${i + 1}: CLI ${fmt(c.ms)} (engine ${fmt(c.engineMs)})`);
  }
} finally {
  p.kill('SIGTERM');
}
const apiMs = median(api.map((x) => x.ms));
const cliMs = median(cli.map((x) => x.ms));
console.log(`${preset}, ${rounds} rounds, medians: API ${fmt(apiMs)}, CLI ${fmt(cliMs)}; API/CLI = ${(apiMs / cliMs).toFixed(2)}`);
console.log(`  API wall time beyond its engine time (median): ${fmt(median(api.map((x) => x.ms - x.engineMs)))}; CLI: ${fmt(median(cli.map((x) => x.ms - x.engineMs)))}`);
