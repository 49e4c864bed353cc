/**
 * make's jobs beyond the CPU count (`parallelJobs` above the CPUs, under a `scheduler`): the
 * process runner gets a program slot per job stream rather than per CPU, `k` of them for each CPU
 * of a node, and the scheduler (sched-core.ts) shares the node's real CPUs among them. make -j32
 * on 16 CPUs then keeps 32 compiles runnable, two per CPU, as it did on the machines measured.
 *
 * The memory model sees the slots as its CPUs (a `Topology` with k × cpusPerNode per node): a
 * slot's per-CPU structures — its page slots, kmap_atomic window, per-CPU page lists, its
 * place as a lock holder — are the task's. Only a slot the scheduler has put on a CPU does any
 * work, so at most as many slots as CPUs run kernel paths at once, as in the kernel. Simplified:
 * two slots sharing one CPU are two CPUs of the node to the lock and cache-line costs (a line one
 * wrote and the other reads costs a same-node transfer where the kernel's CPU would hit its own
 * cache); the per-CPU page lists are per task, so more pages sit on them; SMT siblings
 * (`threadsPerCore`) are not told apart among slots. Without a scheduler, or with `parallelJobs`
 * at most the CPUs, there is one slot per CPU and nothing changes.
 */
import type { MachineConfig, SchedulerName } from '@numasim/shared';
import { Topology } from '../machine/topology.js';

/** Assumption: at most four job streams per CPU (make -j64 on 16 CPUs); more would only lengthen the runqueue, and each slot holds a process's page slots. */
export const MAX_SLOTS_PER_CPU = 4;

/** Program slots per CPU: ⌈parallelJobs / CPUs⌉ under a scheduler (at most MAX_SLOTS_PER_CPU), else one. */
export function slotsPerCpu(scheduler: SchedulerName | undefined, parallelJobs: number, cpus: number): number {
  if (scheduler === undefined || scheduler === 'none' || parallelJobs <= cpus) return 1;
  return Math.min(MAX_SLOTS_PER_CPU, Math.ceil(parallelJobs / cpus));
}

/** The memory model's view: `k` slots per CPU, numbered node by node (the real topology itself when k is 1). */
export function slotTopology(m: MachineConfig, real: Topology, k: number): Topology {
  return k === 1 ? real : new Topology({ ...m, cpusPerNode: m.cpusPerNode * k, threadsPerCore: 1 });
}

/** The real CPU slot `v` starts on: its node's CPUs taken in turn (slot j of a node on CPU j mod cpusPerNode). */
export function realCpuOf(slots: Topology, real: Topology, v: number): number {
  const node = slots.cpuNode[v];
  return real.firstCpu(node) + ((v - slots.firstCpu(node)) % real.cpusPerNode);
}

/** What the sched modules read of a runner process. */
export interface RunnerProcessLike {
  readonly cpuNs: number;
}
