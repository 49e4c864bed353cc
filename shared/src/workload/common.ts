/** Fields every workload kind has: the seed and how long to simulate. */
import { Type } from '@sinclair/typebox';
import { nanoseconds } from './schema-kit.js';

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
};

export interface CommonConfig {
  seed: number;
  durationNs: number;
  sampleEveryNs: number;
}
