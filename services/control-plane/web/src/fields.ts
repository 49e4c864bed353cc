/**
 * A workload config as form fields: its leaves by dotted path (the paths `--set` and the API's
 * `set` take), with the schema's description and allowed values where the server publishes the
 * schema, and the value's own type otherwise.
 */
import type { FieldSchema } from './types.js';

export interface Field {
  path: string;
  value: unknown;
  /** How the value is edited: a number, a choice, a flag, or JSON text (arrays, objects, null). */
  input: 'number' | 'text' | 'choice' | 'flag' | 'json';
  choices: unknown[];
  description: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function schemaAt(schema: FieldSchema | undefined, segments: string[]): FieldSchema | undefined {
  let cur = schema;
  for (const s of segments) {
    cur = cur?.properties?.[s] ?? cur?.anyOf?.find((x) => x.properties?.[s])?.properties?.[s];
    if (!cur) return undefined;
  }
  return cur;
}

function choicesOf(s: FieldSchema | undefined): unknown[] {
  if (!s) return [];
  if (s.enum) return s.enum;
  const alts = s.anyOf ?? s.oneOf;
  if (alts && alts.every((a) => a.const !== undefined)) return alts.map((a) => a.const);
  return [];
}

/** Leaves of the config; `kind` is fixed by the preset and left out. Objects with a `dist` (distributions) stay whole. */
export function configFields(config: Record<string, unknown>, schema?: FieldSchema): Field[] {
  const out: Field[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string[]) => {
    for (const [k, v] of Object.entries(obj)) {
      const segs = [...prefix, k];
      if (segs.join('.') === 'kind') continue;
      if (isObject(v) && !('dist' in v) && Object.keys(v).length > 0) {
        walk(v, segs);
        continue;
      }
      const s = schemaAt(schema, segs);
      const choices = choicesOf(s);
      const input: Field['input'] = choices.length > 0 ? 'choice' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'flag' : typeof v === 'string' ? 'text' : 'json';
      out.push({ path: segs.join('.'), value: v, input, choices, description: s?.description ?? '' });
    }
  };
  walk(config, []);
  return out;
}

/** One value typed into the form, as the API should receive it. */
export function parseValue(field: Field, text: string): unknown {
  switch (field.input) {
    case 'number':
      return Number(text);
    case 'flag':
      return text === 'true';
    case 'choice': {
      const hit = field.choices.find((c) => String(c) === text);
      return hit === undefined ? text : hit;
    }
    case 'json':
      return JSON.parse(text);
    default:
      return text;
  }
}

/** A sweep's values for one field: comma-separated, each typed as the field is. */
export function parseList(field: Field, text: string): unknown[] {
  if (field.input === 'json') return JSON.parse(`[${text}]`) as unknown[];
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t) => parseValue(field, t));
}

export function showValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
