/** Health, readiness, metrics and presets. */
import type { FastifyInstance } from 'fastify';
import { PRESETS, resolveWorkload } from '@numasim/shared';
import type { Services } from './context.js';

export function registerOpsRoutes(app: FastifyInstance, s: Services): void {
  app.get('/healthz', { schema: { summary: 'The process is alive', tags: ['ops'] } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { summary: 'The store and the worker pool are ready', tags: ['ops'] } }, async (_req, reply) => {
    let store = false;
    try {
      store = s.db.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      store = false;
    }
    const executor = await s.executor.ready().catch(() => false);
    const ready = store && executor && !s.shuttingDown;
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not ready', store, executor: { ready: executor, mode: s.config.redisUrl ? 'queue' : 'embedded', threads: s.executor.threads(), executing: s.executor.runningCount }, shuttingDown: s.shuttingDown });
  });

  app.get('/metrics', { schema: { summary: 'Prometheus exposition', tags: ['ops'] } }, async (_req, reply) => {
    return reply.type(s.registry.contentType).send(await s.registry.metrics());
  });

  const presets = PRESETS.map((p) => ({ name: p.name, summary: p.summary, workload: p.workload, config: resolveWorkload(p.workload) }));
  app.get('/v1/presets', { schema: { summary: 'Built-in workloads with their descriptions and resolved configs', tags: ['presets'] } }, async () => ({ presets }));
}
