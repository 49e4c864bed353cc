/**
 * `npm start`: the numasim service. Reads its configuration from the environment, listens, and
 * stops gracefully on SIGTERM/SIGINT (running runs get NUMASIM_SHUTDOWN_GRACE_MS to finish, then
 * go back to the queue and run again at the next start).
 */
import { isNumasimError } from '@numasim/shared';
import { loadConfig } from './config.js';
import { buildApp } from './app.js';

async function main(): Promise<void> {
  let built;
  try {
    const config = loadConfig();
    built = await buildApp(config);
    await built.app.listen({ port: config.port, host: config.host });
  } catch (e) {
    const msg = isNumasimError(e) ? `${e.code}: ${e.message}` : (e as Error).message;
    process.stderr.write(`numasim: cannot start: ${msg}\n`);
    process.exit(1);
  }
  const { app, shutdown } = built;
  let signalled = false;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      if (signalled) return;
      signalled = true;
      app.log.info({ signal: sig }, 'shutting down');
      shutdown().then(
        () => process.exit(0),
        (err: unknown) => {
          app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

void main();
