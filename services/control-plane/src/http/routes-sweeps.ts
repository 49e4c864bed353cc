/** /v1/sweeps: a grid of runs over --set keys, compared side by side and plotted. */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { configHash, NumasimError, type Report } from '@numasim/shared';
import { ApiErrors } from '../errors.js';
import { newId, type RunRecord, type RunStatus } from '../store/runs-repo.js';
import { checkLimits, overridesOf, replicateSeed, requestHash, resolveInput, type WorkloadInput } from '../runs/submit.js';
import { defaultMetrics, expandGrid, metricValue, type Grid } from '../sweeps/grid.js';
import { renderSweepPlotSvg } from '../sweeps/plot-svg.js';
import type { Services } from './context.js';
import { sendError } from './error-handler.js';
import { refuseWhenFullOrStopping } from './routes-runs.js';
import { SweepInput } from './schemas.js';

const SweepParams = Type.Object({ id: Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) });

interface SweepBody {
  base: WorkloadInput;
  grid: Grid;
  replicates?: number;
}

function sweepStatus(children: RunRecord[]): RunStatus | 'partial' {
  const n = (st: RunStatus) => children.filter((c) => c.status === st).length;
  if (n('running') > 0 || (n('queued') > 0 && n('queued') < children.length)) return 'running';
  if (n('queued') === children.length) return 'queued';
  if (n('succeeded') === children.length) return 'succeeded';
  if (n('cancelled') === children.length) return 'cancelled';
  return n('succeeded') > 0 ? 'partial' : 'failed';
}

function sweepView(id: string, children: RunRecord[], request: unknown) {
  const counts: Record<string, number> = {};
  for (const c of children) counts[c.status] = (counts[c.status] ?? 0) + 1;
  return {
    id,
    status: sweepStatus(children),
    counts,
    request,
    children: children.map((c) => ({ id: c.id, params: c.params, seed: c.seed, status: c.status })),
    links: { self: `/v1/sweeps/${id}`, compare: `/v1/sweeps/${id}/compare`, plot: `/v1/sweeps/${id}/plot.svg` },
  };
}

export function registerSweepRoutes(app: FastifyInstance, s: Services): void {
  app.post('/v1/sweeps', { schema: { summary: 'Submit a sweep: a grid of runs', tags: ['sweeps'], body: SweepInput } }, async (req, reply) => {
    const body = req.body as SweepBody;
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
    const request = { ...body, replicates };
    const runs = s.repo.create(
      children.map((c) => ({ config: c.config, configHash: configHash(c.config), sweepId: id, params: c.params, requestHash: requestHash(c.config) })),
      { id, request },
    );
    req.log.info({ sweepId: id, runs: children.length }, 'sweep queued');
    s.executor.submitted(runs, id);
    return reply.code(202).header('location', `/v1/sweeps/${id}`).send(sweepView(id, s.repo.sweepChildren(id), request));
  });

  const load = (id: string) => {
    const sweep = s.repo.sweep(id);
    return sweep ? { sweep, children: s.repo.sweepChildren(id) } : undefined;
  };

  app.get('/v1/sweeps/:id', { schema: { summary: 'A sweep and the status of its runs', tags: ['sweeps'], params: SweepParams } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const found = load(id);
    if (!found) return sendError(reply, ApiErrors.SWEEP_NOT_FOUND, `no sweep ${JSON.stringify(id)}`);
    return sweepView(id, found.children, found.sweep.request);
  });

  const reports = (children: RunRecord[]) =>
    children.map((c) => {
      const json = s.repo.reportJson(c.id);
      return { child: c, report: json ? (JSON.parse(json) as Report) : undefined };
    });

  app.get(
    '/v1/sweeps/:id/compare',
    {
      schema: {
        summary: 'One row per run: the grid parameters and chosen metrics',
        description: 'metrics: comma-separated report paths, e.g. `locks.bench_lock.conPercent,workload.operationsPerSecond` (default: each lock\'s CON, UTIL, mean wait and hold).',
        tags: ['sweeps'],
        params: SweepParams,
        querystring: Type.Object({ metrics: Type.Optional(Type.String({ maxLength: 4000 })) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const found = load(id);
      if (!found) return sendError(reply, ApiErrors.SWEEP_NOT_FOUND, `no sweep ${JSON.stringify(id)}`);
      const rows = reports(found.children);
      const q = (req.query as { metrics?: string }).metrics;
      const metrics = q ? q.split(',').map((m) => m.trim()).filter(Boolean) : defaultMetrics(rows.find((r) => r.report)?.report as never);
      return {
        id,
        status: sweepStatus(found.children),
        parameters: Object.keys((found.sweep.request as SweepBody).grid).concat('replicate'),
        metrics,
        rows: rows.map(({ child, report }) => ({
          id: child.id,
          status: child.status,
          seed: child.seed,
          params: child.params,
          values: Object.fromEntries(metrics.map((m) => [m, report ? (metricValue(report, m) ?? null) : null])),
        })),
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
          { metric: Type.String({ minLength: 1, maxLength: 400 }), x: Type.String({ minLength: 1, maxLength: 200 }), series: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const q = req.query as { metric: string; x: string; series?: string };
      const found = load(id);
      if (!found) return sendError(reply, ApiErrors.SWEEP_NOT_FOUND, `no sweep ${JSON.stringify(id)}`);
      const keys = Object.keys((found.sweep.request as SweepBody).grid);
      for (const [field, key] of [['x', q.x], ['series', q.series]] as const) {
        if (key !== undefined && !keys.includes(key)) {
          return sendError(reply, ApiErrors.BODY_INVALID, `querystring.${field}: ${JSON.stringify(key)} is not a grid parameter of this sweep (${keys.join(', ')})`, [
            { path: `querystring.${field}`, reason: `must be one of ${keys.join(', ')}` },
          ]);
        }
      }
      const request = found.sweep.request as SweepBody;
      const svg = await renderSweepPlotSvg({
        id, base: request.base as { preset?: string; set?: unknown }, grid: request.grid, replicates: request.replicates ?? 1,
        runs: reports(found.children).map(({ child, report }) => ({ params: child.params, report })), metric: q.metric, x: q.x, series: q.series,
      });
      if (svg === undefined) {
        return sendError(reply, ApiErrors.RUN_STATE_CONFLICT, `no run of sweep ${id} has a number at ${JSON.stringify(q.metric)} yet (finished runs: ${found.children.filter((c) => c.status === 'succeeded').length})`);
      }
      return reply.type('image/svg+xml').send(svg);
    },
  );
}
