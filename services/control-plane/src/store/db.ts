/**
 * The embedded store: one SQLite file in WAL mode (readers never wait for the writer; a crash
 * loses nothing that was committed). Opening it creates the folder, applies pending migrations and
 * checks that the file can be written, so a read-only or missing path stops start-up with a clear
 * message instead of failing the first submission.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { NumasimError } from '@numasim/shared';
import { ApiErrors } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export function openDb(path: string): Db {
  let db: Db;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    // A write probe: a read-only file or a full disk shows up now, not at the first submission.
    db.exec('CREATE TABLE IF NOT EXISTS write_probe (x); DELETE FROM write_probe; DROP TABLE write_probe;');
  } catch (e) {
    throw new NumasimError(ApiErrors.STORE_UNAVAILABLE, `cannot open the run store at ${path} (NUMASIM_DB_PATH): ${(e as Error).message}`, [], { cause: e });
  }
  return db;
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    })();
  }
}
