/**
 * Samplers for the duration distributions of a workload (shared/src/workload/distribution.ts).
 * Every sample is a whole number of nanoseconds (rounded to nearest), because simulated time is
 * an integer. A sampler holds no random state of its own, only parameters: the caller passes its
 * LP's stream, so one sampler can serve every LP without coupling them.
 */
import type { Distribution } from '@numasim/shared';
import type { Rng } from './rng.js';

const CONST = 0;
const EXP = 1;
const UNIFORM = 2;
const LOGNORMAL = 3;

export class DurationSampler {
  private readonly code: number;
  private readonly p1: number;
  private readonly p2: number;
  /** Mean of the distribution, ns. */
  readonly meanNs: number;

  constructor(d: Distribution) {
    switch (d.dist) {
      case 'const':
        this.code = CONST;
        this.p1 = Math.round(d.value);
        this.p2 = 0;
        this.meanNs = d.value;
        break;
      case 'exp':
        this.code = EXP;
        this.p1 = d.mean;
        this.p2 = 0;
        this.meanNs = d.mean;
        break;
      case 'uniform':
        this.code = UNIFORM;
        this.p1 = d.min;
        this.p2 = d.max - d.min;
        this.meanNs = (d.min + d.max) / 2;
        break;
      case 'lognormal': {
        // mean m and coefficient of variation c: σ² = ln(1 + c²), μ = ln m − σ²/2.
        const sigma2 = Math.log(1 + d.cv * d.cv);
        this.code = LOGNORMAL;
        this.p1 = d.mean > 0 ? Math.log(d.mean) - sigma2 / 2 : -Infinity;
        this.p2 = Math.sqrt(sigma2);
        this.meanNs = d.mean;
        break;
      }
    }
  }

  /** One duration, whole ns, ≥ 0. */
  sample(rng: Rng): number {
    switch (this.code) {
      case CONST:
        return this.p1;
      case EXP:
        return Math.round(this.p1 * rng.nextExp());
      case UNIFORM:
        return Math.round(this.p1 + this.p2 * rng.nextDouble());
      default: {
        // Box–Muller; only one of the pair is used, so no state is carried between calls.
        const u1 = 1 - rng.nextDouble();
        const u2 = rng.nextDouble();
        const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        return Math.round(Math.exp(this.p1 + this.p2 * z));
      }
    }
  }
}
