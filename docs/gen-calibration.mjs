#!/usr/bin/env node
// `npm run docs:calibration`: runs numaq-16-kernbench (the preset as it stands) on seeds 1–5 and
// writes the calibration tables of docs/CALIBRATION.md into its marked blocks:
// `<!-- calibration:seeds -->` … `<!-- /calibration -->` — every seed's pagemap_lru_lock,
// pagecache_lock and kmap_lock figures and build time, the targets of the published row with the
// mean and range over the seeds, and a verdict per target; `<!-- calibration:sensitivity -->` …
// `<!-- /calibration -->` — seed 1 with each fitted parameter moved (SENSITIVITY below), which shows
// how far re-fitting them goes. The figures in those blocks come from here only; nothing in them
// is typed by hand.
//
//   node docs/gen-calibration.mjs [--seeds 1-5] [--set k=v …] [--no-sensitivity] [--print] [--root DIR]
//
// --print writes the block to stdout and leaves the file alone (use it with --set to look at a
// variant: such a table is not the calibration and must not be pasted in). Each run is a whole
// build, some 10–30 s of wall time on a loaded 2-core machine.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { getPreset, resolveWorkload } from '@numasim/shared';
import { runWorkload } from '@numasim/node-sim';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1-5' },
    set: { type: 'string', multiple: true, default: [] },
    print: { type: 'boolean', default: false },
    'no-sensitivity': { type: 'boolean', default: false },
    root: { type: 'string' },
  },
});
const root = opts.root ?? join(here, '..');
const PRESET = 'numaq-16-kernbench';

function seedList(spec) {
  const m = /^(\d+)-(\d+)$/.exec(spec);
  if (m) return Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, k) => Number(m[1]) + k);
  return spec.split(',').map(Number);
}

/**
 * The published row (docs/SOURCES.md#calibration-row): Martin Bligh's make -j32 bzImage, 2.4.18
 * with NUMA-local allocation on a 16-way NUMA-Q, lockmeter of 8 March 2002, and the five runs'
 * spread where it was posted. Bands (issue #18): CON, UTIL and %CPU inside the spread or within
 * 20%; hold and wait means within 30%; the build time within 20% (our own band: it has no spread).
 */
const TARGETS = [
  { key: 'lruUtil', label: 'pagemap_lru_lock UTIL', pub: 20.2, within: 0.2, unit: '%' },
  { key: 'lruCon', label: 'pagemap_lru_lock CON', pub: 57.1, spread: [51.6, 59.2], within: 0.2, unit: '%' },
  { key: 'lruHold', label: 'pagemap_lru_lock HOLD mean', pub: 5.4, within: 0.3, unit: ' µs' },
  { key: 'lruWait', label: 'pagemap_lru_lock WAIT mean', pub: 111, within: 0.3, unit: ' µs' },
  { key: 'lruCpu', label: 'pagemap_lru_lock WAIT %CPU', pub: 14.7, spread: [10.0, 15.2], within: 0.2, unit: '%' },
  { key: 'pcUtil', label: 'pagecache_lock UTIL', pub: 17.5, within: 0.2, unit: '%' },
  { key: 'pcCon', label: 'pagecache_lock CON', pub: 31.3, within: 0.2, unit: '%' },
  { key: 'build', label: 'build time', pub: 27, within: 0.2, unit: ' s' },
];

function lock(r, name) {
  const l = r.locks.find((x) => x.name === name);
  if (!l) throw new Error(`${PRESET}: no lock ${name} in the report`);
  return l;
}

