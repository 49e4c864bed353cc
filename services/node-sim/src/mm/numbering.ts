/**
 * The numbers of a node LP's protocol: the steps of its per-CPU programs, its event kinds, and the
 * operations one node applies to another's memory (carried by EV_OP). Nothing in the kernel this
 * follows has such numbers — they are the model's way of running kernel paths as resumable
 * programs over typed arrays — so this file follows no kernel source.
 *
 * Each part of the model that has steps, events or operations claims them here by name, after
 * the part it builds on: `MM_PROTOCOL.extend('vmscan.c', …)` numbers reclaim's right after the
 * node's own, and a part built on reclaim claims after those. Numbers follow the dependency
 * between the parts, never the order modules happen to load in, so every thread of a parallel
 * run gives the same event the same number. Two parts built on the same one (two workloads)
 * share numbers, which is safe: one run has one workload.
 *
 * A part tests whether a step is its own with its block's bounds (`firstStep`, `stepEnd`), plain
 * numbers the hot loop compares against.
 */
import { invariant } from '../errors.js';

/** EV_OP carries an operation in 8 bits (the zone type sits above it). */
const OP_LIMIT = 256;

interface Claim {
  readonly steps?: readonly string[];
  readonly events?: readonly string[];
  readonly ops?: readonly string[];
}

export class Numbering {
  /** This part's own numbers, in the order its claim named them. */
  readonly steps: number[];
  readonly events: number[];
  readonly ops: number[];
  readonly firstStep: number;
  readonly stepEnd: number;
  readonly eventEnd: number;
  readonly opEnd: number;

  private constructor(
    readonly owner: string,
    readonly parent: Numbering | null,
    private readonly names: Required<Claim>,
    firstStep: number,
    firstEvent: number,
    firstOp: number,
  ) {
    const run = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k);
    this.steps = run(firstStep, names.steps.length);
    this.events = run(firstEvent, names.events.length);
    this.ops = run(firstOp, names.ops.length);
    this.firstStep = firstStep;
    this.stepEnd = firstStep + names.steps.length;
    this.eventEnd = firstEvent + names.events.length;
    this.opEnd = firstOp + names.ops.length;
    invariant(this.opEnd <= OP_LIMIT, `${owner}: operations run to ${this.opEnd}, past the ${OP_LIMIT} EV_OP can carry`);
  }

  /** The node's own block: steps and operations from 0, events from `firstEvent` (above the lock protocol's). */
  static root(owner: string, firstEvent: number, claim: Claim): Numbering {
    return new Numbering(owner, null, full(claim), 0, firstEvent, 0);
  }

  /** A part built on this one: its numbers start where this part's end. */
  extend(owner: string, claim: Claim): Numbering {
    return new Numbering(owner, this, full(claim), this.stepEnd, this.eventEnd, this.opEnd);
  }

  /** `part: name` of step `p`, for error messages (searching this part and the parts below it). */
  stepName(p: number): string {
    const k = p - this.firstStep;
    if (k >= 0 && k < this.names.steps.length) return `${this.owner}: ${this.names.steps[k]}`;
    return this.parent ? this.parent.stepName(p) : `step ${p}`;
  }
}

function full(claim: Claim): Required<Claim> {
  return { steps: claim.steps ?? [], events: claim.events ?? [], ops: claim.ops ?? [] };
}
