/**
 * The CPU scheduler's decisions, after Linux 2.4.18 kernel/sched.c (`2.4`), Ingo Molnar's O(1)
 * scheduler as merged in 2.5.2 (`o1`), and the node-aware balancer of 2.5.59 (`numa`): which CPU a
 * task that becomes runnable runs on, which waiting task a CPU that frees up takes next, and when
 * an idle CPU pulls a waiting task from another runqueue. docs/MODEL.md ("The scheduler") has the
 * model and its simplifications, docs/SOURCES.md#scheduler the sources.
 *
 * Plain state over typed arrays, no events: the process runner's scheduler home (sched-home.ts) owns
 * one, on node 0, and turns its answers into messages. A task here is one of the runner's CPU
 * programs (a job stream); the CPU it runs on is the scheduler's business, the memory it touched
 * stays where it was allocated.
 *
 * - `2.4`: one global runqueue. A woken task (reschedule_idle) runs on its last CPU if that CPU is
 *   idle, else on the CPU idle longest, else waits. A CPU that schedules (its task slept or used up
 *   its counter) takes the waiting task of highest goodness(): counter + 20 − nice, plus
 *   PROC_CHANGE_PENALTY (15 on i386) on the task's last CPU; a task whose counter is spent scores 0
 *   and, when every candidate has, counters are recalculated and the last-CPU bonus decides.
 * - `o1`: a runqueue per CPU. A woken or new task is queued on its last CPU; if that CPU is busy it
 *   waits there, even with other CPUs idle, until the CPU frees up or an idle CPU's load_balance()
 *   (when it goes idle, then every tick) pulls it from the busiest runqueue.
 * - `numa`: as `o1`, but an idle CPU pulls from its own node first and from another node only on a
 *   node-rebalance tick (every IDLE_NODE_REBALANCE_TICK = 5 idle ticks), when that node is busier
 *   by a quarter; a new exec (sched_balance_exec) whose runqueue would hold more than two tasks goes
 *   to the least loaded CPU of the least loaded node.
 *
 * Partner tasks (gcc -pipe's cpp and as, tasks `programs` and up: CPU time only, run by the home):
 * woken once per pipe page by the program they are joined to. 2.4 (reschedule_idle): the partner's
 * last CPU if idle, else the CPU idle longest, else it waits and the CPU whose current task scores
 * lowest against it (preemption_goodness() = goodness(p) − goodness(curr) > 0, curr having the
 * last-CPU bonus and the +1 of its own mm) is told to reschedule now; the preempted task goes back
 * to the global runqueue with the counter it has left, and whichever CPU schedules first may take
 * it — a mid-life migration. O(1) (2.5.2 try_to_wake_up): the partner joins its last CPU's
 * runqueue and, its priority raised by sleeping (sleep_avg) above the CPU-bound program's,
 * preempts the current task, which stays on that runqueue.
 *
 * Invariants (checked by `check()`): a CPU runs at most one task, a task is running on one CPU or
 * waiting on one runqueue or neither (sleeping), never two.
 */
import { invariant } from '../errors.js';

export const SCHED_24 = 1;
export const SCHED_O1 = 2;
export const SCHED_NUMA = 3;

/** 2.4.18 include/asm-i386/smp.h: goodness() bonus for the CPU a task last ran on. */
const PROC_CHANGE_PENALTY = 15;
/** 2.4.18 goodness(): counter + 20 − nice; NICE_TO_TICKS(0) at HZ = 100 is 6 ticks, a full counter. */
const GOODNESS_WEIGHT = 20;
const FULL_COUNTER = 6;
/** 2.5.59 kernel/sched.c: an idle CPU balances across nodes every IDLE_NODE_REBALANCE_TICK = 5 × IDLE_REBALANCE_TICK. */
const NODE_REBALANCE_EVERY = 5;

