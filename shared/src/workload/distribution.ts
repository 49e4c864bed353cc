/**
 * Distributions of simulated durations (think times, hold times, service times). A bare number is
 * shorthand for a constant. Every sample is rounded to a whole nanosecond by the engine.
 */
import { Type, type Static } from '@sinclair/typebox';
import { closedObject } from './schema-kit.js';

const MAX_NS = 1e12; // 1000 simulated seconds: any single duration beyond this is a typo.

const nonNegative = (description: string) => Type.Number({ minimum: 0, maximum: MAX_NS, description });

export const ConstDistribution = closedObject(
  { dist: Type.Literal('const'), value: nonNegative('the duration, ns') },
  { description: 'Always the same duration.' },
);
export const ExpDistribution = closedObject(
  { dist: Type.Literal('exp'), mean: nonNegative('mean, ns') },
  { description: 'Exponential (memoryless) durations with the given mean.' },
);
export const UniformDistribution = closedObject(
  { dist: Type.Literal('uniform'), min: nonNegative('lower bound, ns'), max: nonNegative('upper bound, ns') },
  { description: 'Uniform between min and max.' },
);
export const LognormalDistribution = closedObject(
  {
    dist: Type.Literal('lognormal'),
    mean: nonNegative('mean, ns'),
    cv: Type.Number({ minimum: 0, maximum: 100, description: 'coefficient of variation (sd / mean)' }),
  },
  { description: 'Log-normal with the given mean and coefficient of variation: a long right tail, as lock hold times have.' },
);

export const DistributionSpec = Type.Union(
  [Type.Number({ minimum: 0, maximum: MAX_NS }), ConstDistribution, ExpDistribution, UniformDistribution, LognormalDistribution],
  { discriminator: 'dist', description: 'A duration in ns: a number (constant) or {dist, ...}.' },
);

export type DistributionInput = Static<typeof DistributionSpec>;

export type Distribution =
  | { dist: 'const'; value: number }
  | { dist: 'exp'; mean: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'lognormal'; mean: number; cv: number };

/** The resolved form: always an object. */
export function normalizeDistribution(d: DistributionInput): Distribution {
  return typeof d === 'number' ? { dist: 'const', value: d } : (d as Distribution);
}

/** Mean of a distribution, ns (used for reports and sanity checks). */
export function distributionMean(d: Distribution): number {
  switch (d.dist) {
    case 'const':
      return d.value;
    case 'exp':
    case 'lognormal':
      return d.mean;
    case 'uniform':
      return (d.min + d.max) / 2;
  }
}

/** Cross-field checks a schema cannot express; returns a reason or undefined. */
export function distributionProblem(d: Distribution): string | undefined {
  if (d.dist === 'uniform' && d.min > d.max) return `min (${d.min}) must not exceed max (${d.max})`;
  return undefined;
}
