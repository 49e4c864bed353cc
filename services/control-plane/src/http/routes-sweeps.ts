/** /v1/sweeps: a grid of runs over --set keys, listed, compared side by side and plotted. */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { configHash, NumasimError, PLOT_SPREADS, type PlotSpread, type Report } from '@numasim/shared';
import { ApiErrors } from '../errors.js';
import { newId, type RunRecord } from '../store/runs-repo.js';
import { checkLimits, overridesOf, replicateSeed, requestHash, resolveInput, type WorkloadInput } from '../runs/submit.js';
import { defaultMetrics, expandGrid, type Grid } from '../sweeps/grid.js';
import { renderSweepPlotSvg } from '../sweeps/plot-svg.js';
import { countStatuses, sweepListItem, sweepStatus, sweepView, type SweepRequest } from '../sweeps/sweep-view.js';
import { checkMetrics, commaList } from '../compare/metrics.js';
import { COMPARE_FORMATS, compareBody, compareStatistics, compareTable, type CompareFormat } from '../compare/table.js';
import { withReports } from '../compare/reports.js';
import type { Services } from './context.js';
import { sendError } from './error-handler.js';
import { pageLimit, refuseWhenFullOrStopping } from './routes-runs.js';
import { Label, pageQuery, SweepInput } from './schemas.js';
import { originOf } from './origin.js';

const SweepParams = Type.Object({ id: Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) });

interface SweepBody {
  base: WorkloadInput;
  grid: Grid;
  replicates?: number;
  label?: string;
}

