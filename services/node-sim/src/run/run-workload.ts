/**
 * Runs a resolved workload to its end and builds the report. The only place that reads a clock:
 * the kernel and the model never see wall time, so everything but `engine.wallSeconds` and
 * `engine.eventsPerSecond` depends on the workload and seed alone.
 */
import { configHash, NumasimError, REPORT_SCHEMA_VERSION, type MemoryReport, type Report, type TimeSeries, type WorkloadConfig } from '@numasim/shared';
import { Kernel, type QueueKind } from '../engine/kernel.js';
import { EngineErrors } from '../errors.js';
import { ENGINE_VERSION } from '../version.js';
import { buildLockbench } from '../workloads/lockbench.js';
import { buildPageFault } from '../workloads/page-fault.js';
import { buildKernbench } from '../workloads/kernbench.js';
import { buildMemPressure } from '../workloads/mem-pressure.js';
import { buildFileRead } from '../workloads/file-read.js';
import { buildPipe } from '../workloads/pipe.js';
import { buildShmDb } from '../workloads/shm-db.js';
import { buildMix } from '../workloads/mix.js';
import { buildModern } from '../workloads/modern.js';
import type { Model } from '../workloads/model.js';
import { buildLockReports, mergeLockStats } from './lock-report.js';
import { sampleInterval, SeriesRecorder } from './series.js';
import type { LockRegistry } from '../locks/lock-registry.js';
import type { LockStats } from '../locks/lock-stats.js';
import { runUntilAdvancing } from '../engine/stall-guard.js';
import { lockTotals, type LockTotals } from './lock-totals.js';
import { runFraction, type RunFraction } from './progress.js';

export interface RunProgress {
  simulatedNs: number;
  durationNs: number;
  events: number;
  /** The last progress of the run: its workload ended (or durationNs was reached). */
  final: boolean;
  /** How far towards the workload's own end (progress.ts). */
  progress: RunFraction;
  /** The model's locks (names, classes, homes). */
  registry: LockRegistry;
  /** Cumulative lock statistics of every LP, merged when asked (a merge of every caller and histogram): valid during the callback only. */
  lockStats: () => LockStats;
  /** Cumulative per-lock totals (lock-totals.ts): valid during the callback only. */
  lockTotals: () => LockTotals;
  /** Zones, numastat and kswapd so far (memory workloads). */
  memory?: () => MemoryReport;
}

export interface RunOutput {
  report: Report;
  series: TimeSeries;
}

export interface RunOptions {
  /** Called at the end of every sampling interval, at least every 1% of simulated time, and at the end (`final`). */
  onProgress?: (p: RunProgress) => void;
  /** Stop with NUMASIM_ERR_RUN_LIMIT_EXCEEDED past this many events. */
  maxEvents?: number;
  /** Pending-event set; the results do not depend on it. */
  queue?: QueueKind;
  /** Check the model's invariants at the end of the run (tests, debug runs). */
  checkInvariants?: boolean;
  /**
   * A debug run (KernelOptions.debug): the model checks the VM's lock order as it goes, and its
   * invariants at the end. The caller decides (the command line and the services from
   * NUMASIM_DEBUG=1, read where the run starts); the report does not depend on it.
   */
  debug?: boolean;
}

/** A run's slices: every 1% of simulated time (and every sample time). Parallel runs use the same. */
export const PROGRESS_SLICES = 100;

/** Runs a workload and returns only its report (what `numasim run` prints). */
export function runWorkload(cfg: WorkloadConfig, options: RunOptions = {}): Report {
  return runWorkloadWithSeries(cfg, options).report;
}

export function buildModel(cfg: WorkloadConfig, queue: QueueKind = 'heap', debug = false): Model {
  const kernelFor = (lookaheadNs: number) => new Kernel({ lookaheadNs, queue, debug });
  switch (cfg.kind) {
    case 'lockbench':
      return buildLockbench(kernelFor, cfg);
    case 'page-fault':
      return buildPageFault(kernelFor, cfg);
    case 'kernbench':
      return buildKernbench(kernelFor, cfg);
    case 'mem-pressure':
      return buildMemPressure(kernelFor, cfg);
    case 'file-read':
      return buildFileRead(kernelFor, cfg);
    case 'shm-db':
      return buildShmDb(kernelFor, cfg);
    case 'mix':
      return buildMix(kernelFor, cfg);
    case 'will-it-scale':
    case 'pft':
    case 'kbuild':
    case 'readtwice':
      return buildModern(kernelFor, cfg);
    case 'pipe':
      return buildPipe(kernelFor, cfg);
  }
}

