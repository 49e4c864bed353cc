/**
 * `--set path=value` overrides: any field of a workload, by dotted path (`cpusPerNode=16`,
 * `thinkNs.mean=3000`, `distances.0.1=30`). The value is read as JSON when it parses
 * (`16`, `true`, `{"dist":"const","value":5}`) and as a plain string otherwise (`lock=tas`).
 * The result is validated afterwards like any workload, so a misspelt path is an unknown field.
 */
import { NumasimError, SharedErrors } from '../errors.js';

const RESERVED = new Set(['__proto__', 'prototype', 'constructor']);
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$|^(0|[1-9][0-9]{0,5})$/;

export interface SetOverride {
  readonly path: string;
  readonly segments: readonly string[];
  readonly value: unknown;
  /** The text after `=`, when the override came from `path=value`. */
  readonly raw?: string;
}

export function parseSetValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

export function parseSetPath(path: string): string[] {
  const segments = path.split('.');
  for (const s of segments) {
    if (RESERVED.has(s)) {
      throw new NumasimError(SharedErrors.SET_PATH_INVALID, `--set ${path}: "${s}" is a reserved name`, [
        { path, reason: `"${s}" is a reserved name` },
      ]);
    }
    if (!SEGMENT.test(s)) {
      throw new NumasimError(SharedErrors.SET_PATH_INVALID, `--set ${path}: "${s}" is not a field name or an index`, [
        { path, reason: `"${s}" is not a field name or an index` },
      ]);
    }
  }
  return segments;
}

/** Parses `path=value`. */
export function parseSetOverride(text: string): SetOverride {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new NumasimError(SharedErrors.SET_SYNTAX, `--set ${text}: expected path=value`, [
      { path: text, reason: 'expected path=value' },
    ]);
  }
  const path = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  return { path, segments: parseSetPath(path), value: parseSetValue(raw), raw };
}

/**
 * Overrides as one `{ path: value }` object, the form a report's origin and the service's run
 * view show them in (`["lock=tas"]` and `{"lock": "tas"}` read the same); null when there are none.
 * A path given twice keeps its last value, as applying them does.
 */
export function overridesRecord(overrides: readonly (string | SetOverride)[]): Record<string, unknown> | null {
  if (overrides.length === 0) return null;
  const out: Record<string, unknown> = {};
  for (const o of overrides) {
    const { path, value } = typeof o === 'string' ? parseSetOverride(o) : o;
    out[path] = value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns a copy of `doc` with the override applied; intermediate objects are created as needed. */
export function applySetOverride(doc: Record<string, unknown>, o: SetOverride): Record<string, unknown> {
  const root = structuredClone(doc);
  let cursor: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < o.segments.length; i++) {
    const key = o.segments[i];
    const last = i === o.segments.length - 1;
    const where = o.segments.slice(0, i).join('.') || '(top level)';
    if (Array.isArray(cursor)) {
      if (!/^\d+$/.test(key)) {
        throw new NumasimError(SharedErrors.SET_PATH_INVALID, `--set ${o.path}: ${where} is a list; "${key}" is not an index`, [
          { path: o.path, reason: `${where} is a list; "${key}" is not an index` },
        ]);
      }
      const index = Number(key);
      if (index > cursor.length) {
        throw new NumasimError(SharedErrors.SET_PATH_INVALID, `--set ${o.path}: index ${index} is past the end of ${where} (length ${cursor.length})`, [
          { path: o.path, reason: `index ${index} is past the end of ${where} (length ${cursor.length})` },
        ]);
      }
      if (last) cursor[index] = o.value;
      else {
        if (!isPlainObject(cursor[index]) && !Array.isArray(cursor[index])) cursor[index] = {};
        cursor = cursor[index] as Record<string, unknown> | unknown[];
      }
      continue;
    }
    if (last) {
      Object.defineProperty(cursor, key, { value: o.value, enumerable: true, writable: true, configurable: true });
      break;
    }
    const next: unknown = Object.hasOwn(cursor, key) ? cursor[key] : undefined;
    if (next === undefined) {
      const created = {};
      Object.defineProperty(cursor, key, { value: created, enumerable: true, writable: true, configurable: true });
      cursor = created;
    } else if (isPlainObject(next) || Array.isArray(next)) {
      cursor = next;
    } else {
      const at = o.segments.slice(0, i + 1).join('.');
      throw new NumasimError(SharedErrors.SET_PATH_INVALID, `--set ${o.path}: ${at} is ${JSON.stringify(next)}, not an object`, [
        { path: o.path, reason: `${at} is ${JSON.stringify(next)}, not an object` },
      ]);
    }
  }
  return root;
}
