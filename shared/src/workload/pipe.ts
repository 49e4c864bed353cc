/**
 * `pipe`: pipe ping-pong between pairs of tasks, as lmbench's lat_pipe (and lat_ctx, with both tasks
 * on one CPU) measures it: a task writes a word into one pipe and reads the answer from another;
 * its partner reads, then writes back. Every round trip is two wake-ups of a task asleep on a pipe's
 * waitqueue — whose entry lives on the sleeper's kernel stack — and two context switches. The
 * wake-up-heavy workload of issue #19: what moving the stack and task_struct costs other tasks.
 */
import { Type, type TObject } from '@sinclair/typebox';
import { closedObject, nanoseconds } from './schema-kit.js';
import { machineProperties, type MachineConfig } from './machine.js';
import { commonProperties, type CommonConfig } from './common.js';
import { vmProperties, type VmConfig } from './vm.js';

export const PIPE_PAIRINGS = ['same-cpu', 'same-quad', 'cross-quad'] as const;
export type PipePairing = (typeof PIPE_PAIRINGS)[number];

export const PipeSpec: TObject = closedObject(
  {
    kind: Type.Literal('pipe'),
    ...commonProperties,
    durationNs: nanoseconds({ minimum: 1, default: 100_000_000, description: 'simulated time to run, ns' }),
    ...machineProperties,
    ...vmProperties,
    pairs: Type.Integer({ minimum: 1, maximum: 2048, default: 8, description: 'task pairs playing ping-pong, each on its own CPUs' }),
    pairing: Type.Union(
      PIPE_PAIRINGS.map((v) => Type.Literal(v)),
      {
        default: 'cross-quad',
        description:
          'where a pair\'s two tasks run (each pinned): "same-cpu" — both on one CPU, switching directly from one to the other (lat_ctx); ' +
          '"same-quad" — on two CPUs of one node; "cross-quad" — on CPUs of two different nodes (lat_pipe across the interconnect)',
      },
    ),
    spawn: Type.Union([Type.Literal('own-node'), Type.Literal('parent-node')], {
      default: 'own-node',
      description:
        'where each task was created: "own-node" — on the node it runs on; "parent-node" — the second task was forked by the first (as lat_pipe does) on the first\'s node and moved: ' +
        'under taskArea=per-task its stack and task_struct stay behind',
    }),
    threads: Type.Boolean({ default: false, description: 'the two tasks of a pair are threads of one process (one mm) rather than two processes' }),
    userNsPerRound: nanoseconds({ maximum: 1e9, default: 0, description: 'user time each task spends between reading the word and writing it back, ns' }),
  },
  { description: 'Pipe ping-pong between task pairs (lmbench lat_pipe / lat_ctx): wake-ups of tasks asleep on a pipe, on one CPU, one quad or two.' },
);

export interface PipeConfig extends CommonConfig, MachineConfig, VmConfig {
  kind: 'pipe';
  pairs: number;
  pairing: PipePairing;
  spawn: 'own-node' | 'parent-node';
  threads: boolean;
  userNsPerRound: number;
}
