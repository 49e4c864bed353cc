/**
 * The scheduler's home on node 0 for the process runner: the `SchedCore` (sched-core.ts) of the
 * whole machine, reached by messages like everything shared in the model (docs/MEMORY-MODEL.md).
 * A task's CPU program tells it when the task becomes runnable, blocks or gives way; it answers
 * with the CPU the task runs on (`run`), or tells a running task to give way at its slice's end
 * (`resched`). For `o1` and `numa` it ticks every 10 ms (HZ = 100) while tasks wait, so that idle
 * CPUs balance.
 *
 * gcc -pipe's partners (cpp and as, one task per program: `pipe`) live here too, CPU time only: a
 * program sends each pipe page's share of their user time (`partnerWake`), the core places the
 * partner (waking it, or preempting a program), and the home runs its bursts on the CPU it was
 * given, counted as user time in node 0's `CpuTimes`, then lets it sleep.
 *
 * Simplified: the runqueues of `o1` and `numa` are per CPU in the kernel, here one structure on
 * node 0, so a wake-up pays a message to node 0 and back. The task's program takes the runqueue
 * lock of the kernel it follows before it calls the home (`addRunqueueLocks`: 2.4's global
 * runqueue_lock, O(1)'s rq->lock of its CPU), so the lock table shows those holds; the home's
 * own balancing takes none of them (its pulls are counted, `lockHolds`).
 */
import type { Kernel } from '../engine/kernel.js';
import type { Topology } from '../machine/topology.js';
import type { CpuTimes } from './cpu-times.js';
import { realCpuOf } from './task-slots.js';
import { SCHED_24, SCHED_NUMA, SCHED_O1, SchedCore } from './sched-core.js';
import type { SchedulerName } from '@numasim/shared';

/**
 * Lines a runqueue-lock hold writes that the previous holder wrote: the runqueue list head and
 * `nr_running` (2.4: the global list; O(1): the CPU's runqueue_t). Two (assumption: the task's own
 * list links are in its task_struct, which this CPU touched last).
 */
export const RUNQUEUE_LINES = 2;

/**
 * The scheduler's locks, into the lock table: 2.4's one `runqueue_lock` (homed with the kernel's
 * data on node 0), or O(1)'s `rq->lock` per CPU on that CPU's node; none without a scheduler.
 */
export function addRunqueueLocks(name: SchedulerName | undefined, topo: Topology, add: (name: string, cls: string, home: number) => number): Int32Array | null {
  const policy = schedPolicy(name);
  if (policy === 0) return null;
  if (policy === SCHED_24) return Int32Array.of(add('runqueue_lock', 'runqueue_lock', 0));
  return Int32Array.from({ length: topo.cpus }, (_, c) => add(`rq->lock[cpu${c}]`, 'rq->lock', topo.cpuNode[c]));
}

/** 2.4/2.5 i386 HZ = 100: a timer tick every 10 ms. */
export const TICK_NS = 10_000_000;

export function schedPolicy(name: SchedulerName | undefined): number {
  switch (name) {
    case '2.4':
      return SCHED_24;
    case 'o1':
      return SCHED_O1;
    case 'numa':
      return SCHED_NUMA;
    default:
      return 0;
  }
}

/** The event kinds the runner gave the scheduler's messages. */
export interface SchedEvents {
  readonly run: number;
  readonly resched: number;
  readonly tick: number;
  /** A partner's burst ends (the home's own event). */
  readonly burst: number;
}

/** A resched message's argument: give way at the slice's end, or now (preempted). */
export const RESCHED_SLICE = 0;
export const RESCHED_NOW = 1;

export class SchedHome {
  readonly core: SchedCore;
  private tickPending = false;
  /** Per partner: user time owed by pipe pages not yet run, ns. */
  private readonly owed: Float64Array;
  partnerWakes = 0;

