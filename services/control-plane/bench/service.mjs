// The benchmarks' way to start `npm start`'s server: a child process on a free loopback port with
// a temporary store, resolved with its base URL once it says it listens.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverJs = join(dirname(fileURLToPath(import.meta.url)), '../dist/server.js');

/** Starts the service with `env` over this process's environment; resolves with `{ p, base }`. */
export async function startService(env = {}) {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'numasim-bench-')), 'db.sqlite');
  const p = spawn(process.execPath, [serverJs], {
    env: { ...process.env, NUMASIM_PORT: '0', NUMASIM_LOG_LEVEL: 'info', NUMASIM_DB_PATH: dbPath, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const base = await new Promise((resolve, reject) => {
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve(m[1]);
    });
    p.on('exit', (c) => reject(new Error(`the service exited with ${c}`)));
  });
  return { p, base };
}
