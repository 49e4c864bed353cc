/**
 * Runs a workload with its nodes on worker threads and builds the same report and series an
 * inline run builds. The coordinator (this file, on the calling thread) starts one task per thread
 * on the node pool, merges the lock statistics each worker sends at every slice end into the
 * series and the progress callbacks, and at the end restores every node's final state into a
 * model of its own and writes the report from it with the inline run's `buildReport`. It takes no part in the windows: the workers
 * meet at barriers in shared memory and route their events themselves (exchange.ts).
 */
import { MessageChannel } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { NumasimError, type WorkloadConfig } from '@numasim/shared';
import { EngineErrors } from '../errors.js';
import { buildModel, buildReport, type RunOptions, type RunOutput } from '../run/run-workload.js';
import { mergeLockStats } from '../run/lock-report.js';
import { sampleInterval, SeriesRecorder } from '../run/series.js';
import { lockTotals } from '../run/lock-totals.js';
import { runFraction } from '../run/progress.js';
import { abortExchange, createExchange } from './exchange.js';
import { restoreLp, sharedObjects } from './lp-state.js';
import type { FaultInjection, NodeTask, NodeTaskResult, SliceMessage, WorkerTiming } from './messages.js';
import { defaultNodePool, type NodePool } from './node-pool.js';
import { threadOfNodes } from './placement.js';

/** Events a mailbox half holds (64 bytes each): beyond this, a window's surplus waits for the next. */
export const MAILBOX_EVENTS = 8192;
/** After this long, workers that did not stop at a barrier are terminated. */
const STOP_GRACE_MS = 500;
/** Barrier polls before sleeping, when every worker has a core of its own. */
const SPIN_POLLS = Number(process.env.NUMASIM_BARRIER_SPIN ?? 0);

export interface ParallelOptions extends RunOptions {
  signal?: AbortSignal;
  pool?: NodePool;
  /** Events a mailbox half holds (default MAILBOX_EVENTS); tests make it tiny to force the overflow path. */
  mailboxEvents?: number;
  /** Test-only. */
  fault?: FaultInjection;
}

export interface ParallelStats {
  threads: number;
  windows: number;
  /** Mean events handled per window, all threads together. */
  eventsPerWindow: number;
  /** Share of the workers' wall time spent waiting at barriers (0–1), averaged over workers. */
  barrierWaitShare: number;
  workers: WorkerTiming[];
}

export interface ParallelRunOutput extends RunOutput {
  parallel: ParallelStats;
}

export async function runWorkloadParallel(cfg: WorkloadConfig, threads: number, options: ParallelOptions = {}): Promise<ParallelRunOutput> {
  const started = performance.now();
  const nodes = (cfg as { nodes: number }).nodes;
  const threadOfNode = threadOfNodes(nodes, threads);
  const pool = options.pool ?? defaultNodePool();
  if (options.signal?.aborted) throw cancelled();
  await pool.reserve(threads);
  try {
    return await coordinate(cfg, threads, threadOfNode, pool, options, started);
  } finally {
    pool.release(threads);
  }
}

function cancelled(): NumasimError {
  return new NumasimError(EngineErrors.CANCELLED, 'the run was cancelled');
}

