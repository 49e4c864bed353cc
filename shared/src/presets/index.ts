/**
 * Built-in workloads: `numasim run PRESET`, `GET /v1/presets`. A preset is an ordinary workload
 * document; nothing in the engine knows its name.
 */
import { NumasimError, SharedErrors } from '../errors.js';
import { lockbenchPresets } from './lockbench.js';
import { memoryPresets } from './memory.js';
import { mixPresets } from './mix.js';
import { modernPresets } from './modern.js';
import { pipePresets } from './pipe.js';

export interface Preset {
  readonly name: string;
  /** One line for `numasim presets`. */
  readonly summary: string;
  readonly workload: Readonly<Record<string, unknown>>;
}

export const PRESETS: readonly Preset[] = [...lockbenchPresets, ...memoryPresets, ...mixPresets, ...modernPresets, ...pipePresets];

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}

export function getPreset(name: string): Preset {
  const preset = findPreset(name);
  if (!preset) {
    throw new NumasimError(
      SharedErrors.PRESET_UNKNOWN,
      `no preset named ${JSON.stringify(name)}; known presets: ${PRESETS.map((p) => p.name).join(', ')}`,
      [{ path: 'preset', reason: `no preset named ${JSON.stringify(name)}` }],
    );
  }
  return preset;
}
