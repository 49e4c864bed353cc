/**
 * `pipe`: pipe ping-pong between task pairs (shared/src/workload/pipe.ts), as lmbench's lat_pipe and
 * lat_ctx run it, on the NUMA memory model, one LP per node. After Linux 2.4.18 fs/pipe.c and
 * kernel/sched.c: a task writes a word (`pipe_write`: the pipe's semaphore, the copy into the pipe's
 * buffer page, then `wake_up_interruptible` of the pipe's waitqueue), then reads the answer
 * (`pipe_read` finds the pipe empty: `pipe_wait` declares its wait_queue_t on its own kernel stack,
 * adds it to the waitqueue, sleeps in schedule()). The wake-up walks the waitqueue into the sleeper's
 * stack and runs `try_to_wake_up` on its task_struct; `reschedule_idle` sets need_resched of the
 * sleeper's CPU's idle task and sends it a reschedule IPI (the idle loop halts). The woken CPU's
 * schedule() reads the task (goodness), switches to it, and its read returns the word.
 *
 * What reaching the other task's stack and task_struct costs is the task area's (mm/task-area.ts,
 * the `taskArea` knob); this driver says who is where and when. Each pair's tasks are pinned
 * (`pairing`): two CPUs of one node, of two nodes, or one CPU (lat_ctx: a task's sleep switches
 * straight to its partner, no IPI). The pipe's inode and buffer lines move between the two CPUs at
 * the line-transfer cost (PIPE_LINES per pipe operation, A: the semaphore's count, the waitqueue
 * head, the pipe's start and length, the word's line of the buffer page).
 *
 * Simplified: the waker charges the wake-up as if its partner were already asleep (it nearly always
 * is: a wake-up's IPI and switch take longer than the partner's path from its write to its sleep);
 * a word that arrives before its reader slept is found by the read, with no second sleep; the 2.4
 * global runqueue and its runqueue_lock are left out (the scheduler's to model); tasks never move.
 */
import type { PipeConfig, PipeResult } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import { Topology } from '../machine/topology.js';
import { memoryMap } from '../machine/memory-map.js';
import { handoffNs } from '../locks/spinlock.js';
import { invariant } from '../errors.js';
import { MM_PROTOCOL, MmNode } from '../mm/mm-node.js';
import { buildMmShared, type MmShared } from '../mm/mm-shared.js';
import { memoryReport, zoneReports } from '../mm/mm-report.js';
import { ENTRY_SYSCALL, taskAreaReport, WOKEN_COLD_LINES } from '../mm/task-area.js';
import type { Model } from './model.js';

const PIPE_PROTOCOL = MM_PROTOCOL.extend('pipe.c', { steps: ['write', 'read', 'idle', 'wake', 'got'], events: ['pipe word'] });
const [S_WRITE, S_READ, S_IDLE, S_WAKE, S_GOT] = PIPE_PROTOCOL.steps;
// EV_PIPE_WORD: to the reader's node. a: the reader (task id).
const [EV_PIPE_WORD] = PIPE_PROTOCOL.events;

/** Cache lines a pipe operation touches that the partner's CPU wrote last (A: see the header). */
const PIPE_LINES = 4;

/** Who runs where: task 2p is pair p's first task (it writes first), 2p + 1 its partner. Configuration every node reads. */
interface PipePlan {
  readonly cpuOf: Int32Array;
  /** Node the task was created on (its area's node under per-task). */
  readonly createdNode: Int32Array;
  readonly mm: Int32Array;
  readonly sameCpu: boolean;
  readonly userNs: number;
}

function planPairs(cfg: PipeConfig, topo: Topology): PipePlan {
  const tasks = cfg.pairs * 2;
  const cpuOf = new Int32Array(tasks);
  const c = topo.cpusPerNode;
  for (let p = 0; p < cfg.pairs; p++) {
    switch (cfg.pairing) {
      case 'same-cpu':
        cpuOf[2 * p] = cpuOf[2 * p + 1] = p;
        break;
      case 'same-quad':
        cpuOf[2 * p] = 2 * p;
        cpuOf[2 * p + 1] = 2 * p + 1;
        break;
      case 'cross-quad': {
        // Nodes two by two: pair p takes CPU k of node 2j and CPU k of node 2j + 1.
        const j = Math.floor(p / c);
        const k = p % c;
        cpuOf[2 * p] = 2 * j * c + k;
        cpuOf[2 * p + 1] = (2 * j + 1) * c + k;
        break;
      }
    }
  }
  const createdNode = Int32Array.from({ length: tasks }, (_, t) => topo.cpuNode[cpuOf[cfg.spawn === 'parent-node' ? t - (t % 2) : t]]);
  const mm = Int32Array.from({ length: tasks }, (_, t) => (cfg.threads ? t >> 1 : t));
  return { cpuOf, createdNode, mm, sameCpu: cfg.pairing === 'same-cpu', userNs: cfg.userNsPerRound };
}

