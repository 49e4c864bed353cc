/**
 * The OpenAPI document's workload: the request schemas accept any object as `workload` (the
 * service resolves and validates it, with machine presets and overrides applied first), so the
 * document gets the real thing instead — every kind's fields, defaults and descriptions, as
 * components, discriminated by `kind` — without changing what the routes validate.
 */
import { workloadKindSchemas, workloadUnionSchema } from '@numasim/shared';

type Schema = Record<string, unknown>;

const REF_BASE = '#/components/schemas/';

function withWorkload(objectSchema: Schema): Schema {
  const props = objectSchema.properties as Record<string, Schema> | undefined;
  if (!props?.workload) return objectSchema;
  return { ...objectSchema, properties: { ...props, workload: workloadUnionSchema(REF_BASE) } };
}

/** @fastify/swagger's `transform`: a route whose body holds a workload (directly or as a sweep's `base`) documents it in full. */
export function documentWorkloads({ schema, url }: { schema: Schema; url: string }): { schema: Schema; url: string } {
  const body = schema?.body as Schema | undefined;
  const props = body?.properties as Record<string, Schema> | undefined;
  if (!body || !props) return { schema, url };
  let documented = withWorkload(body);
  if (props.base) documented = { ...documented, properties: { ...(documented.properties as Schema), base: withWorkload(props.base) } };
  return { schema: { ...schema, body: documented }, url };
}

/** @fastify/swagger's `transformObject`: adds each workload kind's schema to the components. */
export function addWorkloadComponents({ openapiObject }: { openapiObject: Partial<{ components: { schemas?: Record<string, unknown> } }> }) {
  const components = openapiObject.components ?? {};
  openapiObject.components = { ...components, schemas: { ...(components.schemas ?? {}), ...workloadKindSchemas() } };
  return openapiObject;
}