async function coordinate(cfg: WorkloadConfig, threads: number, threadOfNode: number[], pool: NodePool, options: ParallelOptions, started: number): Promise<ParallelRunOutput> {
  // The coordinator's own copy of the model: its registry for the series, its LPs for the report.
  // Built before any worker starts, so that nothing between their start and the wait below can throw.
  const model = buildModel(cfg, 'heap', options.debug);
  const exchange = createExchange(threads, options.mailboxEvents ?? MAILBOX_EVENTS);
  const spin = threads <= availableParallelism() ? SPIN_POLLS : 0;
  const controllers = Array.from({ length: threads }, () => new AbortController());
  const slices = new SliceMerger(threads);
  const ports = Array.from({ length: threads }, () => new MessageChannel());
  const tasks = ports.map(({ port1, port2 }, thread) => {
    port1.on('message', (m: SliceMessage) => slices.add(m));
    const task: NodeTask = {
      config: cfg,
      thread,
      threadOfNode,
      exchange,
      port: port2,
      spin,
      maxEvents: options.maxEvents ?? Infinity,
      queue: options.queue ?? 'heap',
      debug: options.debug ?? false,
      ...(options.fault ? { fault: options.fault } : {}),
    };
    return pool.piscina.run(task, { transferList: [port2], signal: controllers[thread].signal }) as Promise<NodeTaskResult>;
  });

  // Stop every worker at its next barrier; terminate the ones that do not get there in time.
  let stopping = false;
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    abortExchange(exchange);
    setTimeout(() => controllers.forEach((c) => c.abort()), STOP_GRACE_MS).unref();
  };
  const onCancel = () => stopAll();
  options.signal?.addEventListener('abort', onCancel, { once: true });

  const interval = sampleInterval(cfg.durationNs, cfg.sampleEveryNs);
  // Zones at a sample: the structure from this copy of the model, the figures from each node's owner.
  let zonesNow: Float64Array[] = [];
  const zonesOf = model.zones?.bind(model);
  const zonesAtSample = zonesOf
    ? () => {
        const zones = zonesOf();
        zones.forEach((z, k) => {
          const from = zonesNow.find((f) => !Number.isNaN(f[k * 3]));
          if (!from) return;
          z.freePages = from[k * 3];
          z.lruActive = from[k * 3 + 1];
          z.lruInactive = from[k * 3 + 2];
        });
        return zones;
      }
    : undefined;
  const recorder = new SeriesRecorder(model.registry, interval, zonesAtSample);
  let callbackError: unknown;
  slices.onSlice = (s) => {
    if (callbackError !== undefined) return;
    try {
      onSlice(s);
    } catch (e) {
      // A progress callback that throws stops the run, as it does inline.
      callbackError = e;
      stopAll();
    }
  };
  const onSlice = (s: MergedSlice) => {
    zonesNow = s.zones;
    if (s.sample) recorder.sample(s.untilNs, s.events, lockTotals(model.registry, s.stats));
    options.onProgress?.({
      simulatedNs: s.untilNs,
      durationNs: cfg.durationNs,
      events: s.events,
      final: s.final,
      progress: runFraction(s.work, s.untilNs, cfg.durationNs, s.final),
      registry: model.registry,
      lockStats: () => mergeLockStats(model.registry, s.stats),
      lockTotals: () => lockTotals(model.registry, s.stats),
    });
  };

  const results: (NodeTaskResult | undefined)[] = new Array(threads);
  let firstFailure: NumasimError | undefined;
  await Promise.all(
    tasks.map((t, thread) =>
      t.then(
        (r) => {
          results[thread] = r;
          if (!r.ok && !r.aborted) {
            firstFailure ??= nodeFailure(r.code, r.message, thread, threadOfNode);
            stopAll();
          }
        },
        (e: unknown) => {
          firstFailure ??= options.signal?.aborted ? cancelled() : nodeFailure('', describeCrash(e), thread, threadOfNode);
          stopAll();
        },
      ),
    ),
  );
  options.signal?.removeEventListener('abort', onCancel);
  const closePorts = () => ports.forEach(({ port1 }) => port1.close());
  if (options.signal?.aborted || firstFailure || callbackError !== undefined) {
    closePorts();
    if (callbackError !== undefined) throw callbackError;
    throw options.signal?.aborted ? cancelled() : firstFailure!;
  }
  const done = results as Extract<NodeTaskResult, { ok: true }>[];
  // Results and slice messages travel on different channels: the last slices may still be on their way.
  await slices.complete(done[0].slices);
  closePorts();
  if (callbackError !== undefined) throw callbackError;

  const lps = Array.from({ length: model.kernel.lpCount }, (_, i) => model.kernel.lpAt(i));
  const shared = sharedObjects(lps);
  for (const r of done) for (const { lp, state } of r.lps) restoreLp(lps[lp], state, shared);
  const { endNs, events, lastEventNs } = done[0];
  const wallSeconds = (performance.now() - started) / 1000;
  if (options.checkInvariants || options.debug) model.checkInvariants?.();
  const report = buildReport(cfg, model, { simulatedNs: endNs, events, lastEventNs, wallSeconds });
  const workers = done.map((r) => r.timing);
  const windows = workers[0].windows;
  return {
    report,
    series: recorder.series,
    parallel: {
      threads,
      windows,
      eventsPerWindow: windows > 0 ? events / windows : 0,
      barrierWaitShare: workers.reduce((s, w) => s + (w.wallMs > 0 ? w.waitMs / w.wallMs : 0), 0) / workers.length,
      workers,
    },
  };
}

