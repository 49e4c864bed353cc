/**
 * The figures README.md and docs/ quote are the ones docs/gen-figures.mjs writes: simulation
 * figures from fresh deterministic runs, timing figures from docs/figures/performance.json.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const generator = join(root, 'docs/gen-figures.mjs');
const filesWithBlocks = ['README.md', 'docs/WORKLOADS.md', 'docs/PERFORMANCE.md', 'docs/OPERATIONS.md', 'docs/PARALLEL.md'];

function generate(...args: string[]) {
  const p = spawnSync(process.execPath, [generator, ...args], { cwd: root, encoding: 'utf8' });
  return { status: p.status, stdout: p.stdout, stderr: p.stderr };
}

/** A copy of the files that hold figures blocks, to break on purpose. */
function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'numasim-figures-'));
  mkdirSync(join(dir, 'docs'));
  for (const f of filesWithBlocks) copyFileSync(join(root, f), join(dir, f));
  return dir;
}

describe('figures quoted in the docs', () => {
  it('match fresh runs and the benchmark record', { timeout: 180_000 }, () => {
    const r = generate('--check');
    expect(r.stderr.split('\n').filter((l) => l.includes('block'))).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('are reported stale when a table differs from the record, and rewritten from it', () => {
    const dir = copyTree();
    try {
      const path = join(dir, 'docs/PERFORMANCE.md');
      const original = readFileSync(path, 'utf8');
      const edited = original.replace(/(<!-- figures:engine -->\n[\s\S]*?)\d/, '$1X');
      expect(edited).not.toBe(original);
      writeFileSync(path, edited);

      const stale = generate('--check', '--only', 'timing', '--root', dir);
      expect(stale.status).toBe(1);
      expect(stale.stderr).toContain('docs/PERFORMANCE.md: block "engine" is stale');
      expect(readFileSync(path, 'utf8')).toBe(edited);

      expect(generate('--only', 'timing', '--root', dir).status).toBe(0);
      expect(readFileSync(path, 'utf8')).toBe(original);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are reported missing when a file lost a block', () => {
    const dir = copyTree();
    try {
      const path = join(dir, 'docs/PARALLEL.md');
      writeFileSync(path, readFileSync(path, 'utf8').replace('<!-- figures:barrier -->', ''));
      const r = generate('--check', '--only', 'timing', '--root', dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('docs/PARALLEL.md: block "barrier" is missing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