  constructor(
    policy: number,
    private readonly kernel: Kernel,
    /** The program slots (task-slots.ts: one per CPU, or k per CPU with make's jobs beyond the CPUs) … */
    private readonly topo: Topology,
    private readonly ev: SchedEvents,
    /** gcc -pipe: a partner task per program. */
    pipe: boolean,
    /** Node 0's CPU times, where the partners' user time is counted. */
    private readonly times: CpuTimes,
    /** … and the machine's CPUs, which the core shares among them. */
    real: Topology = topo,
  ) {
    const cpus = topo.cpus; // program slots
    // Programs are tasks 0..cpus−1 (their slot), first on their slot's CPU; partner k is task cpus + k, first where program k is.
    const first = Int32Array.from({ length: pipe ? 2 * cpus : cpus }, (_, t) => realCpuOf(topo, real, t % cpus));
    this.owed = new Float64Array(cpus);
    if (pipe) times.withPartners(cpus);
    this.core = new SchedCore(
      policy,
      real.cpuNode,
      real.cpus,
      first,
      {
        run: (t, cpu) => (t < cpus ? this.toTask(t, ev.run, cpu) : this.burst(t - cpus)),
        resched: (t) => {
          if (t < cpus) this.toTask(t, ev.resched, RESCHED_SLICE);
        },
        preempt: (t) => this.toTask(t, ev.resched, RESCHED_NOW),
      },
      cpus,
    );
  }

  /** Program `t` read or wrote pipe pages: its partner owes `ns` more user time; `fresh`: a new pipeline (its cpp and as are new processes). */
  partnerWake(t: number, ns: number, fresh: boolean): void {
    const p = this.topo.cpus + t;
    this.owed[t] += ns;
    this.partnerWakes++;
    if (this.core.runnable(p)) return; // still running or waiting: it goes on with the new page
    const parent = this.core.cpuOf(t) >= 0 ? this.core.cpuOf(t) : this.core.taskCpu[t];
    this.core.wakePartner(p, this.kernel.now, fresh ? parent : -1);
    this.keepTicking();
  }

  /** A partner's burst ended: another if more pages came meanwhile, else it sleeps (blocks on its pipe). */
  burstDone(k: number): void {
    if (this.owed[k] > 0) {
      this.burst(k);
      return;
    }
    this.core.sleep(this.topo.cpus + k, this.kernel.now);
    this.keepTicking();
  }

  /** Partner `k` has its CPU: it runs what it owes. */
  private burst(k: number): void {
    const ns = this.owed[k];
    this.owed[k] = 0;
    this.times.partnerUser(k, ns, this.kernel.now);
    this.kernel.schedule(ns, this.ev.burst, k, 0, 0);
  }

  /** A task's program on the stream of CPU `t` wakes (`exec`: a new process about to exec). */
  wake(t: number, exec: boolean): void {
    this.core.wake(t, this.kernel.now, exec);
    this.keepTicking();
  }

  /** A running task forks its next process and waits for it (sched-core.ts `fork`). */
  fork(t: number): void {
    this.core.fork(t, this.kernel.now);
    this.keepTicking();
  }

  /** Program `t` gives up its CPU: `how` 0 — it blocks or exits, 1 — its slice is used up, 2 — it was preempted. */
  sleep(t: number, how: number): void {
    if (how === 2) this.core.preempted(t, this.kernel.now);
    else if (how === 1) this.core.yieldSlice(t, this.kernel.now);
    else this.core.sleep(t, this.kernel.now);
    this.keepTicking();
  }

  tick(): void {
    this.tickPending = false;
    this.core.tick(this.kernel.now);
    this.keepTicking();
  }

  private keepTicking(): void {
    if (this.tickPending || this.core.policy === SCHED_24 || this.core.waiting() === 0) return;
    this.tickPending = true;
    const now = this.kernel.now;
    this.kernel.schedule((Math.floor(now / TICK_NS) + 1) * TICK_NS - now, this.ev.tick, 0, 0, 0);
  }

  /** Task `t`'s program runs on the LP of its stream's node; the home is node 0. */
  private toTask(t: number, kind: number, arg: number): void {
    const node = this.topo.cpuNode[t];
    this.kernel.send(this.topo.nodeLp[node], this.topo.hopNs(0, node), kind, t, arg, 0);
  }
}