function figures(r) {
  const lru = lock(r, 'pagemap_lru_lock');
  const pc = lock(r, 'pagecache_lock');
  const km = r.locks.find((x) => x.name === 'kmap_lock');
  const t = r.workload.time;
  return {
    lruUtil: lru.utilPercent,
    lruCon: lru.conPercent,
    lruHold: lru.holdMeanNs / 1000,
    lruHoldMax: lru.holdMaxNs / 1000,
    lruWait: lru.waitMeanNs / 1000,
    lruWaitMax: lru.waitMaxNs / 1e6,
    lruCpu: lru.waitCpuPercent,
    pcUtil: pc.utilPercent,
    pcCon: pc.conPercent,
    pcHold: pc.holdMeanNs / 1000,
    kmUtil: km ? km.utilPercent : 0,
    kmCon: km ? km.conPercent : 0,
    kmHold: km ? km.holdMeanNs / 1000 : 0,
    kmCpu: km ? km.waitCpuPercent : 0,
    build: t.elapsedNs / 1e9,
    user: t.userNs / 1e9,
    system: t.systemNs / 1e9,
  };
}

const f1 = (v) => v.toFixed(1);
const f2 = (v) => v.toFixed(2);

function verdict(t, vals) {
  const lo = t.pub * (1 - t.within);
  const hi = t.pub * (1 + t.within);
  const inBand = (v) => (v >= lo && v <= hi) || (t.spread !== undefined && v >= t.spread[0] && v <= t.spread[1]);
  const met = vals.filter(inBand).length;
  const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
  const off = ((mean - t.pub) / t.pub) * 100;
  const how = `${off >= 0 ? '+' : '−'}${Math.abs(off).toFixed(0)}% on the mean`;
  if (met === vals.length) return `met on every seed (${how})`;
  if (met === 0) return `**not met** (${how}; band ${f1(lo)}–${f1(hi)}${t.unit.trim()}${t.spread ? `, spread ${t.spread[0]}–${t.spread[1]}` : ''})`;
  return `met on ${met} of ${vals.length} seeds (${how})`;
}

/** Seed 1 with the fitted parameters moved: cc1's user time, the remote latencies, both. */
const SENSITIVITY = [
  [],
  // cc1's user time, the parameter fitted to the build time, 12.5% lower; the job shape before it was
  // set from the pagecache_lock callers (4× the reads, half the file faults); the first calibration's
  // latencies (lmbench's PIII miss, 10:1).
  ['processes.2.cpuNs=420000000'],
  ['processes.0.fileFaults=40', 'processes.1.fileFaults=50', 'processes.1.readPages=1000', 'processes.2.fileFaults=250', 'processes.3.fileFaults=40', 'processes.4.fileFaults=60'],
  ['costs.memLocalNs=180', 'costs.lineSameNodeNs=180', 'costs.memRemoteNs=1800', 'costs.lineRemoteNs=1800'],
  ['tasLocalBias=0.5'],
  // The schedulers of the 23-s kernel that most likely printed the row (docs/SOURCES.md#calibration-row).
  ['scheduler=o1'],
  ['scheduler=numa'],
];

const seeds = seedList(opts.seeds);
const rows = [];
for (const seed of seeds) {
  const started = Date.now();
  const cfg = resolveWorkload(getPreset(PRESET).workload, [`seed=${seed}`, ...opts.set]);
  const r = runWorkload(cfg);
  process.stderr.write(`${PRESET} seed ${seed}${opts.set.length ? ` ${opts.set.join(' ')}` : ''}: ${((Date.now() - started) / 1000).toFixed(1)} s wall\n`);
  rows.push({ seed, ...figures(r) });
}

