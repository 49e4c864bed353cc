/** docs/SERVICE.md describes the API this code serves: every endpoint, filter value and limit it states. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { WORKLOAD_KINDS } from '@numasim/shared';
import { RUN_STATUSES, type BuiltApp } from '@numasim/control-plane';
import { MAX_COMPARE_RUNS } from '../src/http/routes-compare.js';
import { Label } from '../src/http/schemas.js';
import { makeApp } from './helpers.js';

const doc = readFileSync(new URL('../../../docs/SERVICE.md', import.meta.url), 'utf8');

describe('docs/SERVICE.md', () => {
  let b: BuiltApp;
  beforeAll(async () => {
    b = await makeApp();
  });
  afterAll(async () => b.shutdown());

  it('names every /v1 endpoint of the OpenAPI document', async () => {
    const paths = Object.keys((await b.app.inject({ method: 'GET', url: '/docs/json' })).json().paths as Record<string, unknown>).filter((p) => p.startsWith('/v1/'));
    expect(paths.length).toBeGreaterThan(10);
    for (const p of paths) expect(doc, p).toContain(p.replace(/\{(\w+)\}/g, ':$1'));
  });

  it('states the filter values and limits the code has', () => {
    expect(doc).toContain(`| \`kind\` | a workload kind: ${Object.keys(WORKLOAD_KINDS).map((k) => `\`${k}\``).join(', ')} |`);
    expect(doc).toContain(`| \`status\` | ${RUN_STATUSES.map((s) => `\`${s}\``).join(', ')} |`);
    expect(doc).toContain(`up to ${MAX_COMPARE_RUNS} at once`);
    expect(doc).toContain(`${Label.minLength}–${Label.maxLength} characters`);
  });
});