/** Runs a workload; returns the report and the sampled time series. */
export function runWorkloadWithSeries(cfg: WorkloadConfig, options: RunOptions = {}): RunOutput {
  const model = buildModel(cfg, options.queue, options.debug);
  const { kernel, registry } = model;
  const maxEvents = options.maxEvents ?? Infinity;
  const started = performance.now();
  const interval = sampleInterval(cfg.durationNs, cfg.sampleEveryNs);
  const recorder = new SeriesRecorder(registry, interval, model.zones?.bind(model));
  // Slices end on every sample time and at least every 1% of the run; slicing never changes the
  // order of events, so neither does sampling.
  const progressSlice = Math.max(1, Math.ceil(cfg.durationNs / PROGRESS_SLICES));
  let nextSample = interval;
  // A workload with a fixed amount of work (kernbench) ends when its last event is handled: the
  // run then covers the time up to that event.
  let endNs = cfg.durationNs;
  for (let until = 0; until < endNs; ) {
    const from = until;
    until = Math.min(cfg.durationNs, until + progressSlice, nextSample);
    runUntilAdvancing(kernel, until, maxEvents - kernel.eventsHandled + 1);
    if (kernel.eventsHandled > maxEvents) {
      throw new NumasimError(
        EngineErrors.EVENT_BUDGET_EXCEEDED,
        `the run needed more than ${maxEvents} events (stopped at ${kernel.now} of ${cfg.durationNs} simulated ns); shorten durationNs or raise the event limit`,
      );
    }
    if (kernel.pendingCount === 0) until = endNs = Math.max(kernel.lastEventNs, from + 1);
    const atSample = until === nextSample || until === endNs;
    if (atSample) {
      recorder.sample(until, kernel.eventsHandled, lockTotals(registry, model.lockStats()));
      nextSample += interval;
    }
    if (options.onProgress) {
      const final = until >= endNs;
      options.onProgress({
        simulatedNs: until,
        durationNs: cfg.durationNs,
        events: kernel.eventsHandled,
        final,
        progress: runFraction(model.progress?.(), until, cfg.durationNs, final),
        registry,
        lockStats: () => mergeLockStats(registry, model.lockStats()),
        lockTotals: () => lockTotals(registry, model.lockStats()),
        ...(model.memory ? { memory: () => model.memory!() } : {}),
      });
    }
  }
  const wallSeconds = (performance.now() - started) / 1000;
  if (options.checkInvariants || options.debug) model.checkInvariants?.();
  const report = buildReport(cfg, model, { simulatedNs: endNs, events: kernel.eventsHandled, lastEventNs: kernel.lastEventNs, wallSeconds });
  return { report, series: recorder.series };
}

/** The report of a model whose run has ended (inline, or restored from node workers). */
export function buildReport(cfg: WorkloadConfig, model: Model, run: { simulatedNs: number; events: number; lastEventNs: number; wallSeconds: number }): Report {
  const { simulatedNs, events, wallSeconds } = run;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    engine: {
      version: ENGINE_VERSION,
      events,
      wallSeconds,
      eventsPerSecond: wallSeconds > 0 ? events / wallSeconds : 0,
    },
    run: { kind: cfg.kind, seed: cfg.seed, configHash: configHash(cfg), simulatedNs, lastEventNs: run.lastEventNs },
    machine: {
      nodes: model.topology.nodes,
      cpus: model.topology.cpus,
      lookaheadNs: Number.isFinite(model.topology.lookaheadNs) ? model.topology.lookaheadNs : null,
    },
    locks: buildLockReports(model.registry, mergeLockStats(model.registry, model.lockStats()), simulatedNs, model.topology.cpus),
    ...(model.memory ? { memory: model.memory() } : {}),
    workload: model.result(simulatedNs),
    config: cfg,
  };
}
