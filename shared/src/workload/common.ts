/** Fields every workload kind has: the seed, how long to simulate, and where to run it. */
import { Type } from '@sinclair/typebox';
import { nanoseconds } from './schema-kit.js';

/** Values of `placement`. */
export const PLACEMENT_PATTERN = '^(inline|threads|auto|packed:[1-9][0-9]{0,2})$';

export const commonProperties = {
  seed: Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    default: 1,
    description: 'seed of every random stream; the same workload and seed give the same report',
  }),
  durationNs: nanoseconds({ minimum: 1, default: 1_000_000_000, description: 'simulated time to run, ns' }),
  sampleEveryNs: nanoseconds({
    minimum: 1000,
    default: 10_000_000,
    description: 'interval of the sampled time series, ns (widened so that a run has at most 10 000 samples)',
  }),
  placement: Type.Optional(
    Type.String({
      pattern: PLACEMENT_PATTERN,
      description:
        'where the nodes run: inline (one thread), threads (a worker thread per node), packed:K (nodes spread over K threads), auto (chosen by the run\'s size; the default). Never changes a result, and is not part of configHash',
    }),
  ),
};

export interface CommonConfig {
  seed: number;
  durationNs: number;
  sampleEveryNs: number;
  /** inline | threads | packed:K | auto; absent means auto. */
  placement?: string;
}
