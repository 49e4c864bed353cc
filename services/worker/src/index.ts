/**
 * @numasim/worker: executing runs. The worker-thread pool the control plane's embedded mode runs
 * simulations on, and the queue-mode fleet worker behind `numasim worker`. Nothing here imports
 * the HTTP side (no Fastify, no SQLite store).
 */
export * from './errors.js';
export * from './env.js';
export * from './messages.js';
export * from './lock-snapshot.js';
export * from './failure.js';
export * from './gate.js';
export * from './pool.js';
export * from './queue-protocol.js';
export * from './fleet-worker.js';