function nodesOf(thread: number, threadOfNode: number[]): string {
  const nodes = threadOfNode.flatMap((t, n) => (t === thread ? [n] : []));
  return nodes.length === 1 ? `node ${nodes[0]}` : `nodes ${nodes[0]}–${nodes[nodes.length - 1]}`;
}

function nodeFailure(code: string, message: string, thread: number, threadOfNode: number[]): NumasimError {
  // A limit the user set, and a workload whose time stands still, keep their own codes; anything else is the node's failure.
  if (code === EngineErrors.EVENT_BUDGET_EXCEEDED.code) return new NumasimError(EngineErrors.EVENT_BUDGET_EXCEEDED, message);
  if (code === EngineErrors.TIME_STANDS_STILL.code) return new NumasimError(EngineErrors.TIME_STANDS_STILL, `${message} (on the worker thread running ${nodesOf(thread, threadOfNode)})`);
  const cause = code ? `${code}: ${message}` : message;
  return new NumasimError(EngineErrors.NODE_FAILED, `the worker thread running ${nodesOf(thread, threadOfNode)} failed: ${cause}`);
}

function describeCrash(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (err?.code === 'ERR_WORKER_OUT_OF_MEMORY') return 'out of memory (the worker heap cap is NUMASIM_NODE_WORKER_HEAP_MB)';
  return err?.message ?? String(e);
}

/** One slice's messages from every worker. */
interface MergedSlice {
  untilNs: number;
  events: number;
  sample: boolean;
  final: boolean;
  work: SliceMessage['work'];
  stats: SliceMessage['stats'][];
  zones: Float64Array[];
}

/** Collects each slice's message from every worker, in slice order. */
class SliceMerger {
  onSlice: ((s: MergedSlice) => void) | null = null;
  private readonly pending = new Map<number, SliceMessage[]>();
  private next = 0;
  private waiter: { slices: number; done: () => void } | null = null;

  constructor(private readonly threads: number) {}

  add(m: SliceMessage): void {
    const got = this.pending.get(m.slice) ?? [];
    got.push(m);
    this.pending.set(m.slice, got);
    this.flush();
  }

  /** Resolves once `slices` slices have been merged. */
  complete(slices: number): Promise<void> {
    this.flush();
    if (this.next >= slices) return Promise.resolve();
    return new Promise((done) => (this.waiter = { slices, done }));
  }

  private flush(): void {
    if (!this.onSlice) return;
    for (let got = this.pending.get(this.next); got && got.length === this.threads; got = this.pending.get(this.next)) {
      this.pending.delete(this.next++);
      const m = got[0];
      const work = m.work && { ...m.work, done: got.reduce((sum, x) => sum + (x.work?.done ?? 0), 0) };
      this.onSlice({ untilNs: m.untilNs, events: m.events, sample: m.sample, final: m.final, work, stats: got.map((x) => x.stats), zones: got.flatMap((x) => (x.zones ? [x.zones] : [])) });
    }
    if (this.waiter && this.next >= this.waiter.slices) this.waiter.done();
  }
}
