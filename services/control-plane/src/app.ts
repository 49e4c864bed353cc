/**
 * The control plane as a Fastify instance: store, worker pool and metrics first, then plugins
 * (errors, auth, back-pressure, OpenAPI), then the routes. `server.ts` only listens and stops.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import underPressure from '@fastify/under-pressure';
import { Registry } from 'prom-client';
import { ENGINE_VERSION } from '@numasim/node-sim';
import type { Config } from './config.js';
import { ApiErrors } from './errors.js';
import { openDb, startCheckpointer } from './store/db.js';
import { RunsRepo } from './store/runs-repo.js';
import { Executor, type RunEvent } from './runs/executor.js';
import type { RunExecutor } from './runs/run-executor.js';
import { QueueExecutor } from './queue/queue-executor.js';
import { SimMetrics } from './metrics/sim-metrics.js';
import { registerQueueMetrics, registerServiceMetrics } from './metrics/service-metrics.js';
import { installErrorHandling, sendError } from './http/error-handler.js';
import { installJsonBodyParser } from './http/json-body.js';
import { registerRunRoutes } from './http/routes-runs.js';
import { registerSweepRoutes } from './http/routes-sweeps.js';
import { registerWebRoutes } from './http/routes-web.js';
import { registerOpsRoutes } from './http/routes-ops.js';
import { registerCompareRoutes } from './http/routes-compare.js';
import { ErrorBody } from './http/schemas.js';
import { addWorkloadComponents, documentWorkloads } from './http/openapi-docs.js';
import { LiveViewCache, ReadCache } from './http/read-cache.js';
import type { Services } from './http/context.js';
import type { RunGate } from '@numasim/worker';

export interface BuiltApp {
  app: FastifyInstance;
  services: Services;
  /** Stops accepting, lets runs finish for the grace period (then re-queues them), closes the store. */
  shutdown(): Promise<void>;
}

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  if (config.logLevel === 'silent') return false;
  const base = { level: config.logLevel, redact: ['req.headers.authorization'] };
  return config.logPretty ? { ...base, transport: { target: 'pino-pretty', options: { colorize: process.stdout.isTTY } } } : base;
}

/** Test-only hooks: `gate` holds every embedded run at a simulated time until released. */
export interface TestHooks {
  gate?: RunGate;
}

export async function buildApp(config: Config, logger: FastifyServerOptions['logger'] = loggerOptions(config), hooks: TestHooks = {}): Promise<BuiltApp> {
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimitBytes,
    // One line per run transition and per error is the log; per-request lines would drown it under load.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { coerceTypes: false, allErrors: true, removeAdditional: false } },
    forceCloseConnections: true,
    // Errors the router raises before any handler (bad percent-encoding, overlong ids) get a code too.
    frameworkErrors: (err, _req, reply) => {
      void sendError(reply, ApiErrors.URL_INVALID, `the URL cannot be routed: ${err.message}`);
    },
  });
  installErrorHandling(app);
  installJsonBodyParser(app);

  const db = openDb(config.dbPath);
  const checkpointer = startCheckpointer(db, config.dbPath, 1000, (msg) => app.log.warn({ err: msg }, 'WAL checkpoint failed'));
  const repo = new RunsRepo(db);
  const requeued = repo.requeueRunning('the service stopped while the run was executing; re-queued at start-up');
  if (requeued.length > 0) app.log.warn({ runs: requeued }, 'runs re-queued after an unclean stop');
  const registry = new Registry();
  const simMetrics = new SimMetrics(registry, config.metricsMaxRuns, config.metricsRunTtlMs);
  const executor: RunExecutor = config.redisUrl
    ? new QueueExecutor(
        repo,
        { redisUrl: config.redisUrl, queueName: config.queueName, attempts: config.queueAttempts, backoffMs: config.queueBackoffMs, lockMs: config.queueLockMs },
        simMetrics,
        app.log,
      )
    : new Executor(repo, { concurrency: config.concurrency, maxEvents: config.maxEvents, runTimeoutMs: config.runTimeoutMs, workerHeapMb: config.workerHeapMb, workerNice: config.workerNice, workerIdle: config.workerIdle, debug: config.debug, gate: hooks.gate }, simMetrics, app.log);
  const liveViews = new LiveViewCache(4096, 1000);
  repo.onRunChanged((id) => liveViews.invalidate(id));
  executor.on('run', (ev: RunEvent) => liveViews.invalidate(ev.id));
  const services: Services = { config, db, repo, executor, registry, simMetrics, readCache: new ReadCache(64 * 1024 * 1024), liveViews, shuttingDown: false };
  registerServiceMetrics(registry, app, repo, () => executor);
  if (executor instanceof QueueExecutor) registerQueueMetrics(registry, executor);

  app.addHook('onRequest', async (req, reply) => {
    if (config.apiToken === undefined || ['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return;
    if (req.headers.authorization !== `Bearer ${config.apiToken}`) {
      return sendError(reply, ApiErrors.UNAUTHORIZED, 'this endpoint needs Authorization: Bearer <NUMASIM_API_TOKEN>', [], { 'www-authenticate': 'Bearer' });
    }
  });

  await app.register(underPressure, {
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    retryAfter: 5,
    pressureHandler: (_req, reply, type, value) => {
      void sendError(reply, ApiErrors.OVERLOADED, `the service is overloaded (${type}: ${value}); retry shortly`, [], { 'retry-after': '5' });
    },
  });

  app.addSchema(ErrorBody);
  await app.register(swagger, {
    openapi: {
      info: { title: 'numasim', version: ENGINE_VERSION, description: 'Simulate NUMA kernel memory management; runs, sweeps, reports, metrics. Error codes: docs/ERRORS.md.' },
      tags: [{ name: 'runs' }, { name: 'sweeps' }, { name: 'presets' }, { name: 'ops' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: documentWorkloads as never,
    transformObject: addWorkloadComponents as never,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerWebRoutes(app);
  registerOpsRoutes(app, services);
  registerRunRoutes(app, services);
  registerSweepRoutes(app, services);
  registerCompareRoutes(app, services);
  app.addHook('onReady', async () => executor.start());

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      services.shuttingDown = true;
      const { endAllStreams } = await import('./http/sse.js');
      endAllStreams();
      await app.close();
      await executor.shutdown(config.shutdownGraceMs);
      await checkpointer.stop();
      db.close();
    })());
  return { app, services, shutdown };
}
