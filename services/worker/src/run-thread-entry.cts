/**
 * The file piscina's threads load for a run: CommonJS, so that piscina's require() of its task
 * file never loads an ES module. On Node 20.19 and later require() can load ES modules, and doing
 * so in a pool thread intermittently aborted the whole process (V8: "IsGraphAsync must be used on
 * an instantiated module") in CI. This file loads the ES module through import() once, the path
 * Node has always supported, and hands every task to its default export.
 */
type Handler = (task: never) => unknown;

let handler: Promise<Handler> | undefined;

function runTask(task: never): Promise<unknown> {
  handler ??= import('./run-thread.js').then((m: { default: Handler }) => m.default);
  return handler.then((h) => h(task));
}

export = runTask;
