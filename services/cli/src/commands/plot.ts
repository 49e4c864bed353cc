/** `numasim plot`: one metric of a sweep against one of its parameters, as an SVG for a post. */
import { parseArgs } from 'node:util';
import { buildPlotSpec, defaultMetrics, NumasimError, PLOT_SPREADS, plotPointsFromRuns, renderSvg, sweepSubtitle } from '@numasim/shared';
import { numberOption, parse } from '../args.js';
import { CliErrors } from '../errors.js';
import { choiceOption, writeOutput } from '../inputs.js';
import { checkMetrics, loadRuns } from '../sweep/runs.js';
import type { Io } from '../io.js';

export const PLOT_USAGE = `usage: numasim plot SWEEP.json --metric path --x key [--series key] [--title text]
                    [--xlabel text] [--ylabel text] [--width px] [--height px] [--spread stddev|ci95]
                    [--out FIG.svg]

  --metric path   a report path, e.g. locks.bench_lock.conPercent (units come from its name)
  --x key         the grid parameter along the x axis
  --series key    another grid parameter: one series per value (colour, marker and dash)
  --title, --xlabel, --ylabel   replace the generated title and axis labels
  --spread S      around each mean of replicates: stddev (±1 standard deviation, bars; the default)
                  or ci95 (the 95% confidence interval of the mean; a band along a numeric x)
  --out FILE      the SVG file to write (default: the SVG on stdout)`;

export async function plotCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('plot', () => parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
    metric: { type: 'string' },
    x: { type: 'string' },
    series: { type: 'string' },
    title: { type: 'string' },
    xlabel: { type: 'string' },
    ylabel: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    spread: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } }));
  if (values.help) {
    io.stdout(`${PLOT_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new NumasimError(CliErrors.USAGE, `plot: expected one sweep file (got ${positionals.length})\n${PLOT_USAGE}`);
  for (const flag of ['metric', 'x'] as const) {
    if (values[flag] === undefined) throw new NumasimError(CliErrors.USAGE, `plot: --${flag} is required\n${PLOT_USAGE}`, [{ path: flag, reason: 'required' }]);
  }
  const metric = values.metric!;
  const x = values.x!;
  const width = numberOption('plot', 'width', values.width, 560, 200, 4000, true);
  const height = numberOption('plot', 'height', values.height, 340, 150, 4000, true);
  const spread = choiceOption('plot', 'spread', values.spread, PLOT_SPREADS, 'stddev');
  const { runs, sweeps, parameters } = loadRuns('plot', positionals);
  const sweep = sweeps[0];
  if (!sweep) {
    throw new NumasimError(CliErrors.INPUT_NOT_SWEEP, `plot: ${positionals[0]} is a report, not a sweep; plot draws a sweep (numasim sweep --out)`, [{ path: 'input', reason: 'must be a sweep file' }]);
  }
  for (const [flag, key] of [['x', x], ['series', values.series]] as const) {
    if (key !== undefined && !parameters.includes(key)) {
      throw new NumasimError(CliErrors.PARAMETER_NOT_FOUND, `plot: --${flag} ${key}: not a parameter of the sweep (${parameters.join(', ')})`, [{ path: flag, reason: `must be one of ${parameters.join(', ')}` }]);
    }
  }
  if (values.series !== undefined && values.series === x) {
    throw new NumasimError(CliErrors.USAGE, `plot: --series ${x} is also --x; choose another parameter (${parameters.filter((p) => p !== x).join(', ') || 'the sweep has no other'})`, [{ path: 'series', reason: 'must differ from --x' }]);
  }
  checkMetrics('plot', 'metric', runs, [metric], defaultMetrics(runs[0]?.report));
  const shown = [x, ...(values.series ? [values.series] : [])];
  const subtitle = sweepSubtitle({ base: sweep.base.input, set: sweep.base.set, grid: sweep.grid, replicates: sweep.replicates }, shown, spread);
  const spec = buildPlotSpec(plotPointsFromRuns(runs, metric, x, values.series), {
    metric, x, series: values.series, title: values.title, subtitle, xlabel: values.xlabel, ylabel: values.ylabel, width, height, spread,
  });
  const svg = await renderSvg(spec);
  if (values.out === undefined) {
    io.stdout(svg);
  } else {
    writeOutput('plot', values.out, svg);
    io.stderr(`plot: ${metric} against ${shown.join(' and ')} written to ${values.out}\n`);
  }
  return 0;
}
