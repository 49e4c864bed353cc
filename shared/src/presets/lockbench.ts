/** lockbench presets: the engine's spinlock model on its own. */
import type { Preset } from './index.js';

export const lockbenchPresets: Preset[] = [
  {
    name: 'lockbench-8',
    summary: '8 CPUs on one node hammer one ticket lock (think exp 2 µs, hold exp 0.5 µs), 2 simulated seconds',
    workload: {
      kind: 'lockbench',
      nodes: 1,
      cpusPerNode: 8,
      lock: 'ticket',
      thinkNs: { dist: 'exp', mean: 2000 },
      holdNs: { dist: 'exp', mean: 500 },
      handoffNs: 0,
      durationNs: 2_000_000_000,
      seed: 1,
    },
  },
  {
    name: 'lockbench-numaq-tas',
    summary: '16-way NUMA-Q (4 quads × 4) on one test-and-set lock homed on quad 0, local waiters favoured: remote starvation',
    workload: {
      kind: 'lockbench',
      nodes: 4,
      cpusPerNode: 4,
      lock: 'tas',
      tasLocalBias: 0.9,
      thinkNs: { dist: 'exp', mean: 20000 },
      holdNs: { dist: 'lognormal', mean: 5400, cv: 1.5 },
      durationNs: 1_000_000_000,
      seed: 1,
    },
  },
  {
    name: 'lockbench-numaq-ticket',
    summary: 'the same 16-way NUMA-Q load on a FIFO ticket lock: fair hand-off, paid in cross-quad transfers',
    workload: {
      kind: 'lockbench',
      nodes: 4,
      cpusPerNode: 4,
      lock: 'ticket',
      thinkNs: { dist: 'exp', mean: 20000 },
      holdNs: { dist: 'lognormal', mean: 5400, cv: 1.5 },
      durationNs: 1_000_000_000,
      seed: 1,
    },
  },
  {
    name: 'lockbench-spread',
    summary: 'loosely coupled: 4 nodes × 4 CPUs over 64 locks spread across the nodes, 98% of acquisitions node-local',
    workload: {
      kind: 'lockbench',
      nodes: 4,
      cpusPerNode: 4,
      lock: 'ticket',
      locks: 64,
      lockHome: 'spread',
      localLockFraction: 0.98,
      thinkNs: { dist: 'exp', mean: 2000 },
      holdNs: { dist: 'exp', mean: 200 },
      durationNs: 500_000_000,
      seed: 1,
    },
  },
  {
    name: 'modern-4s-lockbench',
    summary:
      'locktorture-like on a 4-socket Haswell-EX (haswell-4s, 144 CPUs): every CPU loops spin_lock → near-empty critical section → spin_unlock on one qspinlock; --set lock=cna|ticket|tas to compare',
    workload: {
      kind: 'lockbench',
      machine: 'haswell-4s',
      lock: 'qspinlock',
      // locktorture's writer loop (kernel/locking/locktorture.c): lock, a critical section that
      // only rarely delays (torture_spin_lock_write_delay), unlock, at once again. Both times
      // are assumptions: the loop's own work between acquisitions, and the stores of the
      // critical section.
      thinkNs: { dist: 'exp', mean: 200 },
      holdNs: { dist: 'exp', mean: 50 },
      durationNs: 20_000_000,
      seed: 1,
    },
  },
];
