/** What the routes share: configuration, the store, the executor, the metrics. */
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import type { RunsRepo } from '../store/runs-repo.js';
import type { RunExecutor } from '../runs/run-executor.js';
import type { SimMetrics } from '../metrics/sim-metrics.js';
import type { LiveViewCache, ReadCache } from './read-cache.js';

export interface Services {
  config: Config;
  db: Db;
  repo: RunsRepo;
  executor: RunExecutor;
  registry: Registry;
  simMetrics: SimMetrics;
  /** Serialized views and reports of finished runs. */
  readCache: ReadCache;
  /** Serialized views of queued and running runs, until their next change. */
  liveViews: LiveViewCache;
  /** True once shutdown began: submissions are refused. */
  shuttingDown: boolean;
}
