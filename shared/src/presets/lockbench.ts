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
];