class PipeNode extends MmNode {
  /** Per CPU index: the task running (−1: idle) and the task whose read is under way. */
  private readonly cur: Int32Array;
  /** Per CPU index: 1 while its idle task waits for a word (the CPU halted). */
  private readonly halted: Uint8Array;
  /** Per task of this node (by task id): words waiting in its read pipe, asleep in pipe_wait, its last write's start. */
  private readonly pending: Int32Array;
  private readonly asleep: Uint8Array;
  private readonly writeStart: Float64Array;
  // Statistics (observation only).
  roundTrips = 0;
  roundTripNs = 0;
  wakeups = 0;
  ipis = 0;
  contextSwitches = 0;

  constructor(
    kernel: Kernel,
    node: number,
    s: MmShared,
    private readonly plan: PipePlan,
  ) {
    super(kernel, node, s, 1, { reclaim: false, kmap: null, taskSlots: s.topo.cpusPerNode * 2 });
    const tasks = plan.cpuOf.length;
    this.cur = new Int32Array(s.topo.cpusPerNode).fill(-1);
    this.halted = new Uint8Array(s.topo.cpusPerNode);
    this.pending = new Int32Array(tasks);
    this.asleep = new Uint8Array(tasks);
    this.writeStart = new Float64Array(tasks);
  }

  private mine(t: number): boolean {
    return this.s.topo.cpuNode[this.plan.cpuOf[t]] === this.node;
  }

  /** The task's slot among this node's task areas: two per CPU (a same-cpu pair's two tasks). */
  private slotOf(t: number): number {
    return (this.plan.cpuOf[t] - this.first) * 2 + (this.plan.sameCpu ? t & 1 : 0);
  }

  private partner(t: number): number {
    return t ^ 1;
  }

  start(lp: number): void {
    const plan = this.plan;
    for (let t = 0; t < plan.cpuOf.length; t++) {
      if (!this.mine(t)) continue;
      // A thread's mm comes with the pair's first task; each process has its own.
      this.taskArea?.create(this.slotOf(t), plan.createdNode[t], plan.mm[t], plan.mm[t] !== plan.mm[this.partner(t)] || (t & 1) === 0);
      const cpu = plan.cpuOf[t];
      const i = cpu - this.first;
      if ((t & 1) === 0) {
        this.cur[i] = t;
        this.startCpu(lp, cpu, S_WRITE, 0);
      } else if (plan.sameCpu) this.asleep[t] = 1; // it read and slept before the run
      else {
        this.cur[i] = t;
        this.startCpu(lp, cpu, S_READ, 0);
      }
    }
  }

  protected override program(i: number, cpu: number, p: number): boolean {
    const costs = this.s.cfg.costs;
    const ta = this.taskArea;
    const t = this.cur[i];
    switch (p) {
      case S_WRITE: {
        // pipe_write, then wake_up_interruptible of the partner asleep on the pipe.
        const q = this.partner(t);
        const qCpu = this.plan.cpuOf[q];
        let ns = costs.syscallNs + this.pipeNs(cpu, qCpu);
        this.wakeups++;
        if (ta !== null) {
          ns += ta.entryNs(this.slotOf(t), ENTRY_SYSCALL);
          const qNode = this.s.topo.cpuNode[qCpu];
          ns += ta.wakeNs(this.areaOf(q), qCpu === cpu ? -1 : ta.areaNodeFor(qNode));
        }
        this.writeStart[t] = this.kernel.now;
        if (qCpu === cpu) this.pending[q]++;
        else {
          const qNode = this.s.topo.cpuNode[qCpu];
          this.kernel.send(this.s.topo.nodeLp[qNode], ns + this.s.topo.hopNs(this.node, qNode), EV_PIPE_WORD, q, 0, 0);
        }
        this.prog[i] = S_READ;
        this.after(cpu, ns);
        return false;
      }
      case S_READ: {
        let ns = costs.syscallNs;
        if (ta !== null) ns += ta.entryNs(this.slotOf(t), ENTRY_SYSCALL);
        if (this.pending[t] > 0) {
          this.prog[i] = S_GOT;
          this.after(cpu, ns);
          return false;
        }
        // pipe_wait: asleep on the pipe; schedule() runs the partner (same CPU) or the idle task.
        this.asleep[t] = 1;
        this.contextSwitches++;
        ns += costs.contextSwitchNs;
        if (this.plan.sameCpu) {
          const q = this.partner(t);
          invariant(this.pending[q] > 0 && this.asleep[q] === 1, `task ${t} sleeps on CPU ${cpu} but its partner cannot run`);
          this.asleep[q] = 0;
          this.cur[i] = q;
          if (ta !== null) ns += ta.pickNs(this.areaOf(q)) + ta.switchNs(i, this.slotOf(t), this.slotOf(q), WOKEN_COLD_LINES);
          this.prog[i] = S_GOT;
        } else {
          if (ta !== null) ns += ta.switchNs(i, this.slotOf(t), -1, 0);
          this.prog[i] = S_IDLE;
        }
        this.after(cpu, ns);
        return false;
      }
      case S_IDLE: {
        // The idle task: its CPU's task is asleep; a word for it (already here, or EV_PIPE_WORD) wakes it.
        if (this.pending[t] === 0) {
          this.halted[i] = 1;
          return false;
        }
        this.prog[i] = S_WAKE;
        return true;
      }
      case S_WAKE: {
        // The reschedule IPI, then schedule() on the idle task: goodness() of the woken task, the switch to it.
        this.ipis++;
        this.contextSwitches++;
        this.asleep[t] = 0;
        let ns = costs.ipiNs + costs.contextSwitchNs;
        if (ta !== null) ns += ta.pickNs(this.areaOf(t)) + ta.switchNs(i, -1, this.slotOf(t), WOKEN_COLD_LINES);
        this.prog[i] = S_GOT;
        this.after(cpu, ns);
        return false;
      }
      case S_GOT: {
        // The read returns the word: the copy out of the pipe's buffer.
        const cur = this.cur[i];
        this.pending[cur]--;
        invariant(this.pending[cur] >= 0, `task ${cur} read a word that was never written`);
        if ((cur & 1) === 0) {
          this.roundTrips++;
          this.roundTripNs += this.kernel.now - this.writeStart[cur];
        }
        this.prog[i] = S_WRITE;
        this.after(cpu, this.pipeNs(cpu, this.plan.cpuOf[this.partner(cur)]) + this.plan.userNs);
        return false;
      }
    }
    return super.program(i, cpu, p);
  }

