/**
 * gcc -pipe's pipeline on the process runner (`pipe`, under a scheduler): the gcc driver starts
 * `cpp | cc1 | as` at once, joined by pipes of one page (2.4.18 include/linux/limits.h PIPE_BUF =
 * 4096; fs/pipe.c: pipe_write wakes the reader, pipe_read a writer waiting for room). cpp is faster
 * than cc1 and as faster than cc1's output, so both block on their pipe and cc1 wakes one of them
 * per page it reads or writes. The runner keeps the processes' kernel work in order (cpp's before
 * cc1, as's after) and runs cc1's user time; cpp's and as's user time is the stream's partner task
 * in the scheduler's home (sched-home.ts), which cc1 wakes as its user time passes, each wake-up
 * carrying its pages' share of that time.
 *
 * Per program (a job stream of this node): the pipe process's user time so far and the pages it
 * has announced. Plain typed arrays; the runner asks `due`, then `announce` under the runqueue lock.
 */
import type { RunnerProcessLike } from './task-slots.js';

/**
 * Pages through the two pipes of one compile. Assumption: a 2.4 kernel source file preprocesses to
 * about 320 KiB (its headers: sched.h, mm.h, fs.h and what they pull in) and compiles to about 96
 * KiB of assembly; the count sets the partners' burst length, not their total time.
 */
export const PIPE_IN_PAGES = 80;
export const PIPE_OUT_PAGES = 24;
export const PIPE_PAGES = PIPE_IN_PAGES + PIPE_OUT_PAGES;

/**
 * The pipeline's middle: the job's longest process (cc1) with the ones just before (cpp) and after
 * (as) it; −1 when the longest has no process on either side.
 */
export function pipeProcess(processes: readonly RunnerProcessLike[]): number {
  let longest = 0;
  for (let k = 1; k < processes.length; k++) if (processes[k].cpuNs > processes[longest].cpuNs) longest = k;
  return longest > 0 && longest < processes.length - 1 ? longest : -1;
}

export class PipePartners {
  /** The pipe process (cc1) of a job. */
  readonly proc: number;
  /** Its user time, and its partners' (cpp's and as's), ns. */
  private readonly procNs: number;
  private readonly partnerNs: number;
  private readonly user: Float64Array;
  private readonly sent: Int32Array;
  /** Step each program goes on at after a wake-up. */
  readonly cont: Int32Array;

  constructor(processes: readonly RunnerProcessLike[], proc: number, programs: number) {
    this.proc = proc;
    this.procNs = processes[proc].cpuNs;
    this.partnerNs = processes[proc - 1].cpuNs + processes[proc + 1].cpuNs;
    this.user = new Float64Array(programs);
    this.sent = new Int32Array(programs);
    this.cont = new Int32Array(programs);
  }

  /** True for cpp and as: their user time is the partner's, not their own. */
  isPartner(p: number): boolean {
    return p === this.proc - 1 || p === this.proc + 1;
  }

  /** Program `i` starts the pipe process. */
  begin(i: number): void {
    this.user[i] = 0;
    this.sent[i] = 0;
  }

  /** `ns` of the pipe process's user time (as measured, before stall pricing) handed out. */
  ran(i: number, ns: number): void {
    this.user[i] += ns;
  }

  /** Pages read or written by now that the partner has not been woken for. */
  due(i: number): boolean {
    return this.pages(i) > this.sent[i];
  }

  /** The wake-up for those pages: the partner's user time they carry, ns (`fresh()` before it tells a new pipeline). */
  announce(i: number): number {
    const due = this.pages(i);
    const ns = Math.floor((due * this.partnerNs) / PIPE_PAGES) - Math.floor((this.sent[i] * this.partnerNs) / PIPE_PAGES);
    this.sent[i] = due;
    return ns;
  }

  /** True before the pipe process's first wake-up: its cpp and as are new processes. */
  fresh(i: number): boolean {
    return this.sent[i] === 0;
  }

  private pages(i: number): number {
    return this.user[i] >= this.procNs ? PIPE_PAGES : Math.floor((this.user[i] * PIPE_PAGES) / this.procNs);
  }
}
