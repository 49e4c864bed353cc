/** @numasim/node-sim: the engine and the model. Nothing here imports HTTP code. */
export * from './errors.js';
export * from './version.js';
export * from './engine/rng.js';
export * from './engine/distributions.js';
export * from './engine/kernel.js';
export * from './engine/pending-set.js';
export * from './engine/event-heap.js';
export * from './engine/calendar-queue.js';
export * from './machine/topology.js';
export * from './locks/lock-registry.js';
export * from './locks/lock-stats.js';
export * from './locks/spinlock.js';
export * from './workloads/model.js';
export * from './run/lock-report.js';
export * from './run/run-workload.js';
export * from './bench/phold.js';
export * from './run/series.js';
