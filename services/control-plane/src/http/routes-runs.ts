/** /v1/runs: submit, follow, fetch, cancel, delete and list runs. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { configHash, formatLockTable, PRESETS, renderLockCsv, renderLockmeterText, WORKLOAD_KINDS, type Report } from '@numasim/shared';
import { ApiErrors } from '../errors.js';
import { FINISHED, RUN_STATUSES, type RunFilter, type RunRecord } from '../store/runs-repo.js';
import { checkLimits, requestHash, resolveInput, type WorkloadInput as WorkloadInputBody } from '../runs/submit.js';
import type { Services } from './context.js';
import { sendError } from './error-handler.js';
import { Label, pageQuery, RunAccepted, RunIdParams, RunInput } from './schemas.js';
import { originOf } from './origin.js';
import { runLinks, runSummary, runView } from './run-view.js';
import { streamRun } from './sse.js';

const RETRY_AFTER_SECONDS = '5';

export function queueHasRoom(s: Services, n: number): boolean {
  return s.repo.countByStatus().queued + n <= s.config.queueLimit;
}

/** The page size of a list query, or an answer refusing it. */
export function pageLimit(reply: FastifyReply, limit: string | undefined): number | FastifyReply {
  const n = limit === undefined ? 50 : Number(limit);
  if (n < 1 || n > 500) return sendError(reply, ApiErrors.BODY_INVALID, `querystring.limit: must be from 1 to 500 (got ${n})`, [{ path: 'querystring.limit', reason: 'must be from 1 to 500' }]);
  return n;
}

export function refuseWhenFullOrStopping(s: Services, reply: FastifyReply, n: number) {
  if (s.shuttingDown) return sendError(reply, ApiErrors.SHUTTING_DOWN, 'the service is shutting down and accepts no new runs', [], { 'retry-after': '30' });
  if (!queueHasRoom(s, n)) {
    return sendError(reply, ApiErrors.QUEUE_FULL, `the run queue is full (${s.config.queueLimit} queued runs, NUMASIM_QUEUE_LIMIT); retry later`, [], { 'retry-after': RETRY_AFTER_SECONDS });
  }
  return undefined;
}

function getRun(s: Services, id: string): RunRecord | undefined {
  return s.repo.get(id);
}