/** 2.4/2.5 i386 HZ = 100: the timer tick that takes a running task's counter down by one. */
const TICK_NS = 10_000_000;

/**
 * What the core decided: `run(task, cpu)` — the task now runs there; `resched(task)` — its CPU
 * wants it to yield at its slice's end; `preempt(task)` — to yield now (need_resched set by a
 * wake-up), at its next return to user mode.
 */
export interface SchedActions {
  run(task: number, cpu: number): void;
  resched(task: number): void;
  preempt?(task: number): void;
}

export class SchedCore {
  /** Task running on each CPU, −1: idle. */
  readonly cpuTask: Int32Array;
  private readonly idleSince: Float64Array;
  /** Task each CPU ran last: switching back to it after an idle spell is no context switch. */
  private readonly prevTask: Int32Array;
  /** Last CPU of each task (where its cache and, under `o1`/`numa`, its runqueue are). */
  readonly taskCpu: Int32Array;
  /** Runqueue a waiting task waits on (−1: not waiting; `2.4`: every waiting task waits on the global queue, 0). */
  private readonly waitOn: Int32Array;
  private readonly waitSince: Float64Array;
  private readonly counter: Int32Array;
  /** 1 while a task is a new process that has not run yet. */
  private readonly fresh: Uint8Array;
  /** When each task last got its CPU: its counter goes down a tick per TICK_NS since. */
  private readonly runSince: Float64Array;
  /** 1 once a running task has been told to give way at its slice's end (it keeps that until it leaves the CPU): told once, not per waiter. */
  private readonly told: Uint8Array;
  private readonly nodes: number;
  private idleTicks = 0;
  // Counters.
  migrations = 0;
  crossNodeMigrations = 0;
  contextSwitches = 0;
  /** runqueue_lock (`2.4`) or rq->lock (`o1`, `numa`) acquisitions: one per wake-up, schedule() and balancing pull. */
  lockHolds = 0;
  balancePulls = 0;
  /** New processes that started on another CPU than their parent's (fork) or their stream's last (make's fork), and of those on another node. */
  newTaskMoves = 0;
  newTaskCrossNode = 0;
  /** Programs told to give way now to a woken partner. */
  preemptions = 0;

  constructor(
    readonly policy: number,
    private readonly cpuNode: Int32Array,
    readonly cpus: number,
    /** Each task's first CPU. */
    firstCpu: Int32Array,
    private readonly act: SchedActions,
    /** Tasks below this are the runner's programs; those from it on are partners (CPU time only). */
    readonly programs = firstCpu.length,
  ) {
    this.cpuTask = new Int32Array(cpus).fill(-1);
    this.idleSince = new Float64Array(cpus);
    this.prevTask = new Int32Array(cpus).fill(-1);
    this.taskCpu = Int32Array.from(firstCpu);
    this.waitOn = new Int32Array(firstCpu.length).fill(-1);
    this.waitSince = new Float64Array(firstCpu.length);
    this.counter = new Int32Array(firstCpu.length).fill(FULL_COUNTER);
    this.fresh = new Uint8Array(firstCpu.length);
    this.runSince = new Float64Array(firstCpu.length);
    this.told = new Uint8Array(firstCpu.length);
    let nodes = 0;
    for (let c = 0; c < cpus; c++) nodes = Math.max(nodes, cpuNode[c] + 1);
    this.nodes = nodes;
  }

  get tasks(): number {
    return this.taskCpu.length;
  }

