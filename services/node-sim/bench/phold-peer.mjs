#!/usr/bin/env node
// `npm run bench:peer`: the same PHOLD in SimPy 3 and in numasim's engine, one after the other on
// the same machine, and the ratio of their event rates. Options are passed to both, e.g.
//   npm run bench:peer -- --end 200
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

console.log(`PHOLD ${args.join(' ') || '(reference parameters: 1024 LPs × 16, remote 0.25, lookahead 0.1 µs, mean 0.9 µs, end 1000 µs)'}`);
const simpy = run(python, [join(here, 'phold_simpy.py'), ...args]);
console.log(`SimPy ${simpy.simpy} (timeout + callback): ${simpy.events} events in ${simpy.wallSeconds.toFixed(2)} s = ${(simpy.eventsPerSecond / 1e6).toFixed(3)} M events/s`);
const numasim = run(process.execPath, [join(here, '../../cli/bin/numasim.js'), 'bench', 'phold', '--json', ...args]);
console.log(`numasim engine:               ${numasim.events} events in ${numasim.wallSeconds.toFixed(2)} s = ${(numasim.eventsPerSecond / 1e6).toFixed(3)} M events/s`);
console.log(`ratio numasim / SimPy: ${(numasim.eventsPerSecond / simpy.eventsPerSecond).toFixed(1)}×`);
