/** What a submission says about where its runs come from: preset, overrides as `{ path: value }`, label. */
import { overridesRecord } from '@numasim/shared';
import { overridesOf, type WorkloadInput } from '../runs/submit.js';

export interface RunOrigin {
  preset: string | null;
  overrides: Record<string, unknown> | null;
  label: string | null;
}

export function originOf(input: WorkloadInput, label: string | undefined): RunOrigin {
  return { preset: input.preset ?? null, overrides: overridesRecord(overridesOf(input.set)), label: label ?? null };
}
