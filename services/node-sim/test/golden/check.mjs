// Checks the golden hashes on one placement (default inline) outside vitest, for quick checks while
// reshaping the model: `node services/node-sim/test/golden/check.mjs [placement]`. golden.test.ts checks them all.
import { readFileSync } from 'node:fs';
import { getPreset, resolveWorkload } from '@numasim/shared';
import { runWorkloadWithSeries, runWorkloadPlaced, closeDefaultNodePool } from '@numasim/node-sim';
import { caseKey, goldenHash } from './hash.mjs';
const { cases } = JSON.parse(readFileSync(new URL('./cases.json', import.meta.url), 'utf8'));
const hashes = JSON.parse(readFileSync(new URL('./hashes.json', import.meta.url), 'utf8'));
let bad = 0;
const placement = process.argv[2] ?? 'inline';
for (const c of cases) {
  const cfg = resolveWorkload(getPreset(c.preset).workload, [...c.sets, `placement=${placement}`]);
  const out = placement === 'inline' ? runWorkloadWithSeries(cfg) : await runWorkloadPlaced(cfg);
  const h = goldenHash(out);
  if (h !== hashes[caseKey(c)]) { bad++; console.log('DIFF', caseKey(c)); }
}
await closeDefaultNodePool();
console.log(bad ? `${bad} differ` : 'all golden hashes hold', placement);
