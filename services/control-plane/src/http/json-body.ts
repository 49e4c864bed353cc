/**
 * The JSON body parser. It parses with JSON.parse (which makes `__proto__` an ordinary own key,
 * never a prototype) and then refuses any key named __proto__, constructor or prototype: no
 * numasim input has such a field, and code that merges objects could be misled by one. The error
 * names where the key is, instead of calling the body "not valid JSON".
 */
import type { FastifyInstance } from 'fastify';
import { NumasimError } from '@numasim/shared';
import { ApiErrors } from '../errors.js';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** The first forbidden key in `value` and its dotted path, walking without recursion (bodies may nest deeply). */
export function forbiddenKey(value: unknown): { key: string; path: string } | undefined {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: '' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}[${i}]` });
      continue;
    }
    const keys = Object.keys(v);
    for (const k of keys) if (FORBIDDEN.has(k)) return { key: k, path: path === '' ? k : `${path}.${k}` };
    for (let i = keys.length - 1; i >= 0; i--) stack.push({ v: (v as Record<string, unknown>)[keys[i]], path: path === '' ? keys[i] : `${path}.${keys[i]}` });
  }
  return undefined;
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new NumasimError(ApiErrors.BODY_MALFORMED, 'the body is empty; send a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new NumasimError(ApiErrors.BODY_MALFORMED, `the body is not valid JSON: ${(e as Error).message}`);
  }
  const found = forbiddenKey(value);
  if (found !== undefined) {
    throw new NumasimError(ApiErrors.BODY_FORBIDDEN_KEY, `body.${found.path}: a key named ${JSON.stringify(found.key)} is not accepted anywhere in a request`, [
      { path: `body.${found.path}`, reason: 'forbidden key (__proto__, constructor and prototype are refused)' },
    ]);
  }
  return value;
}

export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}