  /** Task `t` becomes runnable (wake_up_process of a new or woken task); `exec`: it is about to exec (numa's sched_balance_exec). */
  wake(t: number, now: number, exec: boolean): void {
    invariant(this.waitOn[t] < 0 && this.cpuOf(t) < 0, `task ${t} woken while runnable`);
    this.lockHolds++;
    this.counter[t] = FULL_COUNTER;
    this.fresh[t] = exec ? 1 : 0;
    if (this.policy === SCHED_24) {
      const last = this.taskCpu[t];
      const cpu = this.cpuTask[last] < 0 ? last : this.longestIdle(-1);
      if (cpu >= 0) this.runOn(t, cpu, now);
      else this.queue(t, 0, now, true);
      return;
    }
    let rq = this.taskCpu[t];
    if (this.policy === SCHED_NUMA && exec && this.load(rq) + 1 > 2) rq = this.leastLoadedCpu();
    if (this.cpuTask[rq] < 0) this.runOn(t, rq, now);
    else {
      // The runqueue's CPU is busy: the task waits there until that CPU frees up or an idle CPU's next tick pulls it.
      this.queue(t, rq, now, true);
    }
  }

  /**
   * Partner `t` (gcc -pipe's cpp or as) is woken by a pipe page; `parentCpu` ≥ 0: it is a new
   * process, started from the CPU of the program that forked it (its pipeline's driver).
   */
  wakePartner(t: number, now: number, parentCpu: number): void {
    invariant(t >= this.programs && this.waitOn[t] < 0 && this.cpuOf(t) < 0, `partner ${t} woken while runnable`);
    this.lockHolds++;
    if (parentCpu >= 0) {
      this.taskCpu[t] = parentCpu;
      this.fresh[t] = 1;
      this.counter[t] = FULL_COUNTER;
    }
    const last = this.taskCpu[t];
    if (this.policy === SCHED_24) {
      const cpu = this.cpuTask[last] < 0 ? last : this.longestIdle(-1);
      if (cpu >= 0) {
        this.runOn(t, cpu, now);
        return;
      }
      this.queue(t, 0, now, true);
      // reschedule_idle with no CPU idle: the CPU whose current task scores lowest against the partner.
      let target = -1;
      let best = 0;
      for (let c = 0; c < this.cpus; c++) {
        const cur = this.cpuTask[c];
        if (cur >= this.programs) continue; // a partner's burst is short: taken to end before it would be preempted
        const prio = this.counter[t] + (last === c ? PROC_CHANGE_PENALTY : 0) - (this.counterNow(cur, now) + PROC_CHANGE_PENALTY + 1);
        if (prio > best) {
          best = prio;
          target = cur;
        }
      }
      if (target >= 0) this.preempt(target);
      return;
    }
    let rq = last;
    if (this.policy === SCHED_NUMA && parentCpu >= 0 && this.load(rq) + 1 > 2) rq = this.leastLoadedCpu();
    if (this.cpuTask[rq] < 0) {
      this.runOn(t, rq, now);
      return;
    }
    this.queue(t, rq, now, false);
    // try_to_wake_up: the woken partner's priority beats the CPU-bound current task's.
    const cur = this.cpuTask[rq];
    if (cur < this.programs) this.preempt(cur);
  }

  private preempt(t: number): void {
    this.preemptions++;
    this.act.preempt?.(t);
  }

  /** Running task `t` was preempted (it saw need_resched): back to the runqueue with its counter, and its CPU schedules. */
  preempted(t: number, now: number): void {
    const cpu = this.cpuOf(t);
    invariant(cpu >= 0, `task ${t} preempted while not running`);
    this.counter[t] = this.counterNow(t, now);
    this.cpuTask[cpu] = -1;
    this.idleSince[cpu] = now;
    // O(1): a preempted task stays on its runqueue; 2.4: on the global one.
    this.queue(t, this.policy === SCHED_24 ? 0 : cpu, now, false);
    this.schedule(cpu, now);
  }

  /** A running task's counter now: the timer took one per tick since it got its CPU (at least one left, as it is still running). */
  private counterNow(t: number, now: number): number {
    return Math.max(1, this.counter[t] - Math.floor((now - this.runSince[t]) / TICK_NS));
  }

