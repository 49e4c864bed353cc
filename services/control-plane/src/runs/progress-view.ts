/**
 * A run's progress as the API shows it: how far towards its workload's own end (kernbench: jobs
 * finished of jobs; fixed-duration workloads: simulated ns of durationNs), and an ETA at the rate
 * so far. The fraction is the engine's (node-sim progress.ts), never recomputed here.
 */
import type { RunProgressRecord, RunStatus } from '../store/runs-repo.js';

export interface ProgressView {
  fraction: number;
  unit: 'jobs' | 'processes' | 'simulated-ns';
  done: number;
  total: number;
  simulatedNs: number;
  durationNs: number;
  events: number;
  /** Wall time left at the rate so far, ms; null when not running or before any progress. */
  etaMs: number | null;
  /** The same, in seconds (kept for older clients). */
  etaSeconds: number | null;
}

export function progressView(status: RunStatus, p: RunProgressRecord | null | undefined, durationNs: number, startedAt: string | undefined, now = Date.now()): ProgressView | null {
  if (!p) {
    if (status !== 'queued' && status !== 'running') return null;
    return { fraction: 0, unit: 'simulated-ns', done: 0, total: durationNs, simulatedNs: 0, durationNs, events: 0, etaMs: null, etaSeconds: null };
  }
  // Rows stored before the unit existed measured simulated time only.
  const fraction = status === 'succeeded' ? 1 : (p.fraction ?? (p.durationNs > 0 ? Math.min(1, p.simulatedNs / p.durationNs) : 0));
  const unit = p.unit ?? 'simulated-ns';
  let etaMs: number | null = null;
  if (status === 'running' && startedAt && fraction > 0) {
    const elapsed = now - Date.parse(startedAt);
    etaMs = Math.max(0, Math.round((elapsed * (1 - fraction)) / fraction));
  }
  return {
    fraction: Math.round(fraction * 10000) / 10000,
    unit,
    done: p.done ?? p.simulatedNs,
    total: p.total ?? p.durationNs,
    simulatedNs: p.simulatedNs,
    durationNs: p.durationNs,
    events: p.events,
    etaMs,
    etaSeconds: etaMs === null ? null : Math.round(etaMs / 100) / 10,
  };
}
