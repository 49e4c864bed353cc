/** docs/ERRORS.md lists exactly the codes of every package's catalogue, and no code is used twice. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SharedErrors, type ErrorSpec } from '@numasim/shared';
import { EngineErrors } from '@numasim/node-sim';
import { ApiErrors } from '@numasim/control-plane';
import { WorkerErrors } from '@numasim/worker';
import { CliErrors } from '../../cli/src/errors.js';

const catalogues: Record<string, ErrorSpec>[] = [SharedErrors, EngineErrors, CliErrors, WorkerErrors, ApiErrors];
const all = catalogues.flatMap((c) => Object.values(c));
const doc = readFileSync(new URL('../../../docs/ERRORS.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^\| `(NUMASIM_ERR_[A-Z_]+)` \| (\d+) \|/gm)].map((m) => ({ code: m[1], status: Number(m[2]) }));

describe('error catalogue', () => {
  it('never uses a code twice', () => {
    expect(new Set(all.map((e) => e.code)).size).toBe(all.length);
  });

  it('names every code NUMASIM_ERR_<AREA>_<WHAT>', () => {
    for (const e of all) expect(e.code).toMatch(/^NUMASIM_ERR_[A-Z]+_[A-Z_]+$/);
  });

  it('matches docs/ERRORS.md, status included', () => {
    expect(documented.map((d) => d.code).sort()).toEqual(all.map((e) => e.code).sort());
    for (const e of all) expect(documented.find((d) => d.code === e.code)?.status).toBe(e.status);
  });
});