  /**
   * Task `t`, running, forks a new process and waits for it (a job's next compiler pass: the gcc
   * driver's fork and wait4); the child goes on as `t`. 2.4 (do_fork, then wake_up_process →
   * reschedule_idle): the child starts on its parent's CPU, which is busy, so it runs on the CPU
   * idle longest if there is one, and the parent's CPU idles once the parent sleeps; else it waits
   * and the parent's CPU, scheduling when the parent sleeps, takes it (its last-CPU bonus). O(1)
   * (2.5.2 wake_up_forked_process): the child joins its parent's runqueue and runs there when the
   * parent sleeps; `numa` adds sched_balance_exec, which leaves a runqueue of two tasks alone.
   */
  fork(t: number, now: number): void {
    const cpu = this.cpuOf(t);
    invariant(cpu >= 0, `task ${t} forks while not running`);
    this.lockHolds += 2; // wake_up_process, then the parent's schedule()
    this.counter[t] = (this.counter[t] + 1) >> 1; // the child gets half the parent's counter (do_fork)
    if (this.counter[t] === 0) this.counter[t] = 1;
    const idle = this.policy === SCHED_24 ? this.longestIdle(cpu) : -1;
    if (idle < 0) {
      this.runSince[t] = now;
      this.act.run(t, cpu); // the parent sleeps; its CPU takes the child
      return;
    }
    this.cpuTask[cpu] = -1;
    this.idleSince[cpu] = now;
    this.fresh[t] = 1;
    this.runOn(t, idle, now);
    this.schedule(cpu, now);
  }

  /** Task `t` blocks or exits: its CPU schedules. */
  sleep(t: number, now: number): void {
    const cpu = this.cpuOf(t);
    invariant(cpu >= 0, `task ${t} sleeps while not running`);
    this.cpuTask[cpu] = -1;
    this.idleSince[cpu] = now;
    this.schedule(cpu, now);
  }

  /** Task `t` used up its time slice with another task waiting for its CPU: back to the runqueue, and its CPU schedules. */
  yieldSlice(t: number, now: number): void {
    const cpu = this.cpuOf(t);
    invariant(cpu >= 0, `task ${t} yields while not running`);
    this.cpuTask[cpu] = -1;
    this.idleSince[cpu] = now;
    this.counter[t] = 0;
    this.queue(t, this.policy === SCHED_24 ? 0 : cpu, now, false);
    this.schedule(cpu, now);
  }

  /** A timer tick: idle CPUs balance (`o1`, `numa`). True while tasks still wait (the home keeps ticking). */
  tick(now: number): boolean {
    if (this.policy !== SCHED_24) this.balanceIdle(now, ++this.idleTicks % NODE_REBALANCE_EVERY === 0);
    return this.waiting() > 0;
  }

  /** Tasks waiting on a runqueue. */
  waiting(): number {
    let n = 0;
    for (let t = 0; t < this.tasks; t++) if (this.waitOn[t] >= 0) n++;
    return n;
  }

  /** True while task `t` runs or waits for a CPU. */
  runnable(t: number): boolean {
    return this.waitOn[t] >= 0 || this.cpuOf(t) >= 0;
  }

  /** CPU task `t` runs on, −1 when it is not running. */
  cpuOf(t: number): number {
    const c = this.taskCpu[t];
    return this.cpuTask[c] === t ? c : -1;
  }

  check(): void {
    const seen = new Int32Array(this.tasks);
    for (let c = 0; c < this.cpus; c++) if (this.cpuTask[c] >= 0) seen[this.cpuTask[c]]++;
    for (let t = 0; t < this.tasks; t++) invariant(seen[t] + (this.waitOn[t] >= 0 ? 1 : 0) <= 1, `task ${t} is on a CPU and a runqueue at once`);
  }

  // --- the policies ---------------------------------------------------------------------------------

