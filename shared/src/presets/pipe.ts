/** Pipe ping-pong presets (issue #19): wake-ups of tasks asleep on a pipe, the task-area knobs' workload. */
import type { Preset } from './index.js';

export const pipePresets: Preset[] = [
  {
    name: 'numaq-16-pipe',
    summary:
      'lmbench lat_pipe across quads on a 16-way NUMA-Q: 8 pairs, each a task on node 2j and its partner on node 2j+1, 2.4\'s stacks and task_structs in node 0\'s lowmem; ' +
      'try --set taskArea=per-task, pairing=same-quad, pairing=same-cpu threads=true, cacheIndexing=virtual',
    workload: { kind: 'pipe', machine: 'numaq-16', taskArea: 'lowmem', pairs: 8, pairing: 'cross-quad', durationNs: 50_000_000, seed: 1 },
  },
];
