/**
 * The code that runs in a node worker thread: one long task per run. It builds the whole model
 * (the same constructor code as an inline run, so every LP exists here with the same state), keeps
 * only its own nodes' LPs, and runs them window by window in step with the other workers.
 *
 * Windows. After a barrier every thread knows the earliest pending event anywhere, T. No event
 * handled at or after T can reach another LP before T + lookahead, so every thread may handle all
 * its events up to T + lookahead − 1 without waiting for anyone: that is one window. Idle time is
 * skipped because T is the next event, not the end of the previous window. Windows also end at the
 * slice ends an inline run uses (sample times and every 1% of the run), so each slice ends with
 * exactly the events an inline run has handled by then, and the sampled series match.
 *
 * Imports the engine and the model only: nothing of the HTTP side.
 */
import { isNumasimError, NumasimError } from '@numasim/shared';
import { EngineErrors } from '../errors.js';
import { Kernel } from '../engine/kernel.js';
import { Outbox } from '../engine/outbox.js';
import { buildModel, PROGRESS_SLICES } from '../run/run-workload.js';
import { mergeLockStats } from '../run/lock-report.js';
import { sampleInterval } from '../run/series.js';
import { AbortedError, Exchange } from './exchange.js';
import { runUntilAdvancing } from '../engine/stall-guard.js';
import { captureLp, sharedObjects } from './lp-state.js';
import type { NodeTask, NodeTaskResult, SliceMessage } from './messages.js';

export default function runNodeTask(task: NodeTask): NodeTaskResult {
  const started = performance.now();
  try {
    return run(task, started);
  } catch (e) {
    if (e instanceof AbortedError) return { ok: false, aborted: true };
    if (isNumasimError(e)) return { ok: false, aborted: false, code: e.code, message: e.message };
    return { ok: false, aborted: false, code: '', message: e instanceof Error ? e.message : String(e) };
  } finally {
    task.port.close();
  }
}

function run(task: NodeTask, started: number): NodeTaskResult {
  const cfg = task.config;
  const threads = task.exchange.threads;
  const threadOf = Int32Array.from(task.threadOfNode);
  const owned = Uint8Array.from(threadOf, (t) => (t === task.thread ? 1 : 0));
  const outbox = new Outbox(threadOf, threads);
  const model = buildModel(cfg, task.queue, task.debug);
  const kernel: Kernel = model.kernel;
  kernel.partition(owned, outbox);
  const ex = new Exchange(task.exchange, task.thread, task.spin);
  const L = kernel.lookaheadNs;
  const interval = sampleInterval(cfg.durationNs, cfg.sampleEveryNs);
  const progressSlice = Math.max(1, Math.ceil(cfg.durationNs / PROGRESS_SLICES));
  const maxEvents = task.maxEvents;
  const ownStats = () => mergeLockStats(model.registry, model.lockStats().filter((_, lp) => owned[lp] === 1));

  let view = ex.endWindow(kernel, outbox); // everyone's first event
  let windows = 0;
  let slice = 0;
  let nextSample = interval;
  let endNs = cfg.durationNs;
  for (let until = 0; until < endNs; ) {
    const from = until;
    until = Math.min(cfg.durationNs, until + progressSlice, nextSample);
    while (view.nextNs <= until) {
      // Windows end before the first event still waiting for room in a mailbox.
      const end = Math.min(view.nextNs + L - 1, until, view.undeliveredNs - 1);
      runUntilAdvancing(kernel, end, maxEvents - view.events + 1);
      if (task.fault && task.fault.thread === task.thread && windows === task.fault.atWindow) injectFault(task.fault.kind);
      view = ex.endWindow(kernel, outbox);
      windows++;
      if (view.events > maxEvents) {
        throw new NumasimError(
          EngineErrors.EVENT_BUDGET_EXCEEDED,
          `the run needed more than ${maxEvents} events (stopped near ${until} of ${cfg.durationNs} simulated ns); shorten durationNs or raise the event limit`,
        );
      }
    }
    // Nothing left anywhere: the run ends with its last event, as an inline run does.
    if (view.nextNs === Infinity) until = endNs = Math.max(view.lastEventNs, from + 1);
    const sample = until === nextSample || until === endNs;
    if (sample) nextSample += interval;
    const msg: SliceMessage = { thread: task.thread, slice: slice++, untilNs: until, events: view.events, sample, final: until >= endNs, stats: ownStats() };
    // Counters of LPs this thread does not run stay at zero here: the coordinator adds the threads' figures.
    const work = model.progress?.();
    if (work) msg.work = work;
    if (sample && model.memory) msg.zones = ownZones(model.memory().zones, owned);
    task.port.postMessage(msg);
  }
  const lps = Array.from({ length: kernel.lpCount }, (_, i) => kernel.lpAt(i));
  const shared = sharedObjects(lps);
  const states = lps.flatMap((lp, i) => (owned[i] === 1 ? [{ lp: i, state: captureLp(lp, shared) }] : []));
  return {
    ok: true,
    slices: slice,
    endNs,
    events: view.events,
    lastEventNs: view.lastEventNs,
    timing: { windows, waitMs: ex.waitMs, wallMs: performance.now() - started, events: kernel.eventsHandled },
    lps: states,
  };
}

/** The zone figures the time series samples, for this thread's nodes only. */
function ownZones(zones: readonly { node: number; freePages: number; lruActive: number; lruInactive: number }[], owned: Uint8Array): Float64Array {
  const out = new Float64Array(zones.length * 3).fill(NaN);
  zones.forEach((z, k) => {
    if (owned[z.node] !== 1) return;
    out[k * 3] = z.freePages;
    out[k * 3 + 1] = z.lruActive;
    out[k * 3 + 2] = z.lruInactive;
  });
  return out;
}

function injectFault(kind: 'throw' | 'oom'): void {
  if (kind === 'throw') throw new Error('injected fault (test)');
  const hog: number[][] = [];
  for (;;) hog.push(new Array<number>(1 << 20).fill(1.5));
}
