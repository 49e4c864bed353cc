/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal and at most ten times a
 * second, so piping the output or running in CI prints nothing extra.
 */
export interface ProgressBar {
  update(fraction: number, detail: string): void;
  done(): void;
}

const WIDTH = 30;
const MIN_INTERVAL_MS = 100;

export function progressBar(stream: NodeJS.WriteStream, label: string): ProgressBar {
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  let last = 0;
  let drawn = false;
  return {
    update(fraction, detail) {
      const now = Date.now();
      if (now - last < MIN_INTERVAL_MS && fraction < 1) return;
      last = now;
      const filled = Math.round(Math.min(1, Math.max(0, fraction)) * WIDTH);
      stream.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${detail}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