  /** `cpu` has no task: it takes the best waiting one, or idles (and, `o1`/`numa`, balances). */
  private schedule(cpu: number, now: number): void {
    this.lockHolds++;
    if (this.policy === SCHED_24) {
      let best = -1;
      let bestG = -1;
      for (let pass = 0; pass < 2 && best < 0; pass++) {
        for (let t = 0; t < this.tasks; t++) {
          if (this.waitOn[t] < 0) continue;
          const g = this.goodness(t, cpu);
          // Ties go to the task waiting longest (the runqueue's order).
          if (g > bestG || (g === bestG && best >= 0 && this.waitSince[t] < this.waitSince[best])) {
            best = t;
            bestG = g;
          }
        }
        if (best >= 0 && bestG === 0) {
          // Every candidate's counter is spent: recalculate (counter = counter / 2 + NICE_TO_TICKS), choose again.
          for (let t = 0; t < this.tasks; t++) this.counter[t] = (this.counter[t] >> 1) + FULL_COUNTER;
          best = -1;
          bestG = -1;
        }
      }
      if (best >= 0) this.take(best, cpu, now);
      return;
    }
    let first = -1;
    for (let t = 0; t < this.tasks; t++) if (this.waitOn[t] === cpu && (first < 0 || this.waitSince[t] < this.waitSince[first])) first = t;
    if (first >= 0) this.take(first, cpu, now);
    else this.balanceOne(cpu, now, false);
  }

  private goodness(t: number, cpu: number): number {
    if (this.counter[t] === 0) return 0;
    return this.counter[t] + GOODNESS_WEIGHT + (this.taskCpu[t] === cpu ? PROC_CHANGE_PENALTY : 0);
  }

  /** Every idle CPU runs load_balance(); `crossNode`: a node-rebalance tick (numa). */
  private balanceIdle(now: number, crossNode: boolean): void {
    for (let c = 0; c < this.cpus; c++) if (this.cpuTask[c] < 0) this.balanceOne(c, now, crossNode);
  }

  /** load_balance() of idle `cpu`: pull the longest-waiting task of the busiest runqueue (numa: of its node first). */
  private balanceOne(cpu: number, now: number, crossNode: boolean): void {
    if (this.policy === SCHED_24 || this.cpuTask[cpu] >= 0) return;
    const node = this.cpuNode[cpu];
    let from = this.busiest(cpu, node);
    if (from < 0 && (this.policy === SCHED_O1 || crossNode)) {
      from = this.busiest(cpu, -1);
      // numa: another node only when it is busier than this one by a quarter.
      if (from >= 0 && this.policy === SCHED_NUMA && 4 * this.nodeLoad(this.cpuNode[from]) <= 5 * this.nodeLoad(node)) from = -1;
    }
    if (from < 0) return;
    let t = -1;
    for (let k = 0; k < this.tasks; k++) if (this.waitOn[k] === from && (t < 0 || this.waitSince[k] < this.waitSince[t])) t = k;
    this.lockHolds += 2; // double_rq_lock
    this.balancePulls++;
    this.take(t, cpu, now);
  }

  /** Busiest runqueue with a task waiting (nr_running ≥ 2) — within `node`, or anywhere when `node` is −1. */
  private busiest(self: number, node: number): number {
    let best = -1;
    let bestLoad = 1;
    for (let c = 0; c < this.cpus; c++) {
      if (c === self || (node >= 0 && this.cpuNode[c] !== node)) continue;
      const l = this.load(c);
      if (l > bestLoad) {
        best = c;
        bestLoad = l;
      }
    }
    return best;
  }

  /** nr_running of a CPU's runqueue: its running task and those waiting on it. */
  private load(cpu: number): number {
    let n = this.cpuTask[cpu] >= 0 ? 1 : 0;
    for (let t = 0; t < this.tasks; t++) if (this.waitOn[t] === cpu) n++;
    return n;
  }

  private nodeLoad(node: number): number {
    let n = 0;
    for (let c = 0; c < this.cpus; c++) if (this.cpuNode[c] === node) n += this.load(c);
    return n;
  }

