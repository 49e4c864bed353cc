/**
 * Runs, their transitions, results and sweeps in the store. Every state change is one
 * transaction, so a crash leaves a run in a state it really reached.
 */
import { randomBytes } from 'node:crypto';
import type { Report, ReportOrigin, TimeSeries, WorkloadConfig } from '@numasim/shared';
import type Database from 'better-sqlite3';
import type { Db } from './db.js';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
export const FINISHED: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** Allowed transitions; `running → queued` is a re-queue after a restart or a shutdown. */
const NEXT: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['running', 'cancelled'],
  running: ['succeeded', 'failed', 'cancelled', 'queued'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

export interface RunError {
  code: string;
  message: string;
}

export interface RunProgressRecord {
  simulatedNs: number;
  durationNs: number;
  events: number;
  /** Towards the workload's own end (node-sim progress.ts); absent before the first progress and in rows stored before these fields. */
  unit?: 'jobs' | 'processes' | 'simulated-ns';
  done?: number;
  total?: number;
  fraction?: number;
}

export interface Transition {
  status: RunStatus;
  at: string;
  detail?: string;
}

export interface RunRecord {
  seq: number;
  id: string;
  status: RunStatus;
  kind: string;
  seed: number;
  configHash: string;
  config: WorkloadConfig;
  sweepId: string | null;
  params: Record<string, unknown> | null;
  /** The preset the run came from; null for an inline workload. */
  preset: string | null;
  /** The `set` overrides as submitted, as `{ path: value }`; null when there were none. */
  overrides: Record<string, unknown> | null;
  label: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  progress: RunProgressRecord | null;
  error: RunError | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

export interface NewRun {
  config: WorkloadConfig;
  configHash: string;
  sweepId?: string;
  params?: Record<string, unknown>;
  preset?: string | null;
  overrides?: Record<string, unknown> | null;
  label?: string | null;
  idempotencyKey?: string;
  requestHash?: string;
}

/** A sweep as the store keeps it: its request, label and Idempotency-Key. */
export interface NewSweep {
  id: string;
  request: unknown;
  label?: string | null;
  idempotencyKey?: string;
  requestHash?: string;
}

export interface SweepRecord {
  seq: number;
  id: string;
  createdAt: string;
  request: unknown;
  label: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
}

/** Filters of the run list; each narrows it (all must hold). */
export interface RunFilter {
  status?: RunStatus;
  kind?: string;
  preset?: string;
  sweepId?: string;
  label?: string;
}

interface RunRow {
  seq: number;
  id: string;
  status: RunStatus;
  kind: string;
  seed: number;
  config_hash: string;
  config_json: string;
  sweep_id: string | null;
  params_json: string | null;
  preset: string | null;
  overrides_json: string | null;
  label: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  progress_json: string | null;
  error_json: string | null;
  attempts: number;
  created_at: string;
  updated_at: string;
}

interface SweepRow {
  seq: number;
  id: string;
  created_at: string;
  request_json: string;
  label: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
}

function toSweep(r: SweepRow): SweepRecord {
  return { seq: r.seq, id: r.id, createdAt: r.created_at, request: JSON.parse(r.request_json), label: r.label, idempotencyKey: r.idempotency_key, requestHash: r.request_hash };
}

const parse = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));

