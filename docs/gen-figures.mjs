#!/usr/bin/env node
// `npm run docs:figures`: writes the figures that README.md and docs/ quote into their marked
// blocks, `<!-- figures:NAME -->` … `<!-- /figures -->`, so that no figure is typed in by hand.
// Two kinds of block:
// - simulation: short deterministic runs made here (the same seed gives the same report, so the
//   same text) — the LSE questions and the workload examples;
// - timing: benchmark figures cannot be re-run by a test, so they live in
//   docs/figures/performance.json (each table with its command and date) and are rendered here.
//
//   node docs/gen-figures.mjs [--check] [--only simulation|timing] [--root DIR]
//
// --check writes nothing and exits 1 naming every block whose text differs from what it would
// write (docs/test/figures.test.ts runs it); --root reads and writes another copy of the tree.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { lockOf, num, pct, presetRunner } from './validation-kit.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: { check: { type: 'boolean', default: false }, only: { type: 'string' }, root: { type: 'string' } },
});
if (opts.only !== undefined && opts.only !== 'simulation' && opts.only !== 'timing') {
  console.error(`--only: "${opts.only}" is not one of simulation, timing`);
  process.exit(2);
}
const root = opts.root ?? join(here, '..');

// ---- simulation figures -------------------------------------------------------------------

/** Each run made once, however many blocks quote it; keyed by the command line it stands for. */
const runner = presetRunner();
const memo = new Map();
function run(preset, sets = []) {
  const key = [preset, ...sets].join(' ');
  if (!memo.has(key)) memo.set(key, runner.go(preset, sets));
  return memo.get(key);
}
const cmd = (preset, sets = []) => `numasim run ${preset}${sets.map((s) => ` --set ${s}`).join('')}`;
const ms = (ns) => `${(ns / 1e6).toFixed(1)} ms`;
const secs = (ns) => `${(ns / 1e9).toFixed(1)} simulated s`;
const times = (a, b) => `${(b / a).toFixed(1)}×`;
const latency = (ns) => (ns < 1e6 ? `${(ns / 1000).toFixed(0)} µs` : ms(ns));
/** A shell block of commands with their figures as comments, the comments aligned. */
function shell(lines) {
  const width = Math.max(...lines.map(([c]) => c.length));
  return ['```sh', ...lines.map(([c, figures]) => `npx ${c.padEnd(width)}  # ${figures}`), '```'].join('\n');
}

const SHORT = 'durationNs=100000000'; // 0.1 simulated s: seconds of wall time, the same answer's shape
const FORK_SHORT = 'durationNs=200000000';

function lruQuestion() {
  const g = run('numaq-16-page-fault', [SHORT]);
  const z = run('numaq-16-page-fault', [SHORT, 'lru=2.5-zone']);
  const gl = lockOf(g, 'pagemap_lru_lock');
  const zl = lockOf(z, 'zone->lru_lock');
  return {
    g,
    z,
    text:
      `global \`pagemap_lru_lock\`: CON ${pct(gl.con)}, ${num(g.workload.faultsPerSecond)} faults/s; ` +
      `per-zone \`zone->lru_lock\` (${zl.n} locks): CON ${pct(zl.con)}, ${num(z.workload.faultsPerSecond)} faults/s ` +
      `(${times(g.workload.faultsPerSecond, z.workload.faultsPerSecond)})`,
  };
}

function kmapQuestion() {
  const modes = ['global', 'per-mm', 'atomic'];
  const rows = modes.map((m) => ({ m, r: run('numaq-16-file-read', m === 'global' ? [SHORT] : [SHORT, `kmap=${m}`]) }));
  const kl = lockOf(rows[0].r, 'kmap_lock');
  return {
    rows,
    text:
      `global \`kmap_lock\` (CON ${pct(kl.con)}): ${num(rows[0].r.workload.readsPerSecond)} reads/s; ` +
      rows.slice(1).map(({ m, r }) => `${m}: ${num(r.workload.readsPerSecond)} reads/s`).join('; '),
  };
}

function pteQuestion() {
  const [low, high, ukva] = ['lowmem', 'highmem', 'ukva'].map((p) => run('numaq-32-shm-db', p === 'lowmem' ? [] : [`pte=${p}`]));
  const kmaps = (r) => r.memory.kmapAtomic;
  const w = (r) => r.workload;
  return {
    low,
    high,
    ukva,
    text:
      `page tables in lowmem: out of memory, ${num(w(low).attached)} of ${num(w(low).processes)} processes attached; ` +
      `pte-highmem: all attach in ${secs(w(high).completionNs)} with ${num(kmaps(high))} \`kmap_atomic\`s; ` +
      `UKVA: all attach in ${secs(w(ukva).completionNs)} with ${num(kmaps(ukva))}`,
  };
}

