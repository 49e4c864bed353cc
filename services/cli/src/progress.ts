/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal and at most ten times a
 * second, so piping the output or running in CI prints nothing extra. The fraction is the run's
 * (towards its workload's own end: kernbench's jobs, or durationNs), and so is the ETA.
 */
import type { RunProgress } from '@numasim/node-sim';

export interface ProgressBar {
  update(fraction: number, detail: string): void;
  done(): void;
}

const WIDTH = 30;
const MIN_INTERVAL_MS = 100;

/** What the bar says after its percentage: the work done and the simulated time. */
export function progressDetail(p: Pick<RunProgress, 'simulatedNs' | 'events' | 'progress'>): string {
  const time = `${(p.simulatedNs / 1e9).toFixed(3)} s simulated, ${p.events} events`;
  return p.progress.unit === 'simulated-ns' ? time : `${p.progress.done}/${p.progress.total} ${p.progress.unit}, ${time}`;
}

/** Seconds left at the rate so far, or null before there is a rate. */
export function etaSeconds(fraction: number, elapsedMs: number): number | null {
  if (!(fraction > 0) || fraction >= 1) return fraction >= 1 ? 0 : null;
  return (elapsedMs * (1 - fraction)) / fraction / 1000;
}

export function progressBar(stream: NodeJS.WriteStream, label: string): ProgressBar {
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  const started = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(fraction, detail) {
      const now = Date.now();
      if (now - last < MIN_INTERVAL_MS && fraction < 1) return;
      last = now;
      const filled = Math.round(Math.min(1, Math.max(0, fraction)) * WIDTH);
      const eta = etaSeconds(fraction, now - started);
      const etaText = eta === null ? '' : `, ETA ${eta.toFixed(0)} s`;
      stream.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${detail}${etaText}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
