#!/usr/bin/env node
// `npm run bench:model:compare -- A B` (or `node services/node-sim/bench/model-compare.mjs A B`): the
// memory model's speed in two built checkouts side by side, in one sitting. Runs each case
// alternately A, B, A, B … (`--rounds N`, default 5), every run in a fresh process on the inline
// placement, and prints each checkout's median model events/s and the ratio B/A. Alternating and
// medians keep the comparison fair on a machine whose load changes while it runs.
//   node services/node-sim/bench/model-compare.mjs /path/to/old /path/to/new --rounds 5 [--case NAME]
import { spawnSync } from 'node:child_process';
import { resolve, join } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const rounds = Number(opt('--rounds', '5'));
const only = opt('--case', undefined);
if (args.length !== 2 || !(rounds >= 1)) {
  console.error('usage: model-compare.mjs <checkout A> <checkout B> [--rounds N] [--case NAME]');
  process.exit(2);
}
const trees = args.map((a) => resolve(a));
const cases = [
  ['kernbench-1s', 'numaq-16-kernbench, 1 simulated s', 'numaq-16-kernbench', ['durationNs=1000000000']],
  ['kernbench-8s', 'numaq-16-kernbench, 8 simulated s', 'numaq-16-kernbench', ['durationNs=8000000000']],
  ['kernbench-build', 'numaq-16-kernbench, the whole build', 'numaq-16-kernbench', []],
  ['page-fault', 'numaq-16-page-fault, 1 simulated s', 'numaq-16-page-fault', ['durationNs=1000000000']],
].filter(([key]) => only === undefined || only.split(',').includes(key));

// One run in a fresh process: the model is built and run by the checkout's own node-sim (the
// inline path of `numasim run`), timed by the process's CPU time over building and running the
// model (user + system, every thread: the compiler's and the collector's too), and by the
// engine's own wall-clock events/s (the run without the build, as `npm run bench:model` prints).
// CPU time is what a loaded machine disturbs least: another process takes wall time from a run,
// not CPU time.
function runOnce(tree, preset, sets) {
  const code = `const { getPreset, resolveWorkload } = await import(${JSON.stringify(join(tree, 'shared/dist/index.js'))});
const { runWorkload } = await import(${JSON.stringify(join(tree, 'services/node-sim/dist/index.js'))});
const cfg = resolveWorkload(getPreset(${JSON.stringify(preset)}).workload, ${JSON.stringify([...sets, 'placement=inline'])});
const c0 = process.cpuUsage();
const r = runWorkload(cfg);
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ events: r.engine.events, wall: r.engine.wallSeconds, cpu: (c.user + c.system) / 1e6 }));`;
  const p = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`${tree}: ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split('\n').at(-1));
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(`A = ${trees[0]}\nB = ${trees[1]}\n${rounds} rounds, alternating A/B, inline; M events per CPU second of build and run (per wall second of the run: the engine's events/s), medians\n`);
console.log('workload                                  events   A M ev/cpu-s (wall)   B M ev/cpu-s (wall)   B/A cpu (wall)');
const f = (x) => (x / 1e6).toFixed(3);
for (const [, name, preset, sets] of cases) {
  const runs = [[], []];
  let events;
  for (let r = 0; r < rounds; r++) {
    // Alternate which checkout goes first so neither always follows the other.
    for (const t of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const m = runOnce(trees[t], preset, sets);
      if (events !== undefined && m.events !== events) throw new Error(`${name}: the checkouts handle different event counts (${events}, ${m.events}): not the same model`);
      events = m.events;
      runs[t].push(m);
    }
  }
  const cpu = runs.map((rs) => median(rs.map((m) => events / m.cpu)));
  const wall = runs.map((rs) => median(rs.map((m) => events / m.wall)));
  console.log(`${name.padEnd(38)} ${String(events).padStart(9)} ${f(cpu[0]).padStart(10)} (${f(wall[0])}) ${f(cpu[1]).padStart(12)} (${f(wall[1])}) ${(cpu[1] / cpu[0]).toFixed(3).padStart(9)} (${(wall[1] / wall[0]).toFixed(3)})`);
  for (const t of [0, 1]) console.log(`    ${'AB'[t]} cpu s: ${runs[t].map((m) => m.cpu.toFixed(2)).join(' ')}   run wall s: ${runs[t].map((m) => m.wall.toFixed(2)).join(' ')}`);
}
