/**
 * Small helpers around TypeBox: the schemas of this package are JSON Schema (so the HTTP API can
 * publish them as OpenAPI) and these helpers turn a validation failure into field issues a user
 * can act on ("cpusPerNode: must be at most 64 (got 100)").
 */
import { Type, type TSchema, type TObject, type TProperties } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { FieldIssue } from '../errors.js';

/** A closed object: unknown fields are errors, so a typo never passes silently. */
export function closedObject<T extends TProperties>(properties: T, options: Record<string, unknown> = {}): TObject<T> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** A whole number of simulated nanoseconds (JS numbers are exact to 2^53 ns, about 104 days). */
export function nanoseconds(options: { minimum?: number; maximum?: number; default?: number; description?: string } = {}) {
  return Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, ...options });
}

/** Converts a JSON-pointer path (`/costs/lineRemoteNs`) into the dotted form users type in `--set`. */
export function dottedPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'nothing';
  return 'an object';
}

function allowedLiterals(schema: TSchema): string[] | undefined {
  const variants = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!variants) return undefined;
  const values: string[] = [];
  for (const v of variants) {
    const c = (v as { const?: unknown }).const;
    if (c === undefined) return undefined;
    values.push(JSON.stringify(c));
  }
  return values;
}

function reasonFor(e: ValueError): string {
  const s = e.schema as Record<string, unknown>;
  switch (e.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return 'unknown field';
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `must be at most ${String(s.maximum)} (got ${show(e.value)})`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `must be at least ${String(s.minimum)} (got ${show(e.value)})`;
    case ValueErrorType.Integer:
      return `must be a whole number (got ${show(e.value)})`;
    case ValueErrorType.Number:
      return `must be a finite number (got ${show(e.value)})`;
    case ValueErrorType.Boolean:
      return `must be true or false (got ${show(e.value)})`;
    case ValueErrorType.String:
      return `must be a string (got ${show(e.value)})`;
    case ValueErrorType.Object:
      return `must be an object (got ${show(e.value)})`;
    case ValueErrorType.Array:
      return `must be an array (got ${show(e.value)})`;
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${String(s.minItems)} items`;
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${String(s.maxItems)} items`;
    case ValueErrorType.StringMaxLength:
      return `must be at most ${String(s.maxLength)} characters long`;
    case ValueErrorType.StringMinLength:
      return `must be at least ${String(s.minLength)} characters long`;
    case ValueErrorType.StringPattern:
      return `must match ${String(s.pattern)} (got ${show(e.value)})`;
    case ValueErrorType.Literal:
      return `must be ${JSON.stringify(s.const)} (got ${show(e.value)})`;
    case ValueErrorType.Union: {
      const literals = allowedLiterals(e.schema);
      if (literals) return `must be one of ${literals.join(', ')} (got ${show(e.value)})`;
      return `has no valid form (got ${show(e.value)})`;
    }
    default:
      return e.message;
  }
}

/**
 * A union whose object variants share a discriminating field (`dist`, `kind`): when the value
 * names a variant, its errors are those of that variant, not TypeBox's "Expected union value".
 */
function discriminatedVariant(schema: TSchema, value: unknown): TSchema | undefined {
  const variants = (schema as { anyOf?: TSchema[]; discriminator?: string }).anyOf;
  const key = (schema as { discriminator?: string }).discriminator;
  if (!variants || !key || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const tag = (value as Record<string, unknown>)[key];
  return variants.find((v) => (v as { properties?: Record<string, { const?: unknown }> }).properties?.[key]?.const === tag);
}

function unionIssue(schema: TSchema, value: unknown, path: string): FieldIssue {
  const key = (schema as { discriminator?: string }).discriminator;
  const variants = (schema as unknown as { anyOf: TSchema[] }).anyOf;
  const tags = variants
    .map((v) => (v as { properties?: Record<string, { const?: unknown }> }).properties?.[key ?? '']?.const)
    .filter((t) => t !== undefined)
    .map((t) => JSON.stringify(t));
  const scalar = variants.find((v) => (v as { type?: string }).type === 'number' || (v as { type?: string }).type === 'integer');
  if (key && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const tag = (value as Record<string, unknown>)[key];
    const where = path === '' ? key : `${path}.${key}`;
    return tag === undefined
      ? { path: where, reason: `is required (one of ${tags.join(', ')})` }
      : { path: where, reason: `must be one of ${tags.join(', ')} (got ${show(tag)})` };
  }
  const forms = [scalar ? 'a number' : undefined, key ? `an object with "${key}"` : undefined].filter(Boolean).join(' or ');
  return { path, reason: `must be ${forms || 'a valid value'} (got ${show(value)})` };
}

/** Validates `value` against `schema`; returns one issue per offending field (empty when valid). */
export function schemaIssues(schema: TSchema, value: unknown, pathPrefix = ''): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const rel = dottedPath(e.path);
    const path = pathPrefix === '' ? rel : rel === '' ? pathPrefix : `${pathPrefix}.${rel}`;
    if (seen.has(path)) continue;
    seen.add(path);
    if (e.type === ValueErrorType.Union && !allowedLiterals(e.schema)) {
      const variant = discriminatedVariant(e.schema, e.value);
      if (variant) issues.push(...schemaIssues(variant, e.value, path));
      else issues.push(unionIssue(e.schema, e.value, path));
      continue;
    }
    issues.push({ path, reason: reasonFor(e) });
  }
  return issues;
}

/** Fills `default` annotations into a copy of `value` (nested objects included). */
export function withDefaults<T>(schema: TSchema, value: unknown): T {
  return Value.Default(schema, Value.Clone(value)) as T;
}
