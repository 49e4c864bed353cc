/**
 * From a request body to resolved workloads: a preset or an inline workload, plus `set`
 * overrides (an object of path → value, or a list of "path=value" strings, as `--set` takes),
 * checked against the service's per-run limits.
 */
import { createHash } from 'node:crypto';
import {
  canonicalJson,
  getPreset,
  NumasimError,
  parseSetOverride,
  parseSetPath,
  resolveWorkload,
  SharedErrors,
  type SetOverride,
  type WorkloadConfig,
} from '@numasim/shared';
import type { Config } from '../config.js';
import { ApiErrors } from '../errors.js';

export interface WorkloadInput {
  workload?: Record<string, unknown>;
  preset?: string;
  set?: Record<string, unknown> | string[];
}

export function overridesOf(set: WorkloadInput['set'], where = 'set'): SetOverride[] {
  if (set === undefined) return [];
  if (Array.isArray(set)) return set.map((s) => parseSetOverride(s));
  return Object.entries(set).map(([path, value]) => {
    try {
      return { path, segments: parseSetPath(path), value };
    } catch (e) {
      if (e instanceof NumasimError) throw new NumasimError(SharedErrors.SET_PATH_INVALID, `${where}: ${e.message.replace(/^--set /, '')}`, e.issues);
      throw e;
    }
  });
}

export function baseDocument(input: WorkloadInput): Record<string, unknown> {
  if ((input.workload === undefined) === (input.preset === undefined)) {
    throw new NumasimError(ApiErrors.BODY_INVALID, 'give exactly one of "workload" (an inline workload) or "preset" (a preset name)', [
      { path: input.workload === undefined ? 'workload' : 'preset', reason: 'exactly one of workload and preset is required' },
    ]);
  }
  return input.preset !== undefined ? { ...getPreset(input.preset).workload } : input.workload!;
}

export function resolveInput(input: WorkloadInput, extra: readonly SetOverride[] = []): WorkloadConfig {
  return resolveWorkload(baseDocument(input), [...overridesOf(input.set), ...extra]);
}

/** Throws NUMASIM_ERR_API_LIMIT_EXCEEDED naming the field when a workload is beyond the per-run limits. */
export function checkLimits(cfg: WorkloadConfig, limits: Config, where = ''): void {
  const issues: { path: string; reason: string }[] = [];
  const at = (f: string) => (where ? `${where}.${f}` : f);
  if (cfg.durationNs > limits.maxDurationNs) issues.push({ path: at('durationNs'), reason: `must be at most ${limits.maxDurationNs} ns on this service (NUMASIM_MAX_DURATION_NS; got ${cfg.durationNs})` });
  if (cfg.nodes > limits.maxNodes) issues.push({ path: at('nodes'), reason: `must be at most ${limits.maxNodes} on this service (NUMASIM_MAX_NODES; got ${cfg.nodes})` });
  const cpus = cfg.nodes * cfg.cpusPerNode;
  if (cpus > limits.maxCpus) issues.push({ path: at('cpusPerNode'), reason: `nodes × cpusPerNode must be at most ${limits.maxCpus} on this service (NUMASIM_MAX_CPUS; got ${cpus})` });
  if (issues.length > 0) {
    throw new NumasimError(ApiErrors.LIMIT_EXCEEDED, `the workload is beyond this service's limits: ${issues.map((i) => `${i.path}: ${i.reason}`).join('; ')}`, issues);
  }
}

export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** Seed of replicate r of a sweep (shared with the CLI's `numasim sweep`). */
export { replicateSeed } from '@numasim/shared';
