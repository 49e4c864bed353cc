/**
 * A node's side of the scheduler for the process runner: where each of its CPU programs (job
 * streams) runs, and the messages it trades with the scheduler's home on node 0 (sched-home.ts).
 * Follows 2.4.18 kernel/sched.c for when a task meets the scheduler: a new process is woken
 * (wake_up_process in do_fork) before it runs; an exiting one, or one that waits for make to hand
 * out a job, gives up its CPU (schedule() from do_exit / a blocking read); one whose CPU has a task
 * waiting for it gives way when its time slice is used up (the timer's need_resched once
 * `counter` reaches 0: NICE_TO_TICKS(0) = 6 ticks at HZ = 100, 60 ms of CPU time).
 *
 * A program the home tells to give way now (a woken gcc -pipe partner preempts it: need_resched)
 * does so at its next return to user mode — before its next slice of user time.
 *
 * While a program waits for the home's answer it is off any CPU (the idle time of cpu-times.ts).
 */
import type { Kernel } from '../engine/kernel.js';
import type { Topology } from '../machine/topology.js';
import type { CpuTimes } from './cpu-times.js';
import { realCpuOf } from './task-slots.js';

/** 2.4.18: NICE_TO_TICKS(0) = (20 >> 2) + 1 = 6 ticks of 10 ms; O(1)'s slices are longer, so a waiting task gets its turn no sooner. */
export const SLICE_NS = 60_000_000;

/** `resched` of a program told to give way now. */
const RESCHED_NOW_FLAG = 2;

/** A wake message's kinds: a new process woken off any CPU (make's fork), or forked by the running one. */
export const WAKE_EXEC = 1;
export const WAKE_FORK = 2;

/** The event kinds the runner gave the messages to the home. */
export interface TaskSchedEvents {
  readonly wake: number;
  readonly sleep: number;
}

export class TaskSched {
  /** 1 while the program is on a CPU. */
  private readonly onCpu: Uint8Array;
  /** CPU each program runs on (last ran on, while off one), and its node. */
  readonly runCpu: Int32Array;
  readonly runNode: Int32Array;
  private readonly resched: Uint8Array;
  private readonly sliceUsed: Float64Array;
  /** Step to go on at when the home answers. */
  readonly cont: Int32Array;
  private readonly placed: Uint8Array;

  constructor(
    private readonly kernel: Kernel,
    /** The machine's CPUs (what `runCpu` numbers). */
    private readonly topo: Topology,
    private readonly node: number,
    private readonly ev: TaskSchedEvents,
    private readonly times: CpuTimes,
    /** The program slots (task-slots.ts), as many per node as this node's programs. */
    slots: Topology = topo,
  ) {
    const c = slots.cpusPerNode;
    this.onCpu = new Uint8Array(c);
    this.runCpu = Int32Array.from({ length: c }, (_, k) => realCpuOf(slots, topo, slots.firstCpu(node) + k));
    this.runNode = new Int32Array(c).fill(node);
    this.resched = new Uint8Array(c);
    this.sliceUsed = new Float64Array(c);
    this.cont = new Int32Array(c);
    this.placed = new Uint8Array(c);
  }

  running(i: number): boolean {
    return this.onCpu[i] === 1;
  }

  /**
   * Program `i` (CPU `cpu`) starts its next process; it goes on at `next` once that has a CPU. Off
   * a CPU (the first of a job: make forks it) it is woken; on one, its previous process forks it
   * and waits (sched-core.ts `fork`).
   */
  newProcess(i: number, cpu: number, next: number): void {
    this.placed[i] = 1;
    this.cont[i] = next;
    this.kernel.send(this.topo.nodeLp[0], this.topo.hopNs(this.node, 0), this.ev.wake, cpu, this.onCpu[i] === 1 ? WAKE_FORK : WAKE_EXEC, 0);
  }

  /** True once the process under way has been placed by the scheduler. */
  isPlaced(i: number): boolean {
    return this.placed[i] === 1;
  }

  /** The process exited: the next one is placed anew. */
  exited(i: number): void {
    this.placed[i] = 0;
  }

  /**
   * Program `i` gives up its CPU: it blocks or exits (`yielded` false), or gives way (true: its
   * slice is used up, or it was preempted; it goes on at `next` once it has a CPU again).
   */
  sleep(i: number, cpu: number, yielded: boolean, next = 0): void {
    if (this.onCpu[i] === 0) return;
    const how = !yielded ? 0 : this.resched[i] === RESCHED_NOW_FLAG ? 2 : 1;
    this.onCpu[i] = 0;
    this.resched[i] = 0;
    this.times.off(i, this.kernel.now);
    this.cont[i] = next;
    this.kernel.send(this.topo.nodeLp[0], this.topo.hopNs(this.node, 0), this.ev.sleep, cpu, how, 0);
  }

  /** The home's answer: program `i` runs on `runCpu`. */
  ran(i: number, runCpu: number): void {
    this.onCpu[i] = 1;
    this.runCpu[i] = runCpu;
    this.runNode[i] = this.topo.cpuNode[runCpu];
    this.sliceUsed[i] = 0;
    this.times.on(i, this.kernel.now);
  }

  /** Program `i` is about to give way (sleep follows): a slice-end resched stops counting towards another yield; a preemption is kept for sleep to report. */
  gaveWay(i: number): void {
    if (this.resched[i] !== RESCHED_NOW_FLAG) this.resched[i] = 0;
  }

  /** The home's resched: at the slice's end (`now` false), or now — only while the program is still on the CPU the home took it off (a stale one is dropped). */
  reschedule(i: number, now = false): void {
    if (now) {
      if (this.onCpu[i] === 1) this.resched[i] = RESCHED_NOW_FLAG;
    } else if (this.resched[i] !== RESCHED_NOW_FLAG) this.resched[i] = 1;
  }

  /** True when program `i` is due to give way before its next user time: preempted, or a task waits for its CPU and its slice is used up. */
  dueToYield(i: number): boolean {
    return this.resched[i] === RESCHED_NOW_FLAG || (this.resched[i] === 1 && this.sliceUsed[i] >= SLICE_NS);
  }

  used(i: number, ns: number): void {
    this.sliceUsed[i] += ns;
  }
}
