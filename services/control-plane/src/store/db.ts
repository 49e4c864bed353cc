/**
 * The embedded store: one SQLite file in WAL mode (readers never wait for the writer; a crash
 * loses nothing that was committed). Opening it creates the folder, applies pending migrations and
 * checks that the file can be written, so a read-only or missing path stops start-up with a clear
 * message instead of failing the first submission.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
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

/** WAL pages SQLite checkpoints at by default, inside the commit that crosses it. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/**
 * With the checkpoint thread running, the main connection checkpoints only past this many WAL
 * pages (64 MiB): a backstop for a log that the thread's checkpoints, overtaken by commits again
 * and again in a write storm, never finished; the thread has copied most of it by then.
 */
const BACKSTOP_AUTOCHECKPOINT_PAGES = 16_384;

export interface Checkpointer {
  /** Stops the checkpoint thread and gives checkpoints back to the main connection. */
  stop(): Promise<void>;
}

/**
 * Moves the store's WAL checkpoints off the event loop (checkpoint-worker.ts): the main
 * connection no longer checkpoints inside its commits (but for a backstop), so a commit does not
 * wait for the disk to sync. If the thread fails, checkpoints go back to the main connection.
 * No-op for `:memory:`.
 */
export function startCheckpointer(db: Db, path: string, everyMs = 1000, onError: (msg: string) => void = () => {}): Checkpointer {
  if (path === ':memory:') return { stop: async () => {} };
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  const restore = () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { path, everyMs } });
  worker.unref();
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (m: { error?: string }) => {
    if (m.error) onError(m.error);
  });
  worker.on('error', (e) => {
    onError(e.message);
    restore();
  });
  void exit.then(() => {
    exited = true;
    restore();
  });
  return {
    async stop() {
      if (!exited) {
        worker.postMessage({ close: true });
        const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
        await Promise.race([exit, timeout]);
        if (!exited) await worker.terminate();
      }
      restore();
    },
  };
}
