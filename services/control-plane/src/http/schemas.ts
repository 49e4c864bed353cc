/** Request and response schemas of the API: they validate requests and make the OpenAPI document. */
import { Type } from '@sinclair/typebox';

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'NUMASIM_ERR_…, see docs/ERRORS.md' }),
    message: Type.String(),
    issues: Type.Optional(Type.Array(Type.Object({ path: Type.String(), reason: Type.String() }))),
  },
  { $id: 'Error' },
);

export const SetSpec = Type.Union(
  [
    Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), { description: 'path → value, e.g. {"cpusPerNode": 16}' }),
    Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 200, description: '"path=value" strings, as --set takes' }),
  ],
  { description: 'Overrides of workload fields by dotted path.' },
);

const workloadFields = {
  workload: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'An inline workload (see GET /v1/presets for examples).' })),
  preset: Type.Optional(Type.String({ maxLength: 200, description: 'A preset name (GET /v1/presets).' })),
  set: Type.Optional(SetSpec),
};

export const WorkloadInput = Type.Object(workloadFields, {
  additionalProperties: false,
  description: 'A workload: exactly one of `workload` or `preset`, plus optional `set` overrides.',
});

export const Label = Type.String({ minLength: 1, maxLength: 200, description: 'Your name for it (1–200 characters); lists filter on it.' });

export const RunInput = Type.Object(
  { ...workloadFields, label: Type.Optional(Label) },
  { additionalProperties: false, description: 'A workload: exactly one of `workload` or `preset`, plus optional `set` overrides, and an optional label.' },
);

export const SweepInput = Type.Object(
  {
    base: WorkloadInput,
    grid: Type.Record(Type.String({ maxLength: 200 }), Type.Array(Type.Unknown(), { minItems: 1, maxItems: 1000 }), {
      description: 'Cartesian grid over --set keys: {"cpusPerNode": [1, 2, 4], "lock": ["ticket", "tas"]}.',
    }),
    replicates: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1, description: 'Runs per grid point, with derived seeds.' })),
    label: Type.Optional(Label),
  },
  { additionalProperties: false },
);

/** `limit` and `cursor` of a list: text in the query string, checked as numbers by the route. */
export const pageQuery = {
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: '1–500, default 50' })),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'nextCursor of the previous page' })),
};

export const RunIdParams = Type.Object({ id: Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) });

export const RunAccepted = Type.Object({
  id: Type.String(),
  status: Type.String(),
  configHash: Type.String(),
  links: Type.Record(Type.String(), Type.String()),
});
