#!/usr/bin/env node
// `npm run bench:model`: the memory model's speed. Runs workloads for 1 simulated second each,
// and numaq-16-kernbench's whole build, every one in a fresh process so its peak RSS is its own,
// and prints model events/s, simulated time per wall time, and peak RSS. An argument keeps only the cases whose name contains it
// (`npm run bench:model -- modern`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../../cli/bin/numasim.js');
const cases = [
  ['numaq-16-kernbench, 1 simulated s', ['numaq-16-kernbench', '--set', 'durationNs=1000000000']],
  ['numaq-16-kernbench, the whole build', ['numaq-16-kernbench']],
  ['numaq-64-kernbench, 1 simulated s', ['numaq-64-kernbench', '--set', 'durationNs=1000000000']],
  ['numaq-16-mem-pressure, 1 simulated s', ['numaq-16-mem-pressure', '--set', 'durationNs=1000000000']],
  ['numaq-16-page-fault', ['numaq-16-page-fault', '--set', 'durationNs=1000000000']],
  ['numaq-16-page-fault, lru=2.5-zone', ['numaq-16-page-fault', '--set', 'durationNs=1000000000', '--set', 'lru=2.5-zone']],
  ['page-fault on numaq-64 (16 M frames)', ['numaq-16-page-fault', '--set', 'machine=numaq-64', '--set', 'nodes=16', '--set', 'memPerNodeMiB=4096', '--set', 'durationNs=1000000000']],
  ['modern-2s-kbuild (224 CPUs), 1 simulated s', ['modern-2s-kbuild', '--set', 'durationNs=1000000000', '--set', 'placement=inline']],
  ['modern-2s-kbuild (224 CPUs), the whole build', ['modern-2s-kbuild', '--set', 'placement=inline']],
  ['modern-2s-page-fault1 (112 CPUs), 1 simulated s', ['modern-2s-page-fault1', '--set', 'durationNs=1000000000', '--set', 'placement=inline']],
].filter(([name]) => process.argv[2] === undefined || name.includes(process.argv[2]));
console.log('workload                                   events    events/s   sim s / wall s   peak RSS');
for (const [name, args] of cases) {
  // The child reports its own peak RSS (process.resourceUsage().maxRSS) after the run.
  const code = `const { main } = await import(${JSON.stringify(cli.replace(/bin\/numasim\.js$/, 'dist/main.js'))});
let out = ''; await main(['run', ...${JSON.stringify(args)}, '--json'], { stdout: (t) => (out += t), stderr: (t) => process.stderr.write(t), stderrStream: process.stderr });
const r = JSON.parse(out); console.log(JSON.stringify({ events: r.engine.events, eps: r.engine.eventsPerSecond, sim: r.run.simulatedNs / 1e9, wall: r.engine.wallSeconds, rssKb: process.resourceUsage().maxRSS }));`;
  const p = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  if (p.status !== 0) {
    console.error(p.stderr);
    process.exit(1);
  }
  const m = JSON.parse(p.stdout.trim().split('\n').at(-1));
  console.log(`${name.padEnd(40)} ${String(m.events).padStart(9)} ${(m.eps / 1e6).toFixed(2).padStart(8)} M ${(m.sim / m.wall).toFixed(2).padStart(12)} ${(m.rssKb / 1024).toFixed(0).padStart(8)} MB`);
}
