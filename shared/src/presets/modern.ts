/**
 * Modern presets: today's benchmarks on today's two-socket machines (docs/WORKLOADS.md#modern).
 * Each names its machine preset, so `--set machine=…` swaps it. modern-2s-page-fault1 is the
 * calibration run (docs/CALIBRATION.md#modern): a v4.16-era kernel (kernelEra 4.16: pcp batch 31,
 * high 186; one pgdat->lru_lock per node). Every modern kernel (4.2+) has the queued spinlock
 * (`spinlock: "qspinlock"`); the 6.6 thread-mode presets have per-VMA locks (6.4+, `vmaLocks`). tasks 0: one per CPU (112 on skylake-2s), so `--set machine=…` keeps the load full.
 */
import type { Preset } from './index.js';

export const modernPresets: Preset[] = [
  {
    name: 'modern-2s-page-fault1',
    summary: 'will-it-scale page_fault1, 112 processes on a 2-socket Skylake, v4.16-era allocator: the zone->lock calibration (Aaron Lu, 2018); try --set mergeOnFree=false, pcpBatch=…',
    workload: { kind: 'will-it-scale', machine: 'skylake-2s', test: 'page_fault1', mode: 'process', spinlock: 'qspinlock', tasks: 0, kernelEra: '4.16', lruLock: 'per-node', durationNs: 200_000_000, seed: 1 },
  },
  {
    name: 'modern-2s-page-fault1-threads',
    summary: 'will-it-scale page_fault1 in thread mode: 112 threads of one mm on a 2-socket Skylake, sharing its mmap_lock',
    workload: { kind: 'will-it-scale', machine: 'skylake-2s', test: 'page_fault1', mode: 'thread', tasks: 0, kernelEra: '6.6', spinlock: 'qspinlock', vmaLocks: true, durationNs: 10_000_000, seed: 1 },
  },
  {
    name: 'modern-2s-pft-threads',
    summary: 'mmtests pft: one thread per CPU faulting one 8 GiB region on a 2-socket Ice Lake',
    workload: { kind: 'pft', machine: 'icelake-2s', mode: 'thread', tasks: 0, regionMiB: 8192, kernelEra: '6.6', spinlock: 'qspinlock', vmaLocks: true, durationNs: 10_000_000, seed: 1 },
  },
  {
    name: 'modern-2s-kbuild',
    summary: 'kbuild as 0-day runs it: 8 instances in 8 memory cgroups, make -j28 each, on a 2-socket 224-CPU Sapphire Rapids; try --set pcpHigh=auto, zoneInstances=4',
    workload: { kind: 'kbuild', machine: 'spr-2s', instances: 8, makeJobs: 28, containers: 8, kernelEra: '6.6', spinlock: 'qspinlock', durationNs: 60_000_000_000, seed: 1 },
  },
  {
    name: 'modern-2s-readtwice-memcg',
    summary: 'vm-scalability case-lru-file-readtwice: 40 dd readers in 40 memory cgroups on a 2-socket Broadwell, 1 GiB a node so reclaim runs; try --set lruLock=per-node',
    // Memory scaled down to 1 GiB a node so the readers fill it within the first ~30 ms (zone->lock contention slows the first reads): their 32 MiB files (1.25 GiB a
    // generation, a new file after every second read) pass through the page cache many times over in the 100 ms run,
    // as the real case's files exceed memory; reclaim (kswapd and direct) runs from then on.
    workload: {
      kind: 'readtwice',
      machine: 'broadwell-2s',
      memPerNodeMiB: 1024,
      fileMiB: 32,
      tasks: 0,
      containers: 40,
      lruLock: 'per-memcg',
      kernelEra: '6.6',
      spinlock: 'qspinlock',
      durationNs: 100_000_000,
      seed: 1,
    },
  },
];
