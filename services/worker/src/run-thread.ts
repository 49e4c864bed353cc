/**
 * The code that runs inside a worker thread: one simulation per task. It imports the engine and
 * nothing of the HTTP side. Progress (with cumulative lock figures for the live metrics) goes back
 * through the MessagePort the task carries, at most every PROGRESS_EVERY_MS of wall time; the
 * run's last progress travels with its result, so nothing waits for a message after the run ends.
 */
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { isNumasimError } from '@numasim/shared';
import { runWorkloadPlaced, type RunProgress } from '@numasim/node-sim';
import type { ProgressMessage, RunTask, RunTaskResult } from './messages.js';
import { lockSnapshot } from './lock-snapshot.js';
import { waitAtGate } from './gate.js';

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
const threadData = workerData as { nice?: number; idle?: boolean; debug?: boolean } | undefined;
lowerOwnPriority(threadData?.nice ?? 0, threadData?.idle ?? false);

function progressMessage(p: RunProgress): ProgressMessage {
  const msg: ProgressMessage = {
    final: p.final,
    simulatedNs: p.simulatedNs,
    durationNs: p.durationNs,
    events: p.events,
    progress: p.progress,
    locks: lockSnapshot(p.registry, p.lockTotals(), p.lockStats()),
  };
  if (p.memory) {
    const m = p.memory();
    msg.memory = {
      zones: m.zones.map((z) => ({ node: z.node, zone: z.zone, freePages: z.freePages, ...z.watermarks })),
      numa: m.numastat.map((n) => ({ node: n.node, hit: n.numaHit, miss: n.numaMiss, foreign: n.numaForeign })),
      kswapdWakeups: m.kswapdWakeups,
      kmapGlobalFlushes: m.kmap?.globalFlushes ?? 0,
    };
    if (m.taskArea) msg.memory.taskArea = m.taskArea;
  }
  return msg;
}

export default async function runTask(task: RunTask): Promise<RunTaskResult> {
  const { port, gate } = task;
  let lastPost = 0;
  let last: ProgressMessage | undefined;
  let gatePassed = gate === undefined;
  try {
    // The run's placement (inline, threads, packed:K, auto): node workers, when it asks for them,
    // are threads of this one; the report is the same either way. Parallel runs report no memory
    // figures in their progress (the nodes' memory is in the workers until the run ends).
    const out = await runWorkloadPlaced(task.config, {
      maxEvents: task.maxEvents,
      debug: threadData?.debug ?? false,
      onProgress: (p) => {
        if (p.final) {
          last = progressMessage(p);
          return;
        }
        const atGate = !gatePassed && p.simulatedNs >= gate!.atNs;
        const now = performance.now();
        if (!atGate && now - lastPost < PROGRESS_EVERY_MS) return;
        lastPost = now;
        port.postMessage(progressMessage(p));
        if (atGate) {
          gatePassed = true;
          waitAtGate(gate!);
        }
      },
    });
    return { ok: true, report: out.report, series: out.series, last: last! };
  } catch (e) {
    if (isNumasimError(e)) return { ok: false, error: { code: e.code, message: e.message, user: e.user } };
    throw e;
  }
}
