/** @numasim/control-plane: the HTTP service, for tests and embedding. `server.ts` is the entry point. */
export * from './app.js';
export * from './config.js';
export * from './errors.js';
export * from './store/runs-repo.js';
