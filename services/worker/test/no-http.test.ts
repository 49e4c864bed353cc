/**
 * `numasim worker` must start without the HTTP side: the worker package, and everything it
 * imports of numasim's own packages, reaches neither Fastify nor SQLite nor the control plane.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const services = fileURLToPath(new URL('../../', import.meta.url));
const packageDist: Record<string, string> = {
  '@numasim/worker': join(services, 'worker/dist/index.js'),
  '@numasim/node-sim': join(services, 'node-sim/dist/index.js'),
  '@numasim/shared': join(services, '..', 'shared', 'dist', 'index.js'),
};

/** Every module specifier the compiled files reachable from `entry` import, statically or dynamically. */
function importsFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
      const spec = m[1];
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
      else if (packageDist[spec]) queue.push(packageDist[spec]);
      else bare.add(spec);
    }
    // The simulation threads' file is loaded by path, not imported.
    if (file === join(services, 'worker/dist/pool.js')) queue.push(join(dirname(file), 'run-thread.js'));
  }
  return bare;
}

describe('@numasim/worker', () => {
  it('imports nothing of the HTTP side', () => {
    expect(existsSync(packageDist['@numasim/worker'])).toBe(true);
    const bare = [...importsFrom(packageDist['@numasim/worker'])];
    expect(bare).toContain('bullmq');
    expect(bare).toContain('piscina');
    for (const forbidden of [/^fastify$/, /^@fastify\//, /^better-sqlite3$/, /^@numasim\/control-plane$/]) {
      expect(bare.filter((s) => forbidden.test(s))).toEqual([]);
    }
  });

  it('is what `numasim worker` uses, and the CLI does not depend on the control plane', () => {
    const cli = JSON.parse(readFileSync(join(services, 'cli/package.json'), 'utf8'));
    expect(Object.keys(cli.dependencies)).toContain('@numasim/worker');
    expect(Object.keys(cli.dependencies)).not.toContain('@numasim/control-plane');
    expect(readFileSync(join(services, 'cli/src/commands/worker.ts'), 'utf8')).toMatch(/from '@numasim\/worker'/);
  });
});