export function registerSweepRoutes(app: FastifyInstance, s: Services): void {
  app.post(
    '/v1/sweeps',
    {
      schema: {
        summary: 'Submit a sweep: a grid of runs',
        description: 'Send Idempotency-Key to make retries safe: the same key and body answer the sweep it made (200); another body with that key is refused (422).',
        tags: ['sweeps'],
        body: SweepInput,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
      },
    },
    async (req, reply) => {
      const body = req.body as SweepBody;
      const key = (req.headers['idempotency-key'] as string | undefined) ?? undefined;
      const hash = requestHash(body);
      const replay = () => {
        const existing = key ? s.repo.sweepByIdempotencyKey(key) : undefined;
        if (!existing) return undefined;
        if (existing.requestHash !== hash) {
          return sendError(reply, ApiErrors.IDEMPOTENCY_MISMATCH, `Idempotency-Key ${JSON.stringify(key)} was used for a different request (sweep ${existing.id})`, [
            { path: 'idempotency-key', reason: 'already used with another body' },
          ]);
        }
        return reply.code(200).header('location', `/v1/sweeps/${existing.id}`).send(sweepView(existing, s.repo.sweepChildren(existing.id)));
      };
      const replayed = replay();
      if (replayed) return replayed;
      const replicates = body.replicates ?? 1;
      const points = expandGrid(body.grid, replicates, s.config.maxSweepRuns);
      const base = resolveInput(body.base);
      const children = points.map((p, i) => {
        const sets = overridesOf(Object.fromEntries(Object.entries(p.params).filter(([k]) => k !== 'replicate')), 'grid');
        let config;
        try {
          config = resolveInput(body.base, [...sets, { path: 'seed', segments: ['seed'], value: replicateSeed(base.seed, p.replicate) }]);
        } catch (e) {
          if (e instanceof NumasimError) {
            const issues = e.issues.map((x) => ({ path: `grid[${i}] ${JSON.stringify(p.params)}: ${x.path}`, reason: x.reason }));
            throw new NumasimError({ code: e.code, status: e.status, user: e.user, summary: '' }, `sweep point ${i} ${JSON.stringify(p.params)}: ${e.message}`, issues);
          }
          throw e;
        }
        checkLimits(config, s.config, `grid[${i}]`);
        return { config, params: p.params };
      });
      const refused = refuseWhenFullOrStopping(s, reply, children.length);
      if (refused) return refused;
      const id = newId('swp');
      const request: SweepRequest = { ...body, replicates };
      const origin = originOf(body.base, body.label);
      let runs: RunRecord[];
      try {
        runs = s.repo.create(
          children.map((c) => ({ config: c.config, configHash: configHash(c.config), sweepId: id, params: c.params, ...origin, requestHash: requestHash(c.config) })),
          { id, request, label: body.label, idempotencyKey: key, requestHash: hash },
        );
      } catch (e) {
        // Two requests with one key raced: the loser answers like a retry.
        if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && key) return replay();
        throw e;
      }
      req.log.info({ sweepId: id, runs: children.length, preset: origin.preset }, 'sweep queued');
      s.executor.submitted(runs, id);
      return reply.code(202).header('location', `/v1/sweeps/${id}`).send(sweepView(s.repo.sweep(id)!, s.repo.sweepChildren(id)));
    },
  );

  app.get(
    '/v1/sweeps',
    {
      schema: {
        summary: 'List sweeps, newest first',
        description: 'Each with its grid, base workload and how many of its runs are in each status. `label` filters (exact).',
        tags: ['sweeps'],
        querystring: Type.Object({ label: Type.Optional(Label), ...pageQuery }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const q = req.query as { label?: string; limit?: string; cursor?: string };
      const limit = pageLimit(reply, q.limit);
      if (typeof limit !== 'number') return limit;
      const sweeps = s.repo.listSweeps({ label: q.label, limit: limit + 1, beforeSeq: q.cursor === undefined ? undefined : Number(q.cursor) });
      const page = sweeps.slice(0, limit);
      const counts = s.repo.sweepCounts(page.map((x) => x.id));
      return { items: page.map((x) => sweepListItem(x, counts.get(x.id)!)), nextCursor: sweeps.length > limit ? String(page[page.length - 1].seq) : null };
    },
  );

  const load = (id: string) => {
    const sweep = s.repo.sweep(id);
    return sweep ? { sweep, children: s.repo.sweepChildren(id) } : undefined;
  };

  app.get('/v1/sweeps/:id', { schema: { summary: 'A sweep and the status of its runs', tags: ['sweeps'], params: SweepParams } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const found = load(id);
    if (!found) return sendError(reply, ApiErrors.SWEEP_NOT_FOUND, `no sweep ${JSON.stringify(id)}`);
    return sweepView(found.sweep, found.children);
  });

  const finishedReports = (rows: { report: Report | undefined }[]) => rows.map((r) => r.report).filter((r): r is Report => r !== undefined);

  app.get(
    '/v1/sweeps/:id/compare',
    {
      schema: {
        summary: 'One row per run of a sweep: the grid parameters and chosen metrics',
        description:
          'metrics: comma-separated report paths, e.g. `locks.bench_lock.conPercent,workload.operationsPerSecond` (default: each lock\'s CON, UTIL, mean wait and hold). ' +
          'Runs not finished yet have null values. A metric that is a number in no finished run\'s report is refused (NUMASIM_ERR_API_METRIC_UNKNOWN). `statistics`: per grid point (replicates grouped) mean, stddev, CV, % change against the first point and Welch\'s significance. ' +
          'format=csv: one line per run; stats-csv: the statistics rows; text: the statistics as a plain-text table.',
        tags: ['sweeps'],
        params: SweepParams,
        querystring: Type.Object(
          { metrics: Type.Optional(Type.String({ maxLength: 4000 })), format: Type.Optional(Type.Union(COMPARE_FORMATS.map((f) => Type.Literal(f)))) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const q = req.query as { metrics?: string; format?: CompareFormat };
      const found = load(id);
      if (!found) return sendError(reply, ApiErrors.SWEEP_NOT_FOUND, `no sweep ${JSON.stringify(id)}`);
      const rows = withReports(s, found.children);
      const reports = finishedReports(rows);
      const asked = commaList(q.metrics);
      const metrics = asked.length > 0 ? asked : defaultMetrics(reports[0]);
      checkMetrics(metrics, reports);
      const table = compareTable(rows, metrics, (run) => run.params ?? {});
      const other = compareBody(table, q.format ?? 'json');
      if (other) return reply.type(other.type).send(other.body);
      return {
        id,
        status: sweepStatus(countStatuses(found.children)),
        label: found.sweep.label,
        parameters: Object.keys((found.sweep.request as SweepBody).grid).concat('replicate'),
        metrics,
        rows: table.rows,
        statistics: compareStatistics(table),
      };
    },
  );

  app.get(
    '/v1/sweeps/:id/plot.svg',
    {
      schema: {
        summary: 'A line chart of one metric against one grid parameter',
        description: 'metric: a report path (as in compare); x: a grid key; series: another grid key, one line per value (optional). Replicates and other parameters are averaged.',
        tags: ['sweeps'],
        params: SweepParams,
        querystring: Type.Object(
          {
            metric: Type.String({ minLength: 1, maxLength: 400 }),
            x: Type.String({ minLength: 1, maxLength: 200 }),
            series: Type.Optional(Type.String({ maxLength: 200 })),
            spread: Type.Optional(Type.Union(PLOT_SPREADS.map((v) => Type.Literal(v)), { description: 'around each mean of replicates: stddev (±1 standard deviation, the default) or ci95 (the 95% confidence interval of the mean)' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const q = req.query as { metric: string; x: string; series?: string; spread?: PlotSpread };
      const found = load(id);
      if (!found) return sendError(reply, ApiErrors.SWEEP_NOT_FOUND, `no sweep ${JSON.stringify(id)}`);
      const keys = Object.keys((found.sweep.request as SweepBody).grid);
      for (const [field, key] of [['x', q.x], ['series', q.series]] as const) {
        if (key !== undefined && !keys.includes(key)) {
          return sendError(reply, ApiErrors.BODY_INVALID, `querystring.${field}: ${JSON.stringify(key)} is not a grid parameter of this sweep (${keys.join(', ')})`, [
            { path: `querystring.${field}`, reason: `must be one of: ${keys.join(', ')}` },
          ]);
        }
      }
      const rows = withReports(s, found.children);
      checkMetrics([q.metric], finishedReports(rows), 'querystring.metric');
      const request = found.sweep.request as SweepBody;
      const svg = await renderSweepPlotSvg({
        id, base: request.base as { preset?: string; set?: unknown }, grid: request.grid, replicates: request.replicates ?? 1,
        runs: rows.filter((r) => r.report !== undefined).map(({ run, report }) => ({ params: run.params, report: report as Report })), metric: q.metric, x: q.x, series: q.series, spread: q.spread,
      });
      if (svg === undefined) {
        return sendError(reply, ApiErrors.RUN_STATE_CONFLICT, `no run of sweep ${id} has a number at ${JSON.stringify(q.metric)} yet (finished runs: ${found.children.filter((c) => c.status === 'succeeded').length})`);
      }
      return reply.type('image/svg+xml').send(svg);
    },
  );
}
