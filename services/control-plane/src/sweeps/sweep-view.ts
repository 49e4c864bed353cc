/** How a sweep looks to API clients: its status from its runs' statuses, its request, its runs. */
import type { RunRecord, RunStatus, SweepRecord } from '../store/runs-repo.js';
import type { WorkloadInput } from '../runs/submit.js';
import { originOf } from '../http/origin.js';
import type { Grid } from './grid.js';

export interface SweepRequest {
  base: WorkloadInput;
  grid: Grid;
  replicates: number;
  label?: string;
}

export type SweepStatus = RunStatus | 'partial';

/** A sweep is running while any run is (or some ran and others wait), and ends as its runs did. */
export function sweepStatus(counts: Record<RunStatus, number>): SweepStatus {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (counts.running > 0 || (counts.queued > 0 && counts.queued < total)) return 'running';
  if (counts.queued === total) return 'queued';
  if (counts.succeeded === total) return 'succeeded';
  if (counts.cancelled === total) return 'cancelled';
  return counts.succeeded > 0 ? 'partial' : 'failed';
}

export function countStatuses(children: readonly RunRecord[]): Record<RunStatus, number> {
  const counts: Record<RunStatus, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
  for (const c of children) counts[c.status]++;
  return counts;
}

export function sweepLinks(id: string): Record<string, string> {
  return { self: `/v1/sweeps/${id}`, runs: `/v1/runs?sweep=${id}`, compare: `/v1/sweeps/${id}/compare`, plot: `/v1/sweeps/${id}/plot.svg` };
}

export function sweepView(sweep: SweepRecord, children: readonly RunRecord[]) {
  const all = countStatuses(children);
  const counts = Object.fromEntries(Object.entries(all).filter(([, n]) => n > 0));
  return {
    id: sweep.id,
    status: sweepStatus(all),
    label: sweep.label,
    createdAt: sweep.createdAt,
    counts,
    request: sweep.request,
    children: children.map((c) => ({ id: c.id, params: c.params, seed: c.seed, status: c.status })),
    links: sweepLinks(sweep.id),
  };
}

/** An item of `GET /v1/sweeps`. */
export function sweepListItem(sweep: SweepRecord, counts: Record<RunStatus, number>) {
  const request = sweep.request as SweepRequest;
  const { preset, overrides } = originOf(request.base, undefined);
  return {
    id: sweep.id,
    status: sweepStatus(counts),
    label: sweep.label,
    createdAt: sweep.createdAt,
    grid: request.grid,
    replicates: request.replicates ?? 1,
    base: { preset, overrides },
    runs: { total: Object.values(counts).reduce((a, b) => a + b, 0), ...counts },
    links: sweepLinks(sweep.id),
  };
}
