/**
 * `lockbench`: a will-it-scale-style spinlock microbenchmark. Every CPU loops
 * think → acquire → hold → release on one of `locks` spinlocks.
 */
import { Type, type TObject } from '@sinclair/typebox';
import { closedObject, nanoseconds } from './schema-kit.js';
import { DistributionSpec, type Distribution } from './distribution.js';
import { machineProperties, type MachineConfig } from './machine.js';
import { commonProperties, type CommonConfig } from './common.js';

export const LOCK_POLICIES = ['ticket', 'tas', 'qspinlock', 'cna'] as const;
export type LockPolicy = (typeof LOCK_POLICIES)[number];

export const HandoffSpec = Type.Union(
  [
    nanoseconds({ maximum: 1e7 }),
    closedObject({
      sameCpu: nanoseconds({ maximum: 1e7, description: 'the next holder ran last on the same CPU' }),
      sameNode: nanoseconds({ maximum: 1e7, description: 'the previous holder ran on another CPU of the same node' }),
      remote: nanoseconds({ maximum: 1e7, description: 'the previous holder ran on another node at SLIT distance 20 (scales with distance)' }),
      sameCore: Type.Optional(nanoseconds({ maximum: 1e7, description: 'the previous holder ran on an SMT sibling of the same core (threadsPerCore > 1); default sameNode' })),
    }),
  ],
  {
    description:
      'Extra time for the lock to pass to its next holder, by where the previous holder ran. A number sets all three. ' +
      'Default: 0 / costs.lineSameNodeNs / costs.lineRemoteNs.',
  },
);

export const LockbenchSpec: TObject = closedObject(
  {
    kind: Type.Literal('lockbench'),
    ...commonProperties,
    ...machineProperties,
    lock: Type.Union(
      LOCK_POLICIES.map((p) => Type.Literal(p)),
      {
        default: 'ticket',
        description:
          '"ticket": FIFO hand-off; "tas": unfair test-and-set, waiters on the releasing node favoured; "qspinlock": the MCS queued spinlock (Linux 4.2+), ' +
          'FIFO, each waiter spinning on its own queue node; "cna": qspinlock with the compact NUMA-aware queue ordering (the CNA patch series, v15)',
      },
    ),
    cnaThresholdNs: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1e10, description: 'cna: numa_spinlock_threshold_ns — how long the secondary queue\'s head may wait before the queue is flushed; default 1000000 (1 ms, v15)' }),
    ),
    tasLocalBias: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description: 'tas only: probability that a release hands the lock to a waiter on the releasing CPU\'s node when one spins there',
    }),
    tasStorm: Type.Optional(
      Type.Boolean({
        description:
          'tas only: a release makes the winner wait behind half the other spinners\' locked attempts — the first from each node a crossing (handoffNs.remote), the rest on the node\'s own bus (handoffNs.sameNode); absent: off',
      }),
    ),
    coherence: Type.Union([Type.Literal('snoop'), Type.Literal('sci')], {
      default: 'snoop',
      description:
        'how a write reaches the other caches holding its line: "snoop" — invalidated at once; "sci" — NUMA-Q\'s SCI sharing lists (IEEE 1596): ' +
        'the writer purges the sharing quads one after another, a remote transaction each, so releasing a lock that other quads spin on costs a line transfer per such quad',
    }),
    lockLineTiming: Type.Optional(
      Type.Boolean({
        description:
          'time acquisitions as the hardware does: from the lock line\'s last holder, never sooner than the protocol allows; a test-and-set releaser that retakes the lock ' +
          'before the first spinner\'s read of the freed line is back wins it; absent: the home-node protocol\'s costs',
      }),
    ),
    locks: Type.Integer({ minimum: 1, maximum: 4096, default: 1, description: 'number of locks; each acquisition picks one uniformly' }),
    lockHome: Type.Union([Type.Literal('node0'), Type.Literal('spread')], {
      default: 'node0',
      description: 'where the lock words live: all on node 0, or spread round-robin over the nodes',
    }),
    localLockFraction: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description: 'probability that an acquisition picks among the locks homed on the CPU\'s own node (when there are any) instead of among all locks',
    }),
    // No schema `default` on a union: TypeBox would merge the default's fields into a value the
    // user gave (an `exp` mean inside a `const`). Absent durations are filled in resolve.ts.
    thinkNs: Type.Optional({ ...DistributionSpec, description: `${DistributionSpec.description} Default: exp, mean 2000 ns.` }),
    holdNs: Type.Optional({ ...DistributionSpec, description: `${DistributionSpec.description} Default: exp, mean 500 ns.` }),
    handoffNs: Type.Optional(HandoffSpec),
    trylockFraction: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description: 'share of acquisitions made with spin_trylock; a failed trylock (RJECT) goes back to thinking',
    }),
  },
  { description: 'Spinlock microbenchmark: CPUs loop think → acquire → hold → release.' },
);

export const LOCKBENCH_DEFAULT_THINK: Distribution = { dist: 'exp', mean: 2000 };
export const LOCKBENCH_DEFAULT_HOLD: Distribution = { dist: 'exp', mean: 500 };

export interface Handoff {
  sameCpu: number;
  sameNode: number;
  remote: number;
  /** SMT sibling (threadsPerCore > 1); absent: sameNode. */
  sameCore?: number;
}

export interface LockbenchConfig extends CommonConfig, MachineConfig {
  kind: 'lockbench';
  lock: LockPolicy;
  tasLocalBias: number;
  tasStorm?: boolean;
  coherence: 'snoop' | 'sci';
  lockLineTiming?: boolean;
  locks: number;
  lockHome: 'node0' | 'spread';
  localLockFraction: number;
  thinkNs: Distribution;
  holdNs: Distribution;
  handoffNs: Handoff;
  trylockFraction: number;
  cnaThresholdNs?: number;
}
