/** How a run looks to API clients. */
import { FINISHED, type RunRecord, type RunsRepo } from '../store/runs-repo.js';
import type { RunExecutor } from '../runs/run-executor.js';

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
  const live = executor.progressOf(r.id);
  const p = live ?? r.progress;
  let progress = null;
  if (p) {
    const fraction = p.durationNs > 0 ? p.simulatedNs / p.durationNs : 0;
    const startedAt = [...transitions].reverse().find((t) => t.status === 'running')?.at;
    let etaSeconds: number | null = null;
    if (r.status === 'running' && startedAt && fraction > 0) {
      const elapsed = (Date.now() - Date.parse(startedAt)) / 1000;
      etaSeconds = Math.max(0, Math.round(((elapsed * (1 - fraction)) / fraction) * 10) / 10);
    }
    progress = { simulatedNs: p.simulatedNs, durationNs: p.durationNs, fraction: Math.round(fraction * 10000) / 10000, events: p.events, etaSeconds };
  } else if (r.status === 'queued' || r.status === 'running') {
    progress = { simulatedNs: 0, durationNs: r.config.durationNs, fraction: 0, events: 0, etaSeconds: null };
  }
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
