/**
 * The store's schema, versioned: each migration runs once, in order, inside a transaction, and
 * `schema_migrations` records it. Add a migration; never edit one that has shipped.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, transitions, results, sweeps',
    sql: `
      CREATE TABLE sweeps (
        id           TEXT PRIMARY KEY,
        created_at   TEXT NOT NULL,
        request_json TEXT NOT NULL
      );
      CREATE TABLE runs (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        id              TEXT NOT NULL UNIQUE,
        status          TEXT NOT NULL CHECK (status IN ('queued','running','succeeded','failed','cancelled')),
        kind            TEXT NOT NULL,
        seed            INTEGER NOT NULL,
        config_hash     TEXT NOT NULL,
        config_json     TEXT NOT NULL,
        sweep_id        TEXT REFERENCES sweeps(id) ON DELETE CASCADE,
        params_json     TEXT,
        idempotency_key TEXT UNIQUE,
        request_hash    TEXT,
        progress_json   TEXT,
        error_json      TEXT,
        attempts        INTEGER NOT NULL DEFAULT 0,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
      );
      CREATE INDEX runs_status ON runs(status, seq);
      CREATE INDEX runs_sweep ON runs(sweep_id, seq);
      CREATE TABLE run_transitions (
        run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        status  TEXT NOT NULL,
        at      TEXT NOT NULL,
        detail  TEXT
      );
      CREATE INDEX run_transitions_run ON run_transitions(run_id);
      CREATE TABLE run_results (
        run_id      TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        report_json TEXT NOT NULL,
        series_json TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'what a run came from (preset, overrides, label); sweep labels and idempotency keys',
    sql: `
      ALTER TABLE runs ADD COLUMN preset TEXT;
      ALTER TABLE runs ADD COLUMN overrides_json TEXT;
      ALTER TABLE runs ADD COLUMN label TEXT;
      CREATE INDEX runs_preset ON runs(preset, seq);
      CREATE INDEX runs_kind ON runs(kind, seq);
      CREATE INDEX runs_label ON runs(label, seq);
      ALTER TABLE sweeps ADD COLUMN label TEXT;
      ALTER TABLE sweeps ADD COLUMN idempotency_key TEXT;
      ALTER TABLE sweeps ADD COLUMN request_hash TEXT;
      CREATE UNIQUE INDEX sweeps_idempotency_key ON sweeps(idempotency_key);
      CREATE INDEX sweeps_label ON sweeps(label);
      -- Children of sweeps stored before this migration: their sweep's request names the preset
      -- and, when given as an object, the overrides ("path=value" lists stay unknown).
      UPDATE runs SET
        preset = (SELECT json_extract(request_json, '$.base.preset') FROM sweeps WHERE sweeps.id = runs.sweep_id),
        overrides_json = (SELECT CASE json_type(request_json, '$.base.set') WHEN 'object' THEN json_extract(request_json, '$.base.set') END
                          FROM sweeps WHERE sweeps.id = runs.sweep_id)
        WHERE sweep_id IS NOT NULL;
    `,
  },
];
