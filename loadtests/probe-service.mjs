// Loaded into the service with `--import` when the load tests run with `--probe`: records the main
// thread's event-loop delay (perf_hooks.monitorEventLoopDelay, a histogram of its own that no
// /metrics scrape resets) per 100 ms window, plus garbage-collection pauses and slow SQLite calls,
// with wall-clock stamps, and writes them to NUMASIM_PROBE_OUT when the process exits. Diagnostic only: the service
// does not need it.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const out = process.env.NUMASIM_PROBE_OUT;
if (isMainThread && out) {
  const now = () => performance.timeOrigin + performance.now();
  const win = monitorEventLoopDelay({ resolution: 2 });
  win.enable();
  /** [epoch ms at the window's end, max delay ms, p99 delay ms, samples] */
  const windows = [];
  setInterval(() => {
    windows.push([Math.round(now()), win.max / 1e6, win.percentile(99) / 1e6, win.count]);
    win.reset();
  }, 100).unref();
  // Synchronous work that can hold the event loop: garbage collection pauses and SQLite calls
  // (statements and transaction commits), each with its wall-clock stamp when it took ≥ 2 ms.
  /** [epoch ms at the start, kind, duration ms, detail] */
  const slow = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.duration >= 2) slow.push([Math.round(performance.timeOrigin + e.startTime), 'gc', e.duration, e.detail?.kind]);
  }).observe({ entryTypes: ['gc'] });
  try {
    const require = createRequire(new URL('../services/control-plane/package.json', import.meta.url));
    const Database = require('better-sqlite3');
    const db = new Database(':memory:');
    const proto = Object.getPrototypeOf(db.prepare('SELECT 1'));
    db.close();
    for (const m of ['run', 'get', 'all']) {
      const original = proto[m];
      proto[m] = function timed(...args) {
        const t0 = performance.now();
        try {
          return original.apply(this, args);
        } finally {
          const ms = performance.now() - t0;
          if (ms >= 2) slow.push([Math.round(performance.timeOrigin + t0), `sqlite ${m}`, ms, this.source.slice(0, 60)]);
        }
      };
    }
  } catch (e) {
    slow.push([Date.now(), 'probe', 0, `cannot time SQLite: ${e.message}`]);
  }
  process.on('exit', () => {
    writeFileSync(out, JSON.stringify({ pid: process.pid, resolutionMs: 2, windows, slow }));
  });
}
