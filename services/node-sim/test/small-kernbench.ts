/**
 * A kernbench small enough for a test: 24 jobs of cpp, cc1 and as on a 16-way NUMA-Q, a 300-page
 * tree. `cc1CpuNs`: cc1's user time, the knob the tests that share this build set differently.
 */
export function smallKernbench(cc1CpuNs: number) {
  return {
    kind: 'kernbench',
    machine: 'numaq-16',
    jobs: 24,
    treePages: 300,
    processes: [
      { name: 'cpp', anonPages: 40, fileFaults: 10, readPages: 60, writePages: 0, cpuNs: 2_000_000 },
      { name: 'cc1', anonPages: 120, fileFaults: 30, readPages: 0, writePages: 0, cpuNs: cc1CpuNs },
      { name: 'as', anonPages: 20, fileFaults: 5, readPages: 0, writePages: 3, cpuNs: 1_000_000 },
    ],
  };
}
