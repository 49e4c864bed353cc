/**
 * The code that runs inside a worker thread: one simulation per task. It imports the engine and
 * nothing of the HTTP side; progress (with lock statistics deltas for the live metrics) goes back
 * through the MessagePort the task carries, at most every PROGRESS_EVERY_MS of wall time.
 */
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { isNumasimError } from '@numasim/shared';
import { histBucketHigh, runWorkloadPlaced, HIST_BUCKETS, type LockStats, type LockRegistry } from '@numasim/node-sim';
import { HIST_LE_NS, type LockDelta, type ProgressMessage, type RunTask, type RunTaskResult } from './messages.js';

const PROGRESS_EVERY_MS = 250;

/**
 * Simulations run behind the thread that answers HTTP, so a box whose cores are all simulating
 * still answers status requests promptly. On Linux a simulation thread first asks for SCHED_IDLE
 * (through `chrt` from util-linux: Node has no call for sched_setscheduler): the kernel then gives
 * it a CPU only when no ordinary thread wants one, and an ordinary thread that wakes up takes the
 * CPU from it at once. A nice value alone (the fallback, and what `idle: false` keeps) still leaves
 * a simulation about a tenth of a shared CPU and can let it finish its slice before a woken HTTP
 * thread runs. Threads the simulation starts inherit both. Linux applies either to one thread when given its thread id
 * (/proc/thread-self names it); elsewhere this does nothing.
 */
function lowerOwnPriority(nice: number, idle: boolean): void {
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return; // not Linux
  }
  if (!Number.isInteger(tid) || tid <= 0) return;
  if (nice !== 0) {
    try {
      setPriority(tid, nice);
    } catch {
      // not allowed: run at the default priority
    }
  }
  if (idle) {
    try {
      execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // no chrt, or not allowed: the nice value alone
    }
  }
}
{
  const data = workerData as { nice?: number; idle?: boolean } | undefined;
  lowerOwnPriority(data?.nice ?? 0, data?.idle ?? false);
}

/**
 * For each engine histogram bucket, the Prometheus bucket it falls in. Every HIST_LE_NS is an
 * engine bucket edge, so the mapping is exact except that a value exactly on an edge (say 128 ns)
 * counts in the next bucket up: engine buckets are [low, high), Prometheus buckets (prev, le].
 */
const PROM_BUCKET_OF: Int32Array = (() => {
  const out = new Int32Array(HIST_BUCKETS);
  for (let i = 0; i < HIST_BUCKETS; i++) {
    const high = histBucketHigh(i); // exclusive upper edge
    let b = HIST_LE_NS.findIndex((le) => high - 1 <= le);
    if (b < 0) b = HIST_LE_NS.length; // +Inf
    out[i] = b;
  }
  return out;
})();

interface Cumulative {
  acquisitions: number;
  contentions: number;
  holdSumNs: number;
  waitSumNs: number;
  holdBuckets: Float64Array;
  waitBuckets: Float64Array;
}

/** Cumulative per (lock class, home node) figures from merged statistics. */
function summarize(registry: LockRegistry, s: LockStats): Map<string, Cumulative> {
  const out = new Map<string, Cumulative>();
  const nb = HIST_LE_NS.length + 1;
  for (let l = 0; l < registry.lockCount; l++) {
    const key = `${registry.classes[l]}\u0000${registry.homeNodes[l]}`;
    let c = out.get(key);
    if (!c) out.set(key, (c = { acquisitions: 0, contentions: 0, holdSumNs: 0, waitSumNs: 0, holdBuckets: new Float64Array(nb), waitBuckets: new Float64Array(nb) }));
    let acq = 0;
    let con = 0;
    for (let k = 0; k < registry.callerCount; k++) {
      const i = l * registry.callerCount + k;
      acq += s.acquisitions[i];
      con += s.contentions[i];
      c.holdSumNs += s.holdTotal[i];
      c.waitSumNs += s.waitTotal[i];
    }
    c.acquisitions += acq;
    c.contentions += con;
    // Every acquisition is one wait observation; uncontended ones waited 0 ns.
    c.waitBuckets[0] += acq - con;
    const hh = s.holdHist[l];
    const wh = s.waitHist[l];
    for (let i = 0; i < HIST_BUCKETS; i++) {
      if (hh && hh[i] > 0) c.holdBuckets[PROM_BUCKET_OF[i]] += hh[i];
      if (wh && wh[i] > 0) c.waitBuckets[PROM_BUCKET_OF[i]] += wh[i];
    }
  }
  return out;
}

function deltas(now: Map<string, Cumulative>, before: Map<string, Cumulative> | undefined): LockDelta[] {
  const out: LockDelta[] = [];
  for (const [key, c] of now) {
    const p = before?.get(key);
    const [lock, node] = key.split('\u0000');
    const d: LockDelta = {
      lock,
      node: Number(node),
      acquisitions: c.acquisitions - (p?.acquisitions ?? 0),
      contentions: c.contentions - (p?.contentions ?? 0),
      holdSumNs: c.holdSumNs - (p?.holdSumNs ?? 0),
      waitSumNs: c.waitSumNs - (p?.waitSumNs ?? 0),
      holdBuckets: Array.from(c.holdBuckets, (v, i) => v - (p?.holdBuckets[i] ?? 0)),
      waitBuckets: Array.from(c.waitBuckets, (v, i) => v - (p?.waitBuckets[i] ?? 0)),
    };
    if (d.acquisitions > 0 || d.holdBuckets.some((v) => v > 0)) out.push(d);
  }
  return out;
}

export default async function runTask(task: RunTask): Promise<RunTaskResult> {
  const { port } = task;
  let lastPost = 0;
  let posted: Map<string, Cumulative> | undefined;
  try {
    // The run's placement (inline, threads, packed:K, auto): node workers, when it asks for them,
    // are threads of this one; the report is the same either way. Parallel runs report no memory
    // figures in their progress (the nodes' memory is in the workers until the run ends).
    const out = await runWorkloadPlaced(task.config, {
      maxEvents: task.maxEvents,
      onProgress: (p) => {
        const now = performance.now();
        const last = p.simulatedNs === p.durationNs;
        if (!last && now - lastPost < PROGRESS_EVERY_MS) return;
        lastPost = now;
        const cum = summarize(p.registry, p.lockStats());
        const msg: ProgressMessage = { final: last, simulatedNs: p.simulatedNs, durationNs: p.durationNs, events: p.events, locks: deltas(cum, posted) };
        if (p.memory) {
          const m = p.memory();
          msg.memory = {
            zones: m.zones.map((z) => ({ node: z.node, zone: z.zone, freePages: z.freePages, ...z.watermarks })),
            numa: m.numastat.map((n) => ({ node: n.node, hit: n.numaHit, miss: n.numaMiss, foreign: n.numaForeign })),
            kswapdWakeups: m.kswapdWakeups,
            kmapGlobalFlushes: m.kmap?.globalFlushes ?? 0,
          };
        }
        posted = cum;
        port.postMessage(msg);
      },
    });
    return { ok: true, report: out.report, series: out.series };
  } catch (e) {
    if (isNumasimError(e)) return { ok: false, error: { code: e.code, message: e.message, user: e.user } };
    throw e;
  }
  // The port is not closed here: closing it could drop the final message on its way; the control
  // plane closes its end once the run is handled.
}
