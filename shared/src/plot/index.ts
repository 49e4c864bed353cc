/** Charts of sweep results: a Vega-Lite spec builder and server-side SVG rendering. */
export * from './units.js';
export * from './spec.js';
export * from './from-runs.js';
export * from './render.js';