  /** sched_best_cpu: the least loaded CPU of the least loaded node. */
  private leastLoadedCpu(): number {
    let bestNode = 0;
    let bestNodeLoad = Infinity;
    for (let n = 0; n < this.nodes; n++) {
      const l = this.nodeLoad(n);
      if (l < bestNodeLoad) {
        bestNode = n;
        bestNodeLoad = l;
      }
    }
    let best = -1;
    let bestLoad = Infinity;
    for (let c = 0; c < this.cpus; c++) {
      if (this.cpuNode[c] !== bestNode) continue;
      const l = this.load(c);
      if (l < bestLoad) {
        best = c;
        bestLoad = l;
      }
    }
    return best;
  }

  /** The idle CPU idle longest (2.4 reschedule_idle's choice), −1 if none. */
  private longestIdle(except: number): number {
    let best = -1;
    for (let c = 0; c < this.cpus; c++) if (c !== except && this.cpuTask[c] < 0 && (best < 0 || this.idleSince[c] < this.idleSince[best])) best = c;
    return best;
  }

  /** `t` waits on runqueue `rq`; `notify`: the running tasks it waits for learn that they are to give way at their slice's end (need_resched). */
  private queue(t: number, rq: number, now: number, notify: boolean): void {
    this.waitOn[t] = rq;
    this.waitSince[t] = now;
    if (notify) this.notifyWaiting(rq);
  }

  /** A task waits on `rq`: the tasks it could replace are told (2.4: every running task, whose counter will run out; o1: the runqueue's own). */
  private notifyWaiting(rq: number): void {
    if (this.policy === SCHED_24) {
      for (let c = 0; c < this.cpus; c++) if (this.cpuTask[c] >= 0) this.tell(this.cpuTask[c]);
    } else if (this.cpuTask[rq] >= 0) this.tell(this.cpuTask[rq]);
  }

  private tell(t: number): void {
    if (this.told[t] === 1) return;
    this.told[t] = 1;
    this.act.resched(t);
  }

  private take(t: number, cpu: number, now: number): void {
    this.waitOn[t] = -1;
    if (this.counter[t] === 0) this.counter[t] = FULL_COUNTER;
    this.runOn(t, cpu, now);
    // Others still wait for this CPU's runqueue (or the global one): the new task, too, gives way at its slice's end.
    const rq = this.policy === SCHED_24 ? 0 : cpu;
    for (let k = 0; k < this.tasks; k++) {
      if (this.waitOn[k] === rq && (this.policy !== SCHED_24 || this.counter[k] > 0)) {
        this.notifyWaiting(rq);
        return;
      }
    }
  }

  /**
   * `t` runs on `cpu`. A move away from its last CPU is a migration (the process keeps its memory
   * where it was), unless the process has not run yet (`fresh`): a new process placed away from
   * its parent or its stream leaves nothing behind (its memory is allocated where it runs).
   */
  private runOn(t: number, cpu: number, now: number): void {
    invariant(this.cpuTask[cpu] < 0, `CPU ${cpu} given a second task`);
    const last = this.taskCpu[t];
    const midLife = this.fresh[t] === 0;
    this.fresh[t] = 0;
    // Programs' moves are counted (a partner has no memory in the model to leave behind).
    if (last !== cpu && t < this.programs) {
      const cross = this.cpuNode[last] !== this.cpuNode[cpu];
      if (midLife) {
        this.migrations++;
        if (cross) this.crossNodeMigrations++;
      } else {
        this.newTaskMoves++;
        if (cross) this.newTaskCrossNode++;
      }
    }
    if (this.prevTask[cpu] !== t) this.contextSwitches++;
    this.prevTask[cpu] = t;
    this.cpuTask[cpu] = t;
    this.taskCpu[t] = cpu;
    this.runSince[t] = now;
    this.told[t] = 0;
    this.act.run(t, cpu);
  }
}
