/** `numasim bench phold`: the standard engine benchmark on numasim's kernel (docs/SOURCES.md#engine). */
import { NumasimError } from '@numasim/shared';
import { runPhold } from '@numasim/node-sim';
import { parseArgs } from 'node:util';
import { numberOption, parse } from '../args.js';
import { CliErrors } from '../errors.js';
import type { Io } from '../io.js';

export const BENCH_USAGE = `usage: numasim bench phold [--lps 1024] [--population 16] [--end 1000] [--remote 0.25]
                           [--lookahead 0.1] [--mean 0.9] [--seed 1] [--queue auto|heap|calendar] [--json]

  Times are in simulated µs (the engine itself counts whole ns). --json prints
  {events, wallSeconds, eventsPerSecond, checksum}; the checksum depends only on the event sequence.`;

export function benchCommand(argv: string[], io: Io): number {
  const { values, positionals } = parse('bench', () => parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
    lps: { type: 'string' },
    population: { type: 'string' },
    end: { type: 'string' },
    remote: { type: 'string' },
    lookahead: { type: 'string' },
    mean: { type: 'string' },
    seed: { type: 'string' },
    queue: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  } }));
  if (values.help) {
    io.stdout(`${BENCH_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'phold') {
    throw new NumasimError(CliErrors.USAGE, `bench: the benchmark to run must be "phold" (got ${positionals.join(' ') || 'nothing'})\n${BENCH_USAGE}`);
  }
  const queue = values.queue ?? 'auto';
  if (queue !== 'heap' && queue !== 'calendar' && queue !== 'auto') {
    throw new NumasimError(CliErrors.USAGE, `bench: --queue must be "auto", "heap" or "calendar" (got ${JSON.stringify(queue)})`);
  }
  const us = (name: string, raw: string | undefined, fallback: number, min: number) => Math.round(numberOption('bench', name, raw, fallback, min, 1e9) * 1000);
  const params = {
    lps: numberOption('bench', 'lps', values.lps, 1024, 1, 1 << 20, true),
    population: numberOption('bench', 'population', values.population, 16, 1, 1 << 16, true),
    endNs: us('end', values.end, 1000, 0),
    remote: numberOption('bench', 'remote', values.remote, 0.25, 0, 1),
    lookaheadNs: us('lookahead', values.lookahead, 0.1, 0.001),
    meanNs: us('mean', values.mean, 0.9, 0),
    seed: numberOption('bench', 'seed', values.seed, 1, 0, Number.MAX_SAFE_INTEGER, true),
    queue,
  } as const;
  if (params.lps * params.population > 1 << 26) {
    throw new NumasimError(CliErrors.USAGE, `bench: --lps × --population must be at most ${1 << 26} (got ${params.lps * params.population})`);
  }
  const r = runPhold(params);
  const out = { events: r.events, wallSeconds: r.wallSeconds, eventsPerSecond: r.eventsPerSecond, checksum: r.checksum };
  if (values.json) io.stdout(`${JSON.stringify(out)}\n`);
  else {
    io.stdout(
      `PHOLD ${params.lps} LPs × ${params.population} events, remote ${params.remote}, lookahead ${params.lookaheadNs / 1000} µs, ` +
        `mean ${params.meanNs / 1000} µs, end ${params.endNs / 1000} µs, ${queue}\n` +
        `${r.events} events in ${r.wallSeconds.toFixed(3)} s: ${(r.eventsPerSecond / 1e6).toFixed(2)} M events/s (checksum ${r.checksum})\n`,
    );
  }
  return 0;
}
