/**
 * The model's results, pinned: every preset (and variants reaching swap_out, rmap unmapping,
 * bounce buffers, the kmap modes and highmem page tables) run for a short fixed time, or
 * kernbench to the end of its build, on every placement, must hash to what golden/gen.mjs
 * recorded. A refactoring of the model keeps every hash; a change of behaviour regenerates them
 * and says why in its commit.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { getPreset, resolveWorkload } from '@numasim/shared';
import { closeDefaultNodePool, runWorkloadPlaced, runWorkloadWithSeries } from '@numasim/node-sim';
import { caseKey, goldenHash } from './golden/hash.mjs';

interface GoldenCase {
  preset: string;
  sets: string[];
  placements?: string[];
}
const read = (f: string) => JSON.parse(readFileSync(new URL(`./golden/${f}`, import.meta.url), 'utf8'));
const { placements, cases } = read('cases.json') as { placements: string[]; cases: GoldenCase[] };
const hashes = read('hashes.json') as Record<string, string>;

afterAll(() => closeDefaultNodePool());

describe('golden results', () => {
  it('every case has a recorded hash', () => {
    expect(cases.map(caseKey).filter((k) => !hashes[k])).toEqual([]);
  });
  for (const c of cases) {
    const where = c.placements ?? placements;
    it(`${caseKey(c)} (${where.join(', ')})`, { timeout: 180_000 }, async () => {
      const cfg = (placement: string) => resolveWorkload(getPreset(c.preset).workload, [...c.sets, `placement=${placement}`]);
      for (const p of where) {
        const out = p === 'inline' ? runWorkloadWithSeries(cfg(p)) : await runWorkloadPlaced(cfg(p));
        expect(`${p} ${goldenHash(out)}`).toBe(`${p} ${hashes[caseKey(c)]}`);
      }
    });
  }
});