function textQuestion() {
  const fetch = (r) => r.memory.text.perNode.reduce((s, n) => s + n.fetchNs, 0);
  const n0 = run('numaq-16-fork-exit', [FORK_SHORT]);
  const rep = run('numaq-16-fork-exit', [FORK_SHORT, 'text=replicated']);
  const replicaKiB = rep.memory.text.perNode.reduce((s, n) => s + n.replicaPages * 4, 0);
  return {
    text:
      `kernel text fetch time, node 0's copy → a copy per node: ${ms(fetch(n0))} → ${ms(fetch(rep))} of CPU time; ` +
      `commands finished ${num(n0.workload.jobsCompleted)} → ${num(rep.workload.jobsCompleted)}; ` +
      `the copies take ${num(replicaKiB / 1024)} MiB`,
  };
}

function lseBlock() {
  const row = (q, a, c) => `| ${q} | ${a} | \`${c}\` |`;
  return [
    '| question (LSE call, 22 March 2002) | measured by numasim | command |',
    '|---|---|---|',
    row('Does splitting `pagemap_lru_lock` per zone pay on a 16-way NUMA-Q? (page_fault1, 0.1 simulated s)', lruQuestion().text, cmd('numaq-16-page-fault', [SHORT, 'lru=2.5-zone'])),
    row('Per-address-space kmap or atomic kmap? (a read-heavy server, 0.1 simulated s)', kmapQuestion().text, cmd('numaq-16-file-read', [SHORT, 'kmap=per-mm'])),
    row('What does pte-highmem cost, and does a UKVA win it back? (2,000 processes attach a 2 GB SGA on a 32-way)', pteQuestion().text, cmd('numaq-32-shm-db', ['pte=ukva'])),
    row('Is kernel text replication worth a copy per node? (short fork/exec/exit commands, 0.2 simulated s)', textQuestion().text, cmd('numaq-16-fork-exit', [FORK_SHORT, 'text=replicated'])),
  ].join('\n');
}

function pageFaultBlock() {
  const sets = [[SHORT], [SHORT, 'lru=2.5-zone'], [SHORT, 'pagevec=true']];
  return shell(
    sets.map((s) => {
      const r = run('numaq-16-page-fault', s);
      const lru = s.includes('lru=2.5-zone') ? lockOf(r, 'zone->lru_lock') : lockOf(r, 'pagemap_lru_lock');
      return [cmd('numaq-16-page-fault', s), `${num(r.workload.faultsPerSecond)} faults/s, LRU lock CON ${pct(lru.con)}, ${num(lru.acq)} acquisitions`];
    }),
  );
}

function highmemBlock() {
  const lines = kmapQuestion().rows.map(({ m, r }) => [
    cmd('numaq-16-file-read', m === 'global' ? [SHORT] : [SHORT, `kmap=${m}`]),
    `${num(r.workload.readsPerSecond)} reads/s`,
  ]);
  const { low, high, ukva } = pteQuestion();
  lines.push([cmd('numaq-32-shm-db'), `out of memory at process ${num(low.workload.firstFailureProcess)}`]);
  lines.push([cmd('numaq-32-shm-db', ['pte=highmem']), `all attach in ${secs(high.workload.completionNs)}, ${num(high.memory.kmapAtomic)} kmap_atomic`]);
  lines.push([cmd('numaq-32-shm-db', ['pte=ukva']), `all attach in ${secs(ukva.workload.completionNs)}, ${num(ukva.memory.kmapAtomic)} kmap_atomic`]);
  return shell(lines);
}

function mixBlock() {
  const t = run('numaq-16-mix-threads');
  const p = run('numaq-16-mix-processes');
  const ptl = (r) => lockOf(r, 'mm->page_table_lock');
  const faults = (r) => r.workload.groups.reduce((s, g) => s + g.ops.fault.perSecond, 0);
  const p99 = (r) => Math.max(...r.workload.groups.map((g) => g.ops.fault.latencyNs.p99));
  const line = (name, r) => [
    cmd(name),
    `${ptl(r).n} page_table_lock${ptl(r).n > 1 ? 's' : ''}, CON ${pct(ptl(r).con)}, ${num(faults(r))} faults/s, fault p99 ${latency(p99(r))}`,
  ];
  return shell([line('numaq-16-mix-threads', t), line('numaq-16-mix-processes', p)]);
}

