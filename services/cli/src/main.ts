/**
 * The `numasim` command. Exit codes: 0 success, 2 bad input (a one-line error naming the field
 * and the reason, never a stack trace), 1 anything else (a fault of the software; the stack is
 * printed only with NUMASIM_DEBUG=1).
 */
import { isNumasimError, describeIssues } from '@numasim/shared';
import { ENGINE_VERSION } from '@numasim/node-sim';
import { runCommand } from './commands/run.js';
import { presetsCommand } from './commands/presets.js';
import { benchCommand } from './commands/bench.js';
import { sweepCommand } from './commands/sweep.js';
import { compareCommand } from './commands/compare.js';
import { plotCommand } from './commands/plot.js';
import { processIo, type Io } from './io.js';

export const USAGE = `numasim ${ENGINE_VERSION}: simulate NUMA kernel memory management and report lockmeter-style lock statistics

usage:
  numasim run FILE|PRESET [--seed N] [--set path=value ...] [--json] [--out FILE]
                         [--format lockmeter|lock_stat|perf-lock|perf-cycles|csv|json] [--top N] [--lock TEXT] [--instances]
  numasim sweep FILE|PRESET --grid key=v1,v2 [--grid ...] [--replicates N] [--set path=value ...] --out SWEEP.json
  numasim compare SWEEP.json|REPORT.json ... [--by key] [--baseline value] [--metrics m1,m2] [--format text|csv|json]
  numasim plot SWEEP.json --metric path --x key [--series key] [--title T] [--xlabel T] [--ylabel T] [--out FIG.svg]
  numasim presets [--json]
  numasim bench phold [--lps N --population N --end µs --remote p --lookahead µs --mean µs] [--json]
  numasim worker [--concurrency N] [--metrics-port P]     (queue mode: needs NUMASIM_REDIS_URL)
  numasim help | --version

Run "numasim COMMAND --help" for the options of a command.`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, io);
      case 'sweep':
        return await sweepCommand(rest, io);
      case 'compare':
        return compareCommand(rest, io);
      case 'plot':
        return await plotCommand(rest, io);
      case 'presets':
        return presetsCommand(rest, io);
      case 'bench':
        return benchCommand(rest, io);
      case 'worker':
        // Loaded only here: it brings the worker package's dependencies (BullMQ, the pool) with it.
        return await (await import('./commands/worker.js')).workerCommand(rest, io);
      case '--version':
      case 'version':
        io.stdout(`${ENGINE_VERSION}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        io.stderr(`numasim: NUMASIM_ERR_CLI_USAGE: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
        return 2;
    }
  } catch (e) {
    if (isNumasimError(e) && e.user) {
      const detail = e.issues.length > 0 && !e.message.includes(describeIssues(e.issues)) ? ` (${describeIssues(e.issues)})` : '';
      io.stderr(`numasim: ${e.code}: ${e.message}${detail}\n`);
      return 2;
    }
    const err = e as Error;
    const code = isNumasimError(e) ? `${e.code}: ` : '';
    io.stderr(`numasim: internal error: ${code}${err.message}\n`);
    if (process.env.NUMASIM_DEBUG === '1') io.stderr(`${err.stack ?? ''}\n`);
    return 1;
  }
}
