/**
 * The sweep's chart as SVG, drawn by the shared plot module (the CLI's `numasim plot` and the web
 * page draw the same spec): replicates averaged with error bars, units in the axis labels, and a
 * subtitle naming what the sweep held fixed.
 */
import { buildPlotSpec, plotPointsFromRuns, renderSvg, sweepSubtitle, type Grid, type PlotSpread } from '@numasim/shared';

export interface SweepPlotInput {
  id: string;
  /** The sweep request's base: a preset name or an inline workload, and its overrides. */
  base: { preset?: string; set?: unknown } | undefined;
  grid: Grid;
  replicates: number;
  runs: readonly { params: Record<string, unknown> | null | undefined; report: unknown }[];
  metric: string;
  x: string;
  series?: string;
  spread?: PlotSpread;
}

function baseName(base: SweepPlotInput['base']): string | undefined {
  if (!base) return undefined;
  const set = base.set === undefined ? [] : Array.isArray(base.set) ? base.set.map(String) : Object.entries(base.set as object).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return [base.preset ?? 'inline workload', ...set].join(', ');
}

/** The chart, or undefined when no run has a number at `metric` yet. */
export async function renderSweepPlotSvg(input: SweepPlotInput): Promise<string | undefined> {
  const points = plotPointsFromRuns(input.runs, input.metric, input.x, input.series);
  if (points.length === 0) return undefined;
  const subtitle = [`sweep ${input.id}`, ...sweepSubtitle({ base: baseName(input.base), grid: input.grid, replicates: input.replicates }, [input.x, ...(input.series ? [input.series] : [])], input.spread)];
  return renderSvg(buildPlotSpec(points, { metric: input.metric, x: input.x, series: input.series, subtitle, spread: input.spread }));
}
