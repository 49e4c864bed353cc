/**
 * The parts of this package a browser can load (no Node built-ins): the chart builder, the
 * comparison statistics and the lock-class rows. The control plane's web page bundles them, so
 * the page, the CLI and the service compute and draw alike.
 */
export { buildPlotSpec, type PlotOptions, type PlotPoint } from './plot/spec.js';
export { compareGroups, type CompareGroup, type CompareRow } from './compare/rows.js';
export { compareRowsToText, formatChange } from './compare/format.js';
export { lockTableEntries, type LockTableCaller, type LockTableEntry } from './report/lock-classes.js';
export type { NumaStat, Report, ZoneReport } from './report/types.js';