function toRecord(r: RunRow): RunRecord {
  return {
    seq: r.seq,
    id: r.id,
    status: r.status,
    kind: r.kind,
    seed: r.seed,
    configHash: r.config_hash,
    config: JSON.parse(r.config_json) as WorkloadConfig,
    sweepId: r.sweep_id,
    params: parse(r.params_json),
    preset: r.preset,
    overrides: parse(r.overrides_json),
    label: r.label,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    progress: parse(r.progress_json),
    error: parse(r.error_json),
    attempts: r.attempts,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Ids sort by creation time (a base-36 millisecond stamp) and carry 64 random bits. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
}

export class RunsRepo {
  /** Prepared statements by SQL text: preparing costs more than running most of these queries. */
  private readonly statements = new Map<string, Database.Statement>();
  private readonly changeListeners: ((id: string) => void)[] = [];

  constructor(private readonly db: Db) {}

  /** Calls `fn` with a run's id whenever this repo changes that run (status, progress, result, deletion). */
  onRunChanged(fn: (id: string) => void): void {
    this.changeListeners.push(fn);
  }

  private changed(id: string): void {
    for (const fn of this.changeListeners) fn(id);
  }

  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  create(runs: readonly NewRun[], sweep?: NewSweep): RunRecord[] {
    const now = new Date().toISOString();
    const insert = this.stmt(
      `INSERT INTO runs (id, status, kind, seed, config_hash, config_json, sweep_id, params_json, preset, overrides_json, label, idempotency_key, request_hash, created_at, updated_at)
       VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const ids: string[] = [];
    this.db.transaction(() => {
      if (sweep) {
        this.stmt('INSERT INTO sweeps (id, created_at, request_json, label, idempotency_key, request_hash) VALUES (?, ?, ?, ?, ?, ?)').run(
          sweep.id,
          now,
          JSON.stringify(sweep.request),
          sweep.label ?? null,
          sweep.idempotencyKey ?? null,
          sweep.requestHash ?? null,
        );
      }
      for (const r of runs) {
        const id = newId('run');
        insert.run(
          id,
          r.config.kind,
          r.config.seed,
          r.configHash,
          JSON.stringify(r.config),
          r.sweepId ?? null,
          r.params ? JSON.stringify(r.params) : null,
          r.preset ?? null,
          r.overrides ? JSON.stringify(r.overrides) : null,
          r.label ?? null,
          r.idempotencyKey ?? null,
          r.requestHash ?? null,
          now,
          now,
        );
        this.addTransition(id, 'queued', now);
        ids.push(id);
      }
    })();
    return ids.map((id) => this.get(id)!);
  }

  get(id: string): RunRecord | undefined {
    const row = this.stmt('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && toRecord(row);
  }

  byIdempotencyKey(key: string): RunRecord | undefined {
    const row = this.stmt('SELECT * FROM runs WHERE idempotency_key = ?').get(key) as RunRow | undefined;
    return row && toRecord(row);
  }

  transitions(id: string): Transition[] {
    const rows = this.stmt('SELECT status, at, detail FROM run_transitions WHERE run_id = ? ORDER BY rowid').all(id) as { status: RunStatus; at: string; detail: string | null }[];
    return rows.map((r) => (r.detail === null ? { status: r.status, at: r.at } : { status: r.status, at: r.at, detail: r.detail }));
  }

  /** Newest first; `beforeSeq` is the cursor. */
  list(opts: RunFilter & { limit: number; beforeSeq?: number }): RunRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      where.push(clause);
      args.push(value);
    };
    if (opts.status) add('status = ?', opts.status);
    if (opts.kind !== undefined) add('kind = ?', opts.kind);
    if (opts.preset !== undefined) add('preset = ?', opts.preset);
    if (opts.label !== undefined) add('label = ?', opts.label);
    if (opts.beforeSeq !== undefined) add('seq < ?', opts.beforeSeq);
    if (opts.sweepId !== undefined) add('sweep_id = ?', opts.sweepId);
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    return (this.stmt(sql).all(...args, opts.limit) as RunRow[]).map(toRecord);
  }

  sweepChildren(sweepId: string): RunRecord[] {
    return (this.stmt('SELECT * FROM runs WHERE sweep_id = ? ORDER BY seq').all(sweepId) as RunRow[]).map(toRecord);
  }

  /** Runs by id, in the order asked; ids with no run are left out. */
  getMany(ids: readonly string[]): RunRecord[] {
    return ids.map((id) => this.get(id)).filter((r): r is RunRecord => r !== undefined);
  }

  sweep(id: string): SweepRecord | undefined {
    const row = this.stmt('SELECT rowid AS seq, * FROM sweeps WHERE id = ?').get(id) as SweepRow | undefined;
    return row && toSweep(row);
  }

  sweepByIdempotencyKey(key: string): SweepRecord | undefined {
    const row = this.stmt('SELECT rowid AS seq, * FROM sweeps WHERE idempotency_key = ?').get(key) as SweepRow | undefined;
    return row && toSweep(row);
  }

  /** Sweeps newest first; `beforeSeq` is the cursor. */
  listSweeps(opts: { limit: number; beforeSeq?: number; label?: string }): SweepRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (opts.label !== undefined) {
      where.push('label = ?');
      args.push(opts.label);
    }
    if (opts.beforeSeq !== undefined) {
      where.push('rowid < ?');
      args.push(opts.beforeSeq);
    }
    const sql = `SELECT rowid AS seq, * FROM sweeps ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY rowid DESC LIMIT ?`;
    return (this.stmt(sql).all(...args, opts.limit) as SweepRow[]).map(toSweep);
  }

  /** How many children of each sweep are in each status, in one query. */
  sweepCounts(sweepIds: readonly string[]): Map<string, Record<RunStatus, number>> {
    const out = new Map<string, Record<RunStatus, number>>();
    for (const id of sweepIds) out.set(id, Object.fromEntries(RUN_STATUSES.map((st) => [st, 0])) as Record<RunStatus, number>);
    if (sweepIds.length === 0) return out;
    const rows = this.db
      .prepare(`SELECT sweep_id, status, COUNT(*) AS n FROM runs WHERE sweep_id IN (${sweepIds.map(() => '?').join(', ')}) GROUP BY sweep_id, status`)
      .all(...sweepIds) as { sweep_id: string; status: RunStatus; n: number }[];
    for (const r of rows) out.get(r.sweep_id)![r.status] = r.n;
    return out;
  }

  /** Oldest queued runs first, leaving out `exclude`. */
  nextQueued(limit: number): RunRecord[] {
    return (this.stmt("SELECT * FROM runs WHERE status = 'queued' ORDER BY seq LIMIT ?").all(limit) as RunRow[]).map(toRecord);
  }

  /** Every queued or running run, oldest first (queue mode reconciles them with the queue). */
  unfinished(): RunRecord[] {
    return (this.stmt("SELECT * FROM runs WHERE status IN ('queued', 'running') ORDER BY seq").all() as RunRow[]).map(toRecord);
  }

  countByStatus(): Record<RunStatus, number> {
    const out = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
    for (const r of this.stmt('SELECT status, COUNT(*) AS n FROM runs GROUP BY status').all() as { status: RunStatus; n: number }[]) out[r.status] = r.n;
    return out;
  }

  /** Moves a run to `status`; returns false (and changes nothing) when the transition is not allowed from its current state. */
  transition(id: string, status: RunStatus, extra: { error?: RunError; detail?: string } = {}): boolean {
    let ok = false;
    this.db.transaction(() => {
      const row = this.stmt('SELECT status FROM runs WHERE id = ?').get(id) as { status: RunStatus } | undefined;
      if (!row || !NEXT[row.status].includes(status)) return;
      const now = new Date().toISOString();
      const attempts = status === 'running' ? ', attempts = attempts + 1' : '';
      const error = extra.error ? ', error_json = @error' : status === 'queued' ? ', error_json = NULL' : '';
      this.db
        .prepare(`UPDATE runs SET status = @status, updated_at = @now${attempts}${error} WHERE id = @id`)
        .run({ id, status, now, ...(extra.error ? { error: JSON.stringify(extra.error) } : {}) });
      this.addTransition(id, status, now, extra.detail);
      ok = true;
    })();
    if (ok) this.changed(id);
    return ok;
  }

  setProgress(id: string, progress: RunProgressRecord): void {
    this.stmt('UPDATE runs SET progress_json = ? WHERE id = ?').run(JSON.stringify(progress), id);
    this.changed(id);
  }

  /** Stores the result and marks the run succeeded, together; false when the run was no longer running. */
  succeed(id: string, report: Report, series: TimeSeries, detail?: string, last?: RunProgressRecord): boolean {
    return this.db.transaction(() => {
      if (!this.transition(id, 'succeeded', { detail })) return false;
      const stored = this.withOrigin(id, report);
      this.stmt('INSERT OR REPLACE INTO run_results (run_id, report_json, series_json) VALUES (?, ?, ?)').run(id, JSON.stringify(stored), JSON.stringify(series));
      this.setProgress(id, last ?? { simulatedNs: report.run.simulatedNs, durationNs: report.run.simulatedNs, events: report.engine.events, fraction: 1 });
      return true;
    })();
  }

  /** The report as the service serves it: the engine's, plus where the run came from. */
  private withOrigin(id: string, report: Report): Report {
    const row = this.stmt('SELECT preset, overrides_json, label FROM runs WHERE id = ?').get(id) as Pick<RunRow, 'preset' | 'overrides_json' | 'label'>;
    const origin: ReportOrigin = { preset: row.preset, overrides: parse(row.overrides_json), label: row.label };
    return { ...report, origin };
  }

  reportJson(id: string): string | undefined {
    return (this.stmt('SELECT report_json FROM run_results WHERE run_id = ?').get(id) as { report_json: string } | undefined)?.report_json;
  }

  seriesJson(id: string): string | undefined {
    return (this.stmt('SELECT series_json FROM run_results WHERE run_id = ?').get(id) as { series_json: string } | undefined)?.series_json;
  }

  delete(id: string): void {
    this.stmt('DELETE FROM runs WHERE id = ?').run(id);
    this.changed(id);
  }

  /** After a crash: runs the dead process was executing go back to the queue. Returns their ids. */
  requeueRunning(detail: string): string[] {
    const ids = (this.stmt("SELECT id FROM runs WHERE status = 'running' ORDER BY seq").all() as { id: string }[]).map((r) => r.id);
    for (const id of ids) this.transition(id, 'queued', { detail });
    return ids;
  }

  private addTransition(id: string, status: RunStatus, at: string, detail?: string): void {
    this.stmt('INSERT INTO run_transitions (run_id, status, at, detail) VALUES (?, ?, ?, ?)').run(id, status, at, detail ?? null);
  }
}
