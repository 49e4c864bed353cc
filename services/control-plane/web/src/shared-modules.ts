/**
 * The shared package's pure modules the page bundles from their source, so the page, the CLI and
 * the service compute statistics and draw charts with the same code (the package's entry point
 * also carries Node-only parts the browser cannot load).
 */
export { buildPlotSpec, type PlotPoint } from '../../../../shared/src/plot/spec.js';
export { compareGroups, type CompareGroup, type CompareRow } from '../../../../shared/src/compare/rows.js';
export { compareRowsToText, formatChange } from '../../../../shared/src/compare/format.js';
export { lockTableEntries, type LockTableCaller, type LockTableEntry } from '../../../../shared/src/report/lock-classes.js';
export type { Report } from '../../../../shared/src/report/types.js';
