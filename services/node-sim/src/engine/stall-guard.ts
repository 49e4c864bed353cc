/**
 * A run whose simulated time stands still never ends: its LPs keep scheduling events at the same
 * instant (a lockbench with zero think, hold and hand-off times). The guard runs the kernel in
 * chunks of events and stops the run when a whole chunk happened at one instant. The check costs
 * one comparison per chunk, nothing per event, and slicing never changes the order of events.
 */
import { NumasimError } from '@numasim/shared';
import { EngineErrors } from '../errors.js';
import type { Kernel } from './kernel.js';

/**
 * Consecutive events at one simulated instant that stop a run. No model handles anywhere near
 * this many events at one instant (numaq-64-kernbench's busiest instant is its start, a few
 * thousand events); a handful of seconds of engine time at most.
 */
export const STILL_TIME_EVENTS = 2_000_000;

/**
 * `kernel.runUntil(endNs, maxEvents)` that throws NUMASIM_ERR_RUN_TIME_STANDS_STILL when
 * STILL_TIME_EVENTS events in a row happen at one simulated instant. Returns the events handled.
 */
export function runUntilAdvancing(kernel: Kernel, endNs: number, maxEvents: number, chunk = STILL_TIME_EVENTS): number {
  let handled = 0;
  for (;;) {
    const from = kernel.nextEventTime();
    const budget = Math.min(chunk, maxEvents - handled);
    const n = kernel.runUntil(endNs, budget);
    handled += n;
    if (n < budget || handled >= maxEvents) return handled;
    if (kernel.now === from && kernel.nextEventTime() === from) throw timeStandsStill(kernel, chunk);
  }
}

function timeStandsStill(kernel: Kernel, chunk: number): NumasimError {
  return new NumasimError(
    EngineErrors.TIME_STANDS_STILL,
    `simulated time stood still: ${chunk} events in a row at ${kernel.now} ns (the last one for LP ${kernel.lastLp}). ` +
      'The workload cannot advance time: give it non-zero think, hold or hand-off times',
  );
}
