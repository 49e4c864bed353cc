/**
 * The shared package's browser-safe part, which the page bundles so that it computes statistics,
 * collapses lock classes and draws charts with the same code as the CLI and the service.
 */
export * from '@numasim/shared/browser';
