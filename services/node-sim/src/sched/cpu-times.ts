/**
 * What `time make` prints for a process workload — elapsed, user, system — and the idle time that
 * makes them add up: every CPU's elapsed time is user time (a process's own code, its memory
 * stalls included), system time (everything the kernel does for it: faults, system calls, fork,
 * exec, exit, spinning on locks) or idle (no task on the CPU). Follows no kernel source; the
 * report's `workload.time`.
 *
 * Each of a node's CPU programs (a job stream) is on a CPU or off one (waiting for make to hand it
 * a job, for the scheduler, or done); a CPU whose program is off is idle, and CPUs that take no jobs
 * are idle throughout. User time is counted as the runner hands out slices; system time is the
 * rest of the time the programs are on a CPU. Under a scheduler a program runs on whichever CPU the
 * scheduler gave it, one program per CPU, so the idle CPUs are as many as the programs off one,
 * less those that run a partner (gcc -pipe's cpp or as, sched-home.ts): node 0's `CpuTimes` counts
 * the partners' bursts as user time and takes them out of the idle time.
 */
import type { ProcessTimeReport } from '@numasim/shared';

export class CpuTimes {
  /** Per program (CPU of the node): when it went off a CPU (−1: on one), and its time off so far. */
  private readonly offSince: Float64Array;
  private readonly offNs: Float64Array;
  /** User time handed out, and the end of each program's slice under way (for a run cut short). */
  userNs = 0;
  private readonly userEnd: Float64Array;
  /** Memory stalls in that user time, and the part of them on other nodes' memory by the node of the CPU that stalled. */
  stallNs = 0;
  readonly remoteStallNs: Float64Array;
  /** The part of those remote stalls the quads' remote caches answered (user-stalls.ts). */
  remoteCacheStallNs = 0;
  /** Partners' bursts (node 0, with `pipe`): their user time, and the end of each one's burst under way. */
  private partnerNs = 0;
  private partnerEnd: Float64Array | null = null;

  constructor(cpusPerNode: number, nodes: number) {
    this.remoteStallNs = new Float64Array(nodes);
    this.offSince = new Float64Array(cpusPerNode); // every program starts off, asking for work
    this.offNs = new Float64Array(cpusPerNode);
    this.userEnd = new Float64Array(cpusPerNode);
  }

  on(i: number, now: number): void {
    if (this.offSince[i] < 0) return;
    this.offNs[i] += now - this.offSince[i];
    this.offSince[i] = -1;
  }

  off(i: number, now: number): void {
    if (this.offSince[i] < 0) this.offSince[i] = now;
  }

  user(i: number, ns: number, now: number): void {
    this.userNs += ns;
    this.userEnd[i] = now + ns;
  }

  withPartners(n: number): void {
    this.partnerEnd = new Float64Array(n);
  }

  /** Partner `k` runs a burst of `ns` from `now` on a CPU no program has. */
  partnerUser(k: number, ns: number, now: number): void {
    this.partnerNs += ns;
    this.partnerEnd![k] = now + ns;
  }

  /** This node's idle time at `endNs` (program time off a CPU, less the partners' time on one), and the user time handed out that falls after it. */
  idleAt(endNs: number): number {
    let idle = 0;
    for (let i = 0; i < this.offNs.length; i++) idle += this.offNs[i] + (this.offSince[i] >= 0 ? Math.max(0, endNs - this.offSince[i]) : 0);
    return idle - this.partnersAt(endNs);
  }

  userAt(endNs: number): number {
    let late = 0;
    for (let i = 0; i < this.userEnd.length; i++) late += Math.max(0, this.userEnd[i] - endNs);
    return this.userNs - late + this.partnersAt(endNs);
  }

  private partnersAt(endNs: number): number {
    if (this.partnerEnd === null) return 0;
    let late = 0;
    for (let k = 0; k < this.partnerEnd.length; k++) late += Math.max(0, this.partnerEnd[k] - endNs);
    return this.partnerNs - late;
  }
}

/**
 * `workload.time` over every node's programs, the run's `cpus` CPUs and its elapsed time; `slots`:
 * the programs (sched/task-slots.ts: more than the CPUs with make's jobs beyond them), of which at
 * most `cpus` are on a CPU at once, so the slots beyond the CPUs are off one throughout, not idle CPUs.
 */
export function processTime(
  times: readonly CpuTimes[],
  cpus: number,
  elapsedNs: number,
  /** `userStallShare` set; and the machine has remote caches (`remoteCacheMiB`). */
  stalls: { readonly on: boolean; readonly remoteCache: boolean },
  slots = cpus,
): ProcessTimeReport {
  const round = (x: number) => Math.round(x);
  const elapsed = round(elapsedNs);
  const total = cpus * elapsed;
  const user = round(times.reduce((s, t) => s + t.userAt(elapsed), 0));
  const off = times.reduce((s, t) => s + t.idleAt(elapsed), 0) - (slots - cpus) * elapsed;
  const idle = round(Math.min(total - user, off));
  const system = Math.max(0, total - user - idle);
  return {
    elapsedNs: elapsed,
    userNs: user,
    systemNs: system,
    idleNs: total - user - system,
    cpuPercent: elapsed === 0 ? 0 : Math.round((1000 * (user + system)) / elapsed) / 10,
    ...(stalls.on
      ? {
          userStallNs: round(times.reduce((s, t) => s + t.stallNs, 0)),
          remoteUserStallNs: Array.from(times[0].remoteStallNs, (_, n) => round(times.reduce((s, t) => s + t.remoteStallNs[n], 0))),
          ...(stalls.remoteCache ? { remoteCacheUserStallNs: round(times.reduce((s, t) => s + t.remoteCacheStallNs, 0)) } : {}),
        }
      : {}),
  };
}
