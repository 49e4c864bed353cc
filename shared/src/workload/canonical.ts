/**
 * The canonical form of a resolved workload and its hash. Keys are sorted at every level and
 * numbers printed by JSON.stringify, so two workloads that mean the same thing hash the same
 * however their files were written.
 *
 * `configHash` leaves out the seed and the placement: it names the configuration, so replicates
 * of one configuration share it, and where the run executes never changes it. With the seed it
 * names a result.
 */
import { createHash } from 'node:crypto';

/** Fields that do not change what is simulated. */
export const HASH_EXCLUDED_FIELDS = ['seed', 'placement'] as const;

export function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonicalize(v);
    }
    return out;
  }
  return value;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

export function configHash(resolved: object): string {
  const copy: Record<string, unknown> = { ...(resolved as Record<string, unknown>) };
  for (const f of HASH_EXCLUDED_FIELDS) delete copy[f];
  return createHash('sha256').update(canonicalJson(copy)).digest('hex');
}
