/**
 * Sweep grids on the service: the expansion itself, replicate seeds and metric paths live in
 * @numasim/shared (the CLI's `numasim sweep` uses the same); here the grid is checked against the
 * service's limits with the API's error codes.
 */
import { NumasimError, gridPoints, gridSize, type Grid, type GridPoint } from '@numasim/shared';
import { ApiErrors } from '../errors.js';

export { defaultMetrics, gridSize, metricValue, type Grid, type GridPoint } from '@numasim/shared';

export function expandGrid(grid: Grid, replicates: number, limit: number): GridPoint[] {
  for (const k of Object.keys(grid)) {
    if (grid[k].length === 0) throw new NumasimError(ApiErrors.BODY_INVALID, `grid.${k}: must list at least one value`, [{ path: `grid.${k}`, reason: 'must list at least one value' }]);
  }
  const size = gridSize(grid, replicates);
  if (size > limit) {
    throw new NumasimError(ApiErrors.LIMIT_EXCEEDED, `the sweep has ${size} runs; this service allows at most ${limit} (NUMASIM_MAX_SWEEP_RUNS)`, [
      { path: 'grid', reason: `${size} runs, at most ${limit} allowed` },
    ]);
  }
  return gridPoints(grid, replicates);
}
