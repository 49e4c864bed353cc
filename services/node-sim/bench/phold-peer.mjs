#!/usr/bin/env node
// `npm run bench:peer`: the same PHOLD in SimPy 3 and in numasim's engine on the same machine,
// in alternating pairs (numasim, SimPy, numasim, …), and the ratio of their event rates per pair:
// the two runs of a pair are back to back, so a change in the machine's load between pairs moves
// both. Options go to both, e.g.
//   npm run bench:peer -- --end 200
//   NUMASIM_PEER_PAIRS=5 npm run bench:peer     (pairs; 3 by default)
// SimPy comes from Debian: apt-get install python3-simpy3 (run by /usr/bin/python3).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const python = process.env.NUMASIM_PYTHON ?? '/usr/bin/python3';

const probe = spawnSync(python, ['-c', 'import simpy; print(simpy.__version__)'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.error(`SimPy is not importable by ${python}. Install it with:\n  apt-get update && apt-get install -y python3-simpy3`);
  process.exit(2);
}

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) {
    console.error(`${cmd} ${argv.join(' ')} failed:\n${r.stderr}`);
    process.exit(1);
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

const pairs = Math.max(1, Number(process.env.NUMASIM_PEER_PAIRS ?? 3));
console.log(`PHOLD ${args.join(' ') || '(reference parameters: 1024 LPs × 16, remote 0.25, lookahead 0.1 µs, mean 0.9 µs, end 1000 µs)'}, ${pairs} pairs`);
const ratios = [];
for (let k = 1; k <= pairs; k++) {
  const numasim = run(process.execPath, [join(here, '../../cli/bin/numasim.js'), 'bench', 'phold', '--json', ...args]);
  const simpy = run(python, [join(here, 'phold_simpy.py'), ...args]);
  const ratio = numasim.eventsPerSecond / simpy.eventsPerSecond;
  ratios.push(ratio);
  console.log(
    `pair ${k}: numasim ${(numasim.eventsPerSecond / 1e6).toFixed(3)} M events/s (${numasim.events} events), ` +
      `SimPy ${simpy.simpy} ${(simpy.eventsPerSecond / 1e6).toFixed(3)} M events/s (${simpy.events} events): ratio ${ratio.toFixed(1)}×`,
  );
  if (numasim.events !== simpy.events) console.log(`  note: the two handled different event counts (${numasim.events} vs ${simpy.events}); the runs are compared by rate`);
}
const sorted = [...ratios].sort((a, b) => a - b);
console.log(`ratio numasim / SimPy over ${pairs} pairs: min ${sorted[0].toFixed(1)}×, median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)}×, max ${sorted.at(-1).toFixed(1)}×`);