/** The report's forms: the JSON document, the lockmeter text, the lock CSV, and the lock table in today's formats (numasim run --format's). */
const REPORT_FORMATS = ['json', 'text', 'csv', 'lockmeter', 'lock_stat', 'perf-lock', 'perf-cycles'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

export function registerRunRoutes(app: FastifyInstance, s: Services): void {
  app.post(
    '/v1/runs',
    {
      schema: {
        summary: 'Submit a run',
        description: 'A workload (inline or a preset plus overrides) goes into the queue. Send Idempotency-Key to make retries safe.',
        tags: ['runs'],
        body: RunInput,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
        response: { 202: RunAccepted, 200: RunAccepted },
      },
    },
    async (req, reply) => {
      const body = req.body as WorkloadInputBody & { label?: string };
      const key = (req.headers['idempotency-key'] as string | undefined) ?? undefined;
      const hash = requestHash(body);
      const replay = () => {
        const existing = key ? s.repo.byIdempotencyKey(key) : undefined;
        if (!existing) return undefined;
        if (existing.requestHash !== hash) {
          return sendError(reply, ApiErrors.IDEMPOTENCY_MISMATCH, `Idempotency-Key ${JSON.stringify(key)} was used for a different request (run ${existing.id})`, [
            { path: 'idempotency-key', reason: 'already used with another body' },
          ]);
        }
        return reply.code(200).send({ id: existing.id, status: existing.status, configHash: existing.configHash, links: runLinks(existing.id) });
      };
      const replayed = replay();
      if (replayed) return replayed;
      const { label, ...workload } = body;
      const config = resolveInput(workload);
      checkLimits(config, s.config);
      const refused = refuseWhenFullOrStopping(s, reply, 1);
      if (refused) return refused;
      let run: RunRecord;
      try {
        [run] = s.repo.create([{ config, configHash: configHash(config), ...originOf(workload, label), idempotencyKey: key, requestHash: hash }]);
      } catch (e) {
        // Two requests with one key raced: the loser answers like a retry.
        if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && key) return replay();
        throw e;
      }
      req.log.info({ runId: run.id, configHash: run.configHash, kind: run.kind, preset: run.preset }, 'run queued');
      s.executor.submitted([run]);
      return reply.code(202).header('location', `/v1/runs/${run.id}`).send({ id: run.id, status: run.status, configHash: run.configHash, links: runLinks(run.id) });
    },
  );

  app.get(
    '/v1/runs',
    {
      schema: {
        summary: 'List runs, newest first',
        description: 'Every filter given must hold: `status`, `kind` (workload kind), `preset`, `sweep` (a sweep id: its runs), `label` (exact).',
        tags: ['runs'],
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union(RUN_STATUSES.map((x) => Type.Literal(x)))),
            kind: Type.Optional(Type.Union(Object.keys(WORKLOAD_KINDS).map((x) => Type.Literal(x)))),
            preset: Type.Optional(Type.Union(PRESETS.map((p) => Type.Literal(p.name)))),
            sweep: Type.Optional(Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9_-]+$', description: 'a sweep id' })),
            label: Type.Optional(Label),
            ...pageQuery,
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const q = req.query as Omit<RunFilter, 'sweepId'> & { sweep?: string; limit?: string; cursor?: string };
      const limit = pageLimit(reply, q.limit);
      if (typeof limit !== 'number') return limit;
      const filter: RunFilter = { status: q.status, kind: q.kind, preset: q.preset, sweepId: q.sweep, label: q.label };
      const runs = s.repo.list({ ...filter, limit: limit + 1, beforeSeq: q.cursor === undefined ? undefined : Number(q.cursor) });
      const page = runs.slice(0, limit);
      return { runs: page.map(runSummary), nextCursor: runs.length > limit ? String(page[page.length - 1].seq) : null };
    },
  );

  app.get('/v1/runs/:id', { schema: { summary: 'A run: status, transitions, progress, error', tags: ['runs'], params: RunIdParams } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const cached = s.readCache.get(`view:${id}`) ?? s.liveViews.get(id);
    if (cached !== undefined) return reply.type('application/json').send(cached);
    const run = getRun(s, id);
    if (!run) return sendError(reply, ApiErrors.RUN_NOT_FOUND, `no run ${JSON.stringify(id)}`);
    const json = JSON.stringify(runView(run, s.repo, s.executor));
    if (FINISHED.has(run.status)) s.readCache.set(`view:${id}`, json);
    else s.liveViews.set(id, json);
    return reply.type('application/json').send(json);
  });

  app.get(
    '/v1/runs/:id/report',
    {
      schema: {
        summary: 'The report of a run that succeeded',
        description:
          'JSON by default (as `numasim run --json` prints it); `format=text` is the lockmeter table with the workload\'s figures (as `numasim run` prints it), `format=csv` the lock table one row per lock instance. ' +
          '`format=lockmeter|lock_stat|perf-lock|perf-cycles` print the lock table as `numasim run --format` does (perf-cycles: % of CPU cycles spinning per lock and call path): per-instance locks collapsed into their class unless `instances=true`, ' +
          '`top=N` keeps the N most contended, `lock=TEXT` the locks whose name or class contains TEXT, `fieldSeparator=SEP` gives perf-lock\'s -x form.',
        tags: ['runs'],
        params: RunIdParams,
        querystring: Type.Object(
          {
            format: Type.Optional(Type.Union(REPORT_FORMATS.map((f) => Type.Literal(f)))),
            top: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$', description: 'only the N locks with the most contentions (1–999999)' })),
            lock: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'only locks whose name or class contains this' })),
            instances: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'true: one row per lock instance instead of one per class' })),
            fieldSeparator: Type.Optional(Type.String({ minLength: 1, maxLength: 4, description: "perf-lock: perf lock contention -x's separated form" })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const q = req.query as { format?: ReportFormat; top?: string; lock?: string; instances?: 'true' | 'false'; fieldSeparator?: string };
      const format = q.format ?? 'json';
      if (q.fieldSeparator !== undefined && format !== 'perf-lock') {
        return sendError(reply, ApiErrors.BODY_INVALID, 'querystring.fieldSeparator: goes with format=perf-lock', [{ path: 'querystring.fieldSeparator', reason: 'only with format=perf-lock' }]);
      }
      let json = s.readCache.get(`report:${id}`);
      if (json === undefined) {
        const run = getRun(s, id);
        if (!run) return sendError(reply, ApiErrors.RUN_NOT_FOUND, `no run ${JSON.stringify(id)}`);
        json = s.repo.reportJson(id);
        if (!json) return sendError(reply, ApiErrors.RUN_STATE_CONFLICT, `run ${id} is ${run.status}; only a run that succeeded has a report`);
        s.readCache.set(`report:${id}`, json);
      }
      if (format === 'json') return reply.type('application/json').send(json);
      const report = JSON.parse(json) as Report;
      if (format === 'text') return reply.type('text/plain; charset=utf-8').send(renderLockmeterText(report));
      if (format !== 'csv') {
        const table = formatLockTable(report, { format, top: q.top === undefined ? undefined : Number(q.top), lock: q.lock, instances: q.instances === 'true', fieldSeparator: q.fieldSeparator });
        return reply.type('text/plain; charset=utf-8').send(table);
      }
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${id}-locks.csv"`).send(renderLockCsv(report));
    },
  );

  app.get('/v1/runs/:id/timeseries', { schema: { summary: 'The sampled time series of a run that succeeded', tags: ['runs'], params: RunIdParams } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const run = getRun(s, id);
    if (!run) return sendError(reply, ApiErrors.RUN_NOT_FOUND, `no run ${JSON.stringify(id)}`);
    const json = s.repo.seriesJson(id);
    if (!json) return sendError(reply, ApiErrors.RUN_STATE_CONFLICT, `run ${id} is ${run.status}; only a run that succeeded has a time series`);
    return reply.type('application/json').send(json);
  });

  app.get('/v1/runs/:id/events', { schema: { summary: 'Server-Sent Events: status and progress until the run ends', tags: ['runs'], params: RunIdParams } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const run = getRun(s, id);
    if (!run) return sendError(reply, ApiErrors.RUN_NOT_FOUND, `no run ${JSON.stringify(id)}`);
    streamRun(s, run, req, reply);
    return reply;
  });

  app.post('/v1/runs/:id/cancel', { schema: { summary: 'Cancel a queued or running run', tags: ['runs'], params: RunIdParams } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const run = getRun(s, id);
    if (!run) return sendError(reply, ApiErrors.RUN_NOT_FOUND, `no run ${JSON.stringify(id)}`);
    if (FINISHED.has(run.status) || !s.executor.cancel(id)) {
      return sendError(reply, ApiErrors.RUN_STATE_CONFLICT, `run ${id} has already finished (${s.repo.get(id)?.status ?? run.status})`);
    }
    return reply.code(202).send({ id, status: s.repo.get(id)?.status ?? 'cancelled', links: runLinks(id) });
  });

  app.delete('/v1/runs/:id', { schema: { summary: 'Delete a finished run and its report', tags: ['runs'], params: RunIdParams } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const run = getRun(s, id);
    if (!run) return sendError(reply, ApiErrors.RUN_NOT_FOUND, `no run ${JSON.stringify(id)}`);
    if (!FINISHED.has(run.status)) return sendError(reply, ApiErrors.RUN_STATE_CONFLICT, `run ${id} is ${run.status}; cancel it first, then delete it`);
    s.repo.delete(id);
    s.readCache.forgetRun(id);
    return reply.code(204).send();
  });
}
