#!/usr/bin/env node
// Builds the web page into dist/web: the TypeScript bundled with vega and vega-lite (served
// locally, no CDN), the HTML and the CSS copied. `npm run build` runs it after tsc.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const webOutDir = join(here, '..', 'dist', 'web');

export async function buildWeb({ quiet = false } = {}) {
  mkdirSync(webOutDir, { recursive: true });
  const result = await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    outfile: join(webOutDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'eof',
    metafile: true,
    logLevel: quiet ? 'error' : 'warning',
  });
  copyFileSync(join(here, 'index.html'), join(webOutDir, 'index.html'));
  copyFileSync(join(here, 'app.css'), join(webOutDir, 'app.css'));
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await buildWeb();
  const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => k.endsWith('app.js'))].bytes;
  console.log(`web page built: ${webOutDir} (app.js ${bytes} bytes)`);
}
