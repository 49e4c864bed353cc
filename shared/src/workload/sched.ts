/**
 * The CPU scheduler and the user-time knobs of the workloads that run processes (kernbench,
 * mem-pressure, file-read on the process runner). Both are optional: absent, a run is what the
 * model did before them — a CPU runs its job's processes one after another and never hands a task
 * to another CPU (`none`), and a process's user time is the fixed `cpuNs` wherever its memory
 * lives (`userStallShare` 0). docs/MODEL.md ("The scheduler", "User time and memory placement")
 * has the models, docs/SOURCES.md#scheduler the kernels they follow.
 */
import { Type } from '@sinclair/typebox';

export const SCHEDULERS = ['none', '2.4', 'o1', 'numa'] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

/**
 * The share of a gcc/cc1-like process's user time a P6-class CPU spends stalled on memory, as
 * measured on a uniform-memory machine (every miss local). 0.2 (A, pending the paper named in docs/SOURCES.md#user-stalls).
 * The value a faithful preset sets; the knob's absence means 0.
 */
export const USER_STALL_SHARE_SOURCED = 0.2;

export const schedProperties = {
  scheduler: Type.Optional(
    Type.Union(
      SCHEDULERS.map((v) => Type.Literal(v)),
      {
        description:
          'the CPU scheduler (absent: "none"). "none": a CPU runs its job\'s processes one after another, no task ever moves; ' +
          '"2.4": 2.4.18 kernel/sched.c — one global runqueue under runqueue_lock, goodness() with the last-CPU and same-mm bonuses, ' +
          'reschedule_idle() sending a woken or new task to an idle CPU (so a task can move to another node, away from its memory); ' +
          '"o1": Ingo Molnar\'s O(1) scheduler (2.5.2) — per-CPU runqueues with their own locks, load_balance() pulling from the busiest CPU, no node awareness; ' +
          '"numa": the 2.5 node-aware balancer — balance within a node first, across nodes rarely, a new exec placed on the least loaded node',
      },
    ),
  ),
  pipe: Type.Optional(
    Type.Boolean({
      description:
        'with a scheduler, gcc -pipe (absent: true; no effect without one): the processes just before and after a job\'s longest (cpp and as around cc1) run at ' +
        'the same time as it, joined by one-page pipes — their user time becomes a partner task the longest process wakes once per page it reads or writes, ' +
        'which preempts it or runs on another CPU (docs/MODEL.md, "The scheduler"); false: every process of a job runs after the one before, as without a scheduler',
    }),
  ),
  userStallShare: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: 0.95,
      description:
        'share of a process\'s user time (`cpuNs`) that is memory stalls when every miss is local (absent: 0, user time fixed); the stalls are then priced by ' +
        'the node each of its pages lives on as seen from the CPU it runs on (memLocalNs vs memRemoteNs). Sourced value: 0.2 (docs/SOURCES.md#user-stalls)',
    }),
  ),
};

export interface SchedConfig {
  scheduler?: SchedulerName;
  pipe?: boolean;
  userStallShare?: number;
}
