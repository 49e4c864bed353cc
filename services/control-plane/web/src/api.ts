/**
 * The page's view of the API: JSON calls with the API's own error messages, and what this server
 * offers (read from its OpenAPI document), so the page hides what an older server lacks.
 */
import type { FieldSchema } from './types.js';

export type { FieldSchema, SweepCompare } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: { path: string; reason: string }[] = [],
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'numasim.apiToken';

export function apiToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setApiToken(token: string): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

async function parse<T>(res: Response): Promise<T> {
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const b = (typeof body === 'object' && body !== null ? body : {}) as { code?: string; message?: string; issues?: { path: string; reason: string }[] };
    throw new ApiError(res.status, b.code ?? `HTTP_${res.status}`, b.message ?? `${res.status} ${res.statusText}`, b.issues ?? []);
  }
  return body as T;
}

export async function getJson<T>(url: string): Promise<T> {
  return parse<T>(await fetch(url, { headers: { accept: 'application/json' } }));
}

export async function postJson<T>(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<T> {
  const token = apiToken();
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return parse<T>(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth, ...headers }, body: JSON.stringify(payload) }));
}


export interface ServerFeatures {
  /** Query parameters GET /v1/runs accepts. */
  runFilters: Set<string>;
  /** GET /v1/sweeps lists sweeps. */
  sweepList: boolean;
  /** GET /v1/compare compares any finished runs. */
  compare: boolean;
  /** POST /v1/runs and /v1/sweeps take a `label`. */
  runLabel: boolean;
  sweepLabel: boolean;
  /** Each workload kind's schema, when the OpenAPI document carries it. */
  workloadSchemas: Map<string, FieldSchema>;
}

interface OpenApiOperation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: FieldSchema }> };
}

interface OpenApiDoc {
  paths?: Record<string, Record<string, OpenApiOperation>>;
}

function bodyTakes(op: OpenApiOperation | undefined, field: string): boolean {
  return op?.requestBody?.content?.['application/json']?.schema?.properties?.[field] !== undefined;
}

/** Objects anywhere in the document whose `kind` property is a single constant: workload schemas. */
function findWorkloadSchemas(doc: unknown, out: Map<string, FieldSchema>, depth = 0): void {
  if (depth > 40 || doc === null || typeof doc !== 'object') return;
  const kindProp = (doc as FieldSchema).properties?.kind;
  const kind = kindProp?.const ?? (kindProp?.enum?.length === 1 ? kindProp.enum[0] : undefined);
  if (typeof kind === 'string' && !out.has(kind)) out.set(kind, doc as FieldSchema);
  for (const v of Object.values(doc)) findWorkloadSchemas(v, out, depth + 1);
}

let features: Promise<ServerFeatures> | undefined;

export function serverFeatures(): Promise<ServerFeatures> {
  features ??= getJson<OpenApiDoc>('/docs/json')
    .catch(() => ({}) as OpenApiDoc)
    .then((doc) => {
      const paths = doc.paths ?? {};
      const params = paths['/v1/runs']?.get?.parameters ?? [];
      const workloadSchemas = new Map<string, FieldSchema>();
      findWorkloadSchemas(doc, workloadSchemas);
      return {
        runFilters: new Set(params.filter((p) => p.in === 'query').map((p) => p.name)),
        sweepList: paths['/v1/sweeps']?.get !== undefined,
        compare: paths['/v1/compare']?.get !== undefined,
        runLabel: bodyTakes(paths['/v1/runs']?.post, 'label'),
        sweepLabel: bodyTakes(paths['/v1/sweeps']?.post, 'label'),
        workloadSchemas,
      };
    });
  return features;
}

/** The fields of the API this page reads (the API returns more). */
export interface RunSummary {
  id: string;
  status: string;
  kind: string;
  seed: number;
  sweepId: string | null;
  params: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
  preset?: string | null;
  overrides?: Record<string, unknown> | null;
  label?: string | null;
}

export interface RunView extends RunSummary {
  finished: boolean;
  transitions: { status: string; at: string }[];
  progress: { fraction: number; simulatedNs: number; events: number; etaSeconds?: number | null; etaMs?: number | null; unit?: string; done?: number; total?: number } | null;
  error: { code?: string; message?: string } | string | null;
}

export interface Preset {
  name: string;
  summary: string;
  workload: Record<string, unknown>;
  config: Record<string, unknown>;
}

export interface SweepView {
  id: string;
  status: string;
  label?: string | null;
  counts: Record<string, number>;
  request: { base: { preset?: string; workload?: Record<string, unknown>; set?: unknown }; grid: Record<string, unknown[]>; replicates: number; label?: string };
  children: { id: string; params: Record<string, unknown> | null; seed: number; status: string }[];
}

