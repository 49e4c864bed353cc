/** `mix` presets: task groups on the 16-way NUMA-Q, threads against processes, and phases. */
import type { Preset } from './index.js';
import { NUMAQ_2418_VM } from './memory.js';

/** page_fault1 as 16 tasks: per-zone LRU locks and pagevecs, so that what threads share is their mm. */
const faulters = (processes: number, threads: number) => ({
  kind: 'mix',
  machine: 'numaq-16',
  lru: '2.5-zone',
  pagevec: true,
  kmap: 'global',
  groups: [{ name: 'faulters', processes, threads, mix: { fault: 1 }, thinkNs: 0, regionPages: 128 }],
  durationNs: 50_000_000,
  seed: 1,
});

export const mixPresets: Preset[] = [
  {
    name: 'numaq-16-mix-threads',
    summary: 'page_fault1 threads mode on a 16-way NUMA-Q: one process, 16 threads faulting and unmapping under its one mm->page_table_lock',
    workload: faulters(1, 16),
  },
  {
    name: 'numaq-16-mix-processes',
    summary: 'page_fault1 processes mode on a 16-way NUMA-Q: 16 single-threaded processes, a page_table_lock each (compare numaq-16-mix-threads)',
    workload: faulters(16, 1),
  },
  {
    name: 'numaq-16-mix-phases',
    summary: 'a read-mostly server warming its cache, then a fault storm from a 2 × 8-thread batch job on quads 2 and 3, then calm again',
    workload: {
      kind: 'mix',
      machine: 'numaq-16',
      lru: '2.4',
      kmap: 'global',
      ...NUMAQ_2418_VM,
      groups: [
        { name: 'server', processes: 8, threads: 1, mix: { read: 9, write: 1 }, thinkNs: { dist: 'exp', mean: 100_000 } },
        { name: 'batch', processes: 2, threads: 8, nodes: [2, 3], mix: { fault: 1 }, thinkNs: { dist: 'exp', mean: 20_000 }, regionPages: 256 },
      ],
      phases: [
        { name: 'warm-up', durationNs: 20_000_000, groups: ['server'] },
        { name: 'fault-storm', durationNs: 30_000_000, overrides: { server: { rateScale: 0.5 } } },
        { name: 'calm', durationNs: 20_000_000, groups: ['server'] },
      ],
      seed: 1,
    },
  },
];
