/**
 * The per-task user-kernel area knobs (issue #19; docs/SOURCES.md#task-area): where a task's kernel
 * stack and task_struct live, and whether the data cache is indexed by virtual address. Items 3 and 4
 * of the LSE call of 22 March 2002. Flat keys, so `--set taskArea=per-task` works; spread into every
 * memory workload through vm.ts; the process runner's workloads (kernbench, mem-pressure, file-read)
 * and the pipe workload price them.
 *
 * The keys are optional with no schema default: a workload that leaves them out resolves exactly as
 * before they existed (its configuration hash included), and means `taskArea=none` — the model as it
 * was, with no task_struct or kernel-stack accesses at all. `lowmem` is 2.4 as it was; the faithful
 * presets are meant to move to it once these figures are reviewed.
 */
import { Type } from '@sinclair/typebox';

export const TASK_AREA_MODES = ['none', 'lowmem', 'per-task'] as const;
export type TaskAreaMode = (typeof TASK_AREA_MODES)[number];
export const CACHE_INDEXING_MODES = ['physical', 'virtual'] as const;
export type CacheIndexing = (typeof CACHE_INDEXING_MODES)[number];

/** Lines of task_struct and kernel stack a kernel entry fetches from memory when the knob is left out (A: docs/MEMORY-MODEL.md#task-area). */
export const TASK_MISS_LINES_DEFAULT = 1;

export const taskAreaProperties = {
  taskArea: Type.Optional(
    Type.Union(
      TASK_AREA_MODES.map((v) => Type.Literal(v)),
      {
        description:
          'where a task\'s 8 KiB kernel stack and task_struct live (absent: "none"): "none" — not modelled (no task_struct or stack accesses are priced); ' +
          '"lowmem" — 2.4 as it was: both in one order-1 allocation from ZONE_NORMAL (node 0 on i386 NUMA-Q, whatever quad the task runs on), `current` from the stack pointer; ' +
          '"per-task" — the LSE minutes\' items 3 and 4: the stack and a page-aligned task_struct on the task\'s own node (its highest zone, highmem where that is all it has), ' +
          'mapped at a fixed address in a per-task area (a PGD per task), reached by other tasks through a global alias',
      },
    ),
  ),
  cacheIndexing: Type.Optional(
    Type.Union(
      CACHE_INDEXING_MODES.map((v) => Type.Literal(v)),
      {
        description:
          'the data cache (absent: "physical"): "physical" — physically indexed (x86): two mappings of a page share its lines; "virtual" — virtually indexed and larger than a page ' +
          '(Documentation/cachetlb.txt\'s aliasing D-cache): the per-task area\'s fixed mapping and the global alias of the same page must be flushed where both are used',
      },
    ),
  ),
  taskMissLines: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 64,
      description: `cache lines of the task's own task_struct and kernel stack a kernel entry (system call, fault, interrupt) fetches from memory (absent: ${TASK_MISS_LINES_DEFAULT}); the rest hit in the CPU's cache or the quad's remote cache`,
    }),
  ),
};

export interface TaskAreaConfig {
  taskArea?: TaskAreaMode;
  cacheIndexing?: CacheIndexing;
  taskMissLines?: number;
}