const cmd = `npx numasim run ${PRESET} --seed N${opts.set.map((s) => ` --set ${s}`).join('')}`;
const out = [];
out.push(`Generated by \`npm run docs:calibration\` (docs/gen-calibration.mjs): \`${cmd}\`, seeds ${seeds.join(', ')}.`);
out.push('');
out.push('| seed | build | user / system | pagemap_lru_lock UTIL | CON | HOLD mean (max) | WAIT mean (max) | %CPU | pagecache_lock UTIL | CON | HOLD | kmap_lock UTIL | CON | HOLD | %CPU |');
out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
out.push('| published | ≈ 27 s | – | 20.2% | 57.1% | 5.4 µs (86 µs) | 111 µs (16 ms) | 14.7% | 17.5% | 31.3% | – | – | – | – | – |');
for (const r of rows) {
  out.push(
    `| ${r.seed} | ${f2(r.build)} s | ${f1(r.user)} / ${f1(r.system)} s | ${f1(r.lruUtil)}% | ${f1(r.lruCon)}% | ${f1(r.lruHold)} µs (${r.lruHoldMax.toFixed(0)} µs) | ` +
      `${r.lruWait.toFixed(0)} µs (${f1(r.lruWaitMax)} ms) | ${f1(r.lruCpu)}% | ${f1(r.pcUtil)}% | ${f1(r.pcCon)}% | ${f1(r.pcHold)} µs | ` +
      `${f1(r.kmUtil)}% | ${f1(r.kmCon)}% | ${f1(r.kmHold)} µs | ${f1(r.kmCpu)}% |`,
  );
}
out.push('');
out.push('| target | published | model: mean; range over the seeds | verdict |');
out.push('|---|---|---|---|');
for (const t of TARGETS) {
  const vals = rows.map((r) => r[t.key]);
  const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
  const band = t.spread ? `${t.pub}${t.unit} (spread ${t.spread[0]}–${t.spread[1]})` : `${t.pub}${t.unit}`;
  const within = `±${(t.within * 100).toFixed(0)}%`;
  out.push(`| ${t.label} (${within}${t.spread ? ' or the spread' : ''}) | ${band} | ${f1(mean)}${t.unit}; ${f1(Math.min(...vals))}–${f1(Math.max(...vals))}${t.unit} | ${verdict(t, vals)} |`);
}
const blocks = { seeds: out.join('\n') };

if (!opts['no-sensitivity']) {
  const sens = [];
  sens.push(`Generated by \`npm run docs:calibration\`: \`npx numasim run ${PRESET} --seed 1 --set …\`${opts.set.length ? ` with ${opts.set.join(' ')}` : ''}.`);
  sens.push('');
  sens.push('| `--set` | build | user / system | pagemap_lru_lock UTIL / CON / HOLD / %CPU | kmap_lock UTIL / CON / %CPU |');
  sens.push('|---|---|---|---|---|');
  for (const extra of SENSITIVITY) {
    const started = Date.now();
    const r = figures(runWorkload(resolveWorkload(getPreset(PRESET).workload, ['seed=1', ...opts.set, ...extra])));
    process.stderr.write(`${PRESET} seed 1 ${extra.join(' ')}: ${((Date.now() - started) / 1000).toFixed(1)} s wall\n`);
    const label = extra.length === 0 ? '(the preset)' : extra.map((e) => `\`${e}\``).join(' ');
    sens.push(
      `| ${label} | ${f1(r.build)} s | ${r.user.toFixed(0)} / ${r.system.toFixed(0)} s | ${f1(r.lruUtil)}% / ${f1(r.lruCon)}% / ${f1(r.lruHold)} µs / ${f1(r.lruCpu)}% | ` +
        `${f1(r.kmUtil)}% / ${f1(r.kmCon)}% / ${f1(r.kmCpu)}% |`,
    );
  }
  blocks.sensitivity = sens.join('\n');
}

if (opts.print) {
  for (const b of Object.values(blocks)) console.log(b + '\n');
} else {
  const file = join(root, 'docs/CALIBRATION.md');
  let text = readFileSync(file, 'utf8');
  for (const [name, block] of Object.entries(blocks)) {
    const open = `<!-- calibration:${name} -->`;
    const close = '<!-- /calibration -->';
    const a = text.indexOf(open);
    const b = text.indexOf(close, a);
    if (a < 0 || b < a) throw new Error(`docs/CALIBRATION.md has no ${open} … ${close} block`);
    text = text.slice(0, a + open.length) + '\n' + block + '\n' + text.slice(b);
  }
  writeFileSync(file, text);
  console.log(`docs/CALIBRATION.md: calibration blocks written (${Object.keys(blocks).join(', ')}; ${rows.length} seeds)`);
}
