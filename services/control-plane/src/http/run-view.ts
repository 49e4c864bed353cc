/** How a run looks to API clients. */
import { FINISHED, type RunRecord, type RunsRepo } from '../store/runs-repo.js';
import type { RunExecutor } from '../runs/run-executor.js';
import { progressView } from '../runs/progress-view.js';

export function runLinks(id: string): Record<string, string> {
  return {
    self: `/v1/runs/${id}`,
    report: `/v1/runs/${id}/report`,
    timeseries: `/v1/runs/${id}/timeseries`,
    events: `/v1/runs/${id}/events`,
    cancel: `/v1/runs/${id}/cancel`,
  };
}

export function runSummary(r: RunRecord) {
  return {
    id: r.id,
    status: r.status,
    kind: r.kind,
    seed: r.seed,
    configHash: r.configHash,
    preset: r.preset,
    overrides: r.overrides,
    label: r.label,
    sweepId: r.sweepId,
    params: r.params,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export function runView(r: RunRecord, repo: RunsRepo, executor: RunExecutor) {
  const transitions = repo.transitions(r.id);
  const startedAt = [...transitions].reverse().find((t) => t.status === 'running')?.at;
  const progress = progressView(r.status, executor.progressOf(r.id) ?? r.progress, r.config.durationNs, startedAt);
  return {
    ...runSummary(r),
    attempts: r.attempts,
    finished: FINISHED.has(r.status),
    transitions,
    progress,
    error: r.error,
    links: runLinks(r.id),
  };
}
