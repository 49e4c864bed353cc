/** /v1/compare: any finished runs side by side — what each came from, its parameters, chosen metrics. */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { NumasimError } from '@numasim/shared';
import { ApiErrors } from '../errors.js';
import { defaultMetrics } from '../sweeps/grid.js';
import { checkMetrics, commaList } from '../compare/metrics.js';
import { COMPARE_FORMATS, compareBody, compareStatistics, compareTable, type CompareFormat } from '../compare/table.js';
import { storedReport } from '../compare/reports.js';
import type { Services } from './context.js';

/** Runs one comparison may name. */
export const MAX_COMPARE_RUNS = 500;

const RUN_LIST = '^[A-Za-z0-9_-]+( *, *[A-Za-z0-9_-]+)* *,? *$';

export function registerCompareRoutes(app: FastifyInstance, s: Services): void {
  app.get(
    '/v1/compare',
    {
      schema: {
        summary: 'Compare finished runs: one row per run with its preset, label, parameters and chosen metrics',
        description:
          'runs: comma-separated run ids (runs that succeeded; from any sweeps or none). metrics: comma-separated report paths, e.g. ' +
          '`locks.bench_lock.conPercent,workload.operationsPerSecond` (default: the first run\'s lock CON, UTIL, mean wait and hold). ' +
          'baseline: one of the runs, the reference for changes (default: the first). Runs that differ only in seed are replicates of one configuration: ' +
          '`statistics` gives each configuration\'s mean, stddev, CV, % change against the baseline and Welch\'s significance (p < 0.05). ' +
          'format=csv: one line per run; stats-csv: the statistics rows; text: the statistics as a plain-text table.',
        tags: ['runs'],
        querystring: Type.Object(
          {
            runs: Type.String({ minLength: 1, maxLength: 60_000, pattern: RUN_LIST, description: 'comma-separated run ids' }),
            metrics: Type.Optional(Type.String({ maxLength: 4000, description: 'comma-separated report paths' })),
            baseline: Type.Optional(Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9_-]+$', description: 'the run the others are measured against' })),
            format: Type.Optional(Type.Union(COMPARE_FORMATS.map((f) => Type.Literal(f)))),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const q = req.query as { runs: string; metrics?: string; baseline?: string; format?: CompareFormat };
      const ids = commaList(q.runs);
      if (ids.length > MAX_COMPARE_RUNS) {
        throw new NumasimError(ApiErrors.LIMIT_EXCEEDED, `querystring.runs: a comparison takes at most ${MAX_COMPARE_RUNS} runs (got ${ids.length})`, [
          { path: 'querystring.runs', reason: `at most ${MAX_COMPARE_RUNS} runs (got ${ids.length})` },
        ]);
      }
      if (q.baseline !== undefined && !ids.includes(q.baseline)) {
        throw new NumasimError(ApiErrors.BODY_INVALID, `querystring.baseline: ${JSON.stringify(q.baseline)} is not one of the compared runs`, [
          { path: 'querystring.baseline', reason: 'must be one of the runs in querystring.runs' },
        ]);
      }
      const runs = ids.map((id) => ({ id, run: s.repo.get(id) }));
      const missing = runs.filter((r) => r.run === undefined).map((r) => r.id);
      if (missing.length > 0) {
        throw new NumasimError(ApiErrors.RUN_NOT_FOUND, `no run ${missing.map((id) => JSON.stringify(id)).join(', ')}`, missing.map((id) => ({ path: 'querystring.runs', reason: `no run ${JSON.stringify(id)}` })));
      }
      const unfinished = runs.filter((r) => r.run!.status !== 'succeeded').map((r) => r.run!);
      if (unfinished.length > 0) {
        throw new NumasimError(
          ApiErrors.RUN_STATE_CONFLICT,
          `only runs that succeeded have reports to compare: ${unfinished.map((r) => `${r.id} is ${r.status}`).join(', ')}`,
          unfinished.map((r) => ({ path: 'querystring.runs', reason: `${r.id} is ${r.status}` })),
        );
      }
      const rows = runs.map(({ id, run }) => ({ run: run!, report: storedReport(s, id) }));
      const reports = rows.map((r) => r.report!);
      const asked = commaList(q.metrics);
      const metrics = asked.length > 0 ? asked : defaultMetrics(reports[0]);
      checkMetrics(metrics, reports);
      const table = compareTable(rows, metrics);
      const other = compareBody(table, q.format ?? 'json', q.baseline);
      if (other) return reply.type(other.type).send(other.body);
      return { runs: ids, baseline: q.baseline ?? null, ...table, statistics: compareStatistics(table, q.baseline) };
    },
  );
}