  protected override handleWorkloadEvent(kind: number, a: number, b: number, c: number): void {
    if (kind !== EV_PIPE_WORD) {
      super.handleWorkloadEvent(kind, a, b, c);
      return;
    }
    this.pending[a]++;
    const cpu = this.plan.cpuOf[a];
    const i = cpu - this.first;
    if (this.halted[i] === 1) {
      this.halted[i] = 0;
      this.step(cpu);
    }
  }

  /** Node of task `t`'s stack and task_struct (whichever node runs it: the plan says where it was created). */
  private areaOf(t: number): number {
    return this.taskArea!.areaNodeFor(this.plan.createdNode[t]);
  }

  /** The pipe's lines, last written by the partner's CPU. */
  private pipeNs(cpu: number, partnerCpu: number): number {
    return PIPE_LINES * handoffNs(this.s.topo, this.s.locks.handoff, partnerCpu, cpu);
  }
}

/** The model, with its nodes (whose task areas tests read node by node). */
export function buildPipe(kernelFor: (lookaheadNs: number) => Kernel, cfg: PipeConfig): Model & { readonly nodes: readonly MmNode[] } {
  const topo = new Topology(cfg);
  const shared = buildMmShared(cfg, topo, memoryMap(cfg.layout, cfg.nodes, cfg.memPerNodeMiB, cfg.lowmemMiB));
  const plan = planPairs(cfg, topo);
  const kernel = kernelFor(topo.lookaheadNs);
  const nodes: PipeNode[] = [];
  for (let n = 0; n < cfg.nodes; n++) {
    const lp = new PipeNode(kernel, n, shared, plan);
    nodes.push(lp);
    lp.start(kernel.addLp(lp));
  }
  const sum = (f: (n: PipeNode) => number) => nodes.reduce((s, n) => s + f(n), 0);
  return {
    nodes,
    kernel,
    topology: topo,
    registry: shared.registry,
    lockStats: () => nodes.map((n) => n.client.stats),
    checkInvariants: () => nodes.forEach((n) => n.mem.checkInvariants()),
    memory: () => ({
      ...memoryReport(cfg, nodes),
      ...(nodes[0].taskArea === null ? {} : { taskArea: taskAreaReport(shared, nodes.map((n) => n.taskArea!)) }),
    }),
    zones: () => zoneReports(nodes),
    result: (simulatedNs): PipeResult => {
      const roundTrips = sum((n) => n.roundTrips);
      return {
        kind: 'pipe',
        roundTrips,
        roundTripsPerSecond: (roundTrips * 1e9) / simulatedNs,
        roundTripMeanNs: roundTrips === 0 ? null : sum((n) => n.roundTripNs) / roundTrips,
        wakeups: sum((n) => n.wakeups),
        rescheduleIpis: sum((n) => n.ipis),
        contextSwitches: sum((n) => n.contextSwitches),
      };
    },
  };
}
