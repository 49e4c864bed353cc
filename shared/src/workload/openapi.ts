/**
 * Workload schemas for documentation (the HTTP API's OpenAPI document): one schema per kind, as
 * a user may write it — fields with a default are optional, the defaults and descriptions shown —
 * and their union, told apart by `kind`. Validation does not use these: resolveWorkload checks a
 * workload after machine presets and overrides have filled it in.
 */
import { WORKLOAD_KINDS, type WorkloadKind } from './resolve.js';

type JsonSchema = Record<string, unknown>;

/** A plain-JSON copy of `schema` in which a property with a default is not required. */
function asWritten(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(asWritten);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'default' || k === 'const' ? v : asWritten(v);
  const props = out.properties as Record<string, JsonSchema> | undefined;
  if (props && Array.isArray(out.required)) {
    const required = (out.required as string[]).filter((name) => props[name]?.default === undefined);
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  return out;
}

/** The name of a kind's schema among the document's components, e.g. `Workload.page-fault`. */
export function workloadSchemaName(kind: string): string {
  return `Workload.${kind}`;
}

/** Each kind's schema as written, titled by its kind. */
export function workloadKindSchemas(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [kind, entry] of Object.entries(WORKLOAD_KINDS) as [WorkloadKind, (typeof WORKLOAD_KINDS)[WorkloadKind]][]) {
    const written = asWritten(JSON.parse(JSON.stringify(entry.spec))) as JsonSchema;
    out[workloadSchemaName(kind)] = { ...written, title: kind, description: typeof written.description === 'string' ? written.description : entry.summary };
  }
  return out;
}

/** The union of the kinds, as references into `refBase` (e.g. `#/components/schemas/`), discriminated by `kind`. */
export function workloadUnionSchema(refBase: string): JsonSchema {
  const kinds = Object.keys(WORKLOAD_KINDS);
  return {
    description: `An inline workload: one of the kinds ${kinds.join(', ')}, chosen by \`kind\`. Fields left out take their defaults. GET /v1/presets has examples.`,
    oneOf: kinds.map((k) => ({ $ref: `${refBase}${workloadSchemaName(k)}` })),
    discriminator: { propertyName: 'kind', mapping: Object.fromEntries(kinds.map((k) => [k, `${refBase}${workloadSchemaName(k)}`])) },
  };
}
