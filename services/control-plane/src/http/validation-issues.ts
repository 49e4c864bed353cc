/**
 * Fastify's (ajv's) validation errors as field issues a user can act on: one issue per field,
 * naming it, the reason and, for a choice of values, the allowed values once. A TypeBox union of
 * literals is an anyOf of consts, for which ajv reports every const it tried and then the anyOf
 * itself; those collapse into "must be one of: a, b, c (got x)".
 */
import type { FieldIssue } from '@numasim/shared';

export interface AjvError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

const TYPE_NAMES: Record<string, string> = { string: 'a string', integer: 'a whole number', number: 'a number', object: 'an object', array: 'an array', boolean: 'true or false', null: 'null' };
const typeName = (t: unknown) => String(t).split(',').map((x) => TYPE_NAMES[x] ?? x).join(' or ');

const count = (n: unknown, what: string) => `${String(n)} ${what}${n === 1 ? '' : 's'}`;

const list = (values: readonly unknown[]) => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');

/** The value at an ajv instance path (`/a/0/b`) inside `data`, if it is there. */
function valueAt(data: unknown, pointer: string): unknown {
  let cur = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, seg)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function reasonOf(e: AjvError, got: string): string {
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'unknown field';
    case 'enum':
      return `must be one of: ${list(p.allowedValues as unknown[])} (got ${got})`;
    case 'const':
      return `must be ${list([p.allowedValue])} (got ${got})`;
    case 'type':
      return `must be ${typeName(p.type)} (got ${got})`;
    case 'pattern':
      return `must match ${String(p.pattern)} (got ${got})`;
    case 'minLength':
      return `must be at least ${count(p.limit, 'character')} long`;
    case 'maxLength':
      return `must be at most ${count(p.limit, 'character')} long`;
    case 'minimum':
      return `must be at least ${String(p.limit)} (got ${got})`;
    case 'maximum':
      return `must be at most ${String(p.limit)} (got ${got})`;
    case 'minItems':
      return `must have at least ${count(p.limit, 'item')}`;
    case 'maxItems':
      return `must have at most ${count(p.limit, 'item')}`;
    default:
      return e.message ?? 'is invalid';
  }
}

/**
 * `where` is the request part (body, querystring, params, headers); `data` that part's value,
 * to say what was sent.
 */
export function validationIssues(errors: readonly AjvError[], where: string, data: unknown): FieldIssue[] {
  const byPath = new Map<string, AjvError[]>();
  for (const e of errors) {
    const base = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const field = (e.params.missingProperty ?? e.params.additionalProperty) as string | undefined;
    const path = [where, base, field].filter(Boolean).join('.');
    byPath.set(path, [...(byPath.get(path) ?? []), e]);
  }
  const issues: FieldIssue[] = [];
  for (const [path, errs] of byPath) {
    const got = show(valueAt(data, errs[0].instancePath));
    const reasons: string[] = [];
    const covered = new Set<AjvError>();
    for (const any of errs.filter((e) => e.keyword === 'anyOf')) {
      const branches = errs.filter((e) => e !== any && e.schemaPath.startsWith(`${any.schemaPath}/`));
      branches.forEach((b) => covered.add(b));
      covered.add(any);
      if (branches.length > 0 && branches.every((b) => b.keyword === 'const')) {
        reasons.push(`must be one of: ${list(branches.map((b) => b.params.allowedValue))} (got ${got})`);
      } else {
        const types = [...new Set(branches.filter((b) => b.keyword === 'type').map((b) => typeName(b.params.type)))];
        reasons.push(types.length > 0 ? `must be ${types.join(' or ')} (got ${got})` : `matches none of its allowed forms (got ${got})`);
      }
    }
    for (const e of errs) if (!covered.has(e)) reasons.push(reasonOf(e, got));
    issues.push({ path, reason: [...new Set(reasons)].join('; ') });
  }
  return issues;
}
