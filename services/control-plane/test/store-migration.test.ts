/** A store written before runs recorded their origin opens, migrates and keeps serving its runs and sweeps. */
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { resolveWorkload } from '@numasim/shared';
import { MIGRATIONS } from '../src/store/migrations.js';
import { makeApp, small, tempDbPath } from './helpers.js';

describe('store migration', () => {
  it('keeps runs and sweeps of the first schema, filling in what their sweep\'s request says', async () => {
    const dbPath = tempDbPath();
    const db = new Database(dbPath);
    db.exec(MIGRATIONS[0].sql);
    db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL); INSERT INTO schema_migrations VALUES (1, 'v1', '2026-01-01T00:00:00.000Z')");
    const config = JSON.stringify(resolveWorkload(small));
    const at = '2026-01-01T00:00:00.000Z';
    const sweepRequest = { base: { preset: 'lockbench-8', set: { durationNs: 1_000_000 } }, grid: { cpusPerNode: [2] }, replicates: 1 };
    db.prepare('INSERT INTO sweeps (id, created_at, request_json) VALUES (?, ?, ?)').run('swp_old', at, JSON.stringify(sweepRequest));
    const insert = db.prepare("INSERT INTO runs (id, status, kind, seed, config_hash, config_json, sweep_id, params_json, created_at, updated_at) VALUES (?, 'cancelled', 'lockbench', 3, 'h', ?, ?, ?, ?, ?)");
    insert.run('run_old_alone', config, null, null, at, at);
    insert.run('run_old_child', config, 'swp_old', JSON.stringify({ cpusPerNode: 2, replicate: 0 }), at, at);
    db.close();

    const b = await makeApp({ dbPath });
    try {
      const runs = (await b.app.inject({ method: 'GET', url: '/v1/runs' })).json().runs;
      expect(runs.map((r: { id: string }) => r.id)).toEqual(['run_old_child', 'run_old_alone']);
      expect(runs[0]).toMatchObject({ preset: 'lockbench-8', overrides: { durationNs: 1_000_000 }, label: null, sweepId: 'swp_old' });
      expect(runs[1]).toMatchObject({ preset: null, overrides: null, label: null, sweepId: null });
      const sweeps = (await b.app.inject({ method: 'GET', url: '/v1/sweeps' })).json().items;
      expect(sweeps).toEqual([expect.objectContaining({ id: 'swp_old', label: null, status: 'cancelled', runs: expect.objectContaining({ total: 1, cancelled: 1 }) })]);
      expect((await b.app.inject({ method: 'GET', url: '/v1/runs?preset=lockbench-8' })).json().runs).toHaveLength(1);
      // New rows go in next to the old ones.
      expect((await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: small, label: 'new' } })).statusCode).toBe(202);
    } finally {
      await b.shutdown();
    }
  });
});