function mixPhasesBlock() {
  const r = run('numaq-16-mix-phases');
  const op = (ph, group, kind) => ph.groups.find((g) => g.name === group)?.ops[kind];
  const lines = ['| phase | server reads/s | server write p99 | batch faults/s |', '|---|---|---|---|'];
  for (const ph of r.workload.phases) {
    const reads = op(ph, 'server', 'read');
    const writes = op(ph, 'server', 'write');
    const faults = op(ph, 'batch', 'fault');
    const p99 = writes && writes.completed > 0 ? latency(writes.latencyNs.p99) : '—';
    lines.push(`| ${ph.name} (${ms(ph.endNs - ph.startNs)}) | ${reads ? num(reads.perSecond) : '—'} | ${p99} | ${faults && faults.completed > 0 ? num(faults.perSecond) : '—'} |`);
  }
  return lines.join('\n');
}

// ---- timing figures -----------------------------------------------------------------------

const performance = JSON.parse(readFileSync(join(here, 'figures/performance.json'), 'utf8'));

function timingTable(name) {
  const t = performance.tables[name];
  if (t === undefined) throw new Error(`docs/figures/performance.json has no table "${name}"`);
  const cell = (c) => String(c).replaceAll('|', '\\|');
  return [
    `| ${t.columns.join(' | ')} |`,
    `|${t.columns.map(() => '---').join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
    `_Measured: ${t.measured}. Command: \`${t.command}\`. Machine: ${performance.machine}._`,
  ].join('\n');
}

// ---- the blocks ---------------------------------------------------------------------------

const blocks = [
  { file: 'README.md', name: 'lse', kind: 'simulation', render: lseBlock },
  { file: 'docs/WORKLOADS.md', name: 'page-fault', kind: 'simulation', render: pageFaultBlock },
  { file: 'docs/WORKLOADS.md', name: 'highmem', kind: 'simulation', render: highmemBlock },
  { file: 'docs/WORKLOADS.md', name: 'mix', kind: 'simulation', render: mixBlock },
  { file: 'docs/WORKLOADS.md', name: 'mix-phases', kind: 'simulation', render: mixPhasesBlock },
  ...['engine', 'model', 'service', 'pending-set', 'loadtest'].map((n) => ({ file: 'docs/PERFORMANCE.md', name: n, kind: 'timing', render: () => timingTable(n) })),
  { file: 'docs/OPERATIONS.md', name: 'fleet', kind: 'timing', render: () => timingTable('fleet') },
  ...['scaling', 'barrier'].map((n) => ({ file: 'docs/PARALLEL.md', name: n, kind: 'timing', render: () => timingTable(n) })),
];

const START = /<!-- figures:([a-z0-9-]+) -->\n([\s\S]*?)<!-- \/figures -->/g;
const chosen = blocks.filter((b) => opts.only === undefined || b.kind === opts.only);
const problems = [];
let changed = 0;
for (const file of [...new Set(chosen.map((b) => b.file))]) {
  const path = join(root, file);
  const before = readFileSync(path, 'utf8');
  const known = new Set(blocks.filter((b) => b.file === file).map((b) => b.name));
  const present = new Set([...before.matchAll(START)].map((m) => m[1]));
  for (const name of present) if (!known.has(name)) problems.push(`${file}: block "${name}" is not one this script writes`);
  let after = before;
  for (const b of chosen.filter((x) => x.file === file)) {
    if (!present.has(b.name)) {
      problems.push(`${file}: block "${b.name}" is missing (<!-- figures:${b.name} --> … <!-- /figures -->)`);
      continue;
    }
    const text = `${b.render()}\n`;
    after = after.replace(START, (whole, name, old) => {
      if (name !== b.name) return whole;
      if (old !== text) {
        changed += 1;
        if (opts.check) problems.push(`${file}: block "${name}" is stale; run npm run docs:figures`);
      }
      return `<!-- figures:${name} -->\n${text}<!-- /figures -->`;
    });
  }
  if (!opts.check && after !== before) writeFileSync(path, after);
}
for (const p of problems) console.error(p);
if (problems.length > 0) process.exit(1);
console.log(opts.check ? `figures up to date (${chosen.length} blocks)` : `figures written (${changed} of ${chosen.length} blocks changed)`);
