/**
 * The web page: `/` is its HTML, `/web/*` its script and stylesheet, built into dist/web by
 * `npm run build` (web/build.mjs). Files are read once and kept gzipped in memory; clients
 * revalidate with the ETag, so a rebuilt page shows on the next load.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

interface Asset {
  type: string;
  body: Buffer;
  gzipped: Buffer;
  etag: string;
}

export const defaultWebDir = fileURLToPath(new URL('../web/', import.meta.url));

function load(dir: string): Map<string, Asset> | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(TYPES)) {
    const body = readFileSync(join(dir, name));
    assets.set(name, { type, body, gzipped: gzipSync(body), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}

export function registerWebRoutes(app: FastifyInstance, webDir = defaultWebDir): void {
  let assets: Map<string, Asset> | undefined;
  const send = (name: string, req: FastifyRequest, reply: FastifyReply) => {
    assets ??= load(webDir);
    if (!assets) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web page is not built: run `npm run build` (it bundles services/control-plane/web into dist/web). The API is at /v1 and /docs.');
    }
    const a = assets.get(name)!;
    reply.header('etag', a.etag).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').type(a.type);
    if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').send(a.gzipped);
    return reply.send(a.body);
  };
  const hide = { schema: { hide: true } };
  app.get('/', hide, (req, reply) => send('index.html', req, reply));
  app.get('/web/app.js', hide, (req, reply) => send('app.js', req, reply));
  app.get('/web/app.css', hide, (req, reply) => send('app.css', req, reply));
}
