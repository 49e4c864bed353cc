/** Sweeps: grid expansion, replicate seeds, metric paths into reports, the sweep file. */
export * from './grid.js';
export * from './metric.js';
export * from './file.js';
