#!/usr/bin/env node
// Writes hashes.json: for each case in cases.json, the SHA-256 of its report and series with the
// wall-clock fields removed, checking first that every placement gives the same bytes.
// Run on a tree whose results are known good: `node services/node-sim/test/golden/gen.mjs`.
// `gen.mjs --new` hashes only the cases that have no hash yet; with preset names
// (`gen.mjs numaq-16-kernbench …`) only those presets' cases are regenerated. Either way every other
// hash is kept as it is in hashes.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getPreset, resolveWorkload } from '@numasim/shared';
import { closeDefaultNodePool, runWorkloadPlaced, runWorkloadWithSeries } from '@numasim/node-sim';
import { caseKey, goldenHash } from './hash.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const { placements, cases } = JSON.parse(readFileSync(here('cases.json'), 'utf8'));
const args = process.argv.slice(2);
const onlyNew = args.includes('--new');
const only = args.filter((a) => a !== '--new');
const old = onlyNew || only.length > 0 ? JSON.parse(readFileSync(here('hashes.json'), 'utf8')) : {};
const hashes = {};
for (const name of only) if (!cases.some((c) => c.preset === name)) throw new Error(`no golden case for preset ${name}`);
for (const c of cases) {
  const skip = (onlyNew && old[caseKey(c)] !== undefined) || (only.length > 0 && !only.includes(c.preset));
  if (skip) {
    if (old[caseKey(c)] !== undefined) hashes[caseKey(c)] = old[caseKey(c)];
    continue;
  }
  const cfg = (placement) => resolveWorkload(getPreset(c.preset).workload, [...c.sets, `placement=${placement}`]);
  const t = performance.now();
  const inline = goldenHash(runWorkloadWithSeries(cfg('inline')));
  for (const p of (c.placements ?? placements).filter((p) => p !== 'inline')) {
    const h = goldenHash(await runWorkloadPlaced(cfg(p)));
    if (h !== inline) throw new Error(`${caseKey(c)}: placement ${p} differs from inline`);
  }
  hashes[caseKey(c)] = inline;
  console.log(caseKey(c), inline.slice(0, 12), `${((performance.now() - t) / 1000).toFixed(1)} s`);
}
await closeDefaultNodePool();
writeFileSync(here('hashes.json'), JSON.stringify(hashes, null, 2) + '\n');
