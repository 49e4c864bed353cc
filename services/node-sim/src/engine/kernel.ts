/**
 * The event kernel every simulated node runs on: simulated time, logical processes (LPs), and
 * the pending-event set. No I/O and no Node APIs here.
 *
 * Time is a whole number of nanoseconds held in a JS number (exact to 2^53 ns, about 104 days).
 *
 * Order. Events are handled in the total order (time, priority, sourceLP, sourceSeq), where
 * sourceSeq counts the events each LP has sent. Nothing depends on a global counter or on the
 * order events reached the set, so a run gives the same order however its LPs are spread over
 * threads. Lower priority values go first at equal times.
 *
 * The LP rule. An LP changes only its own state. It affects another LP only by `send`ing it an
 * event at least `lookaheadNs` in the future; `schedule` addresses the LP itself with any delay
 * ≥ 0. The kernel enforces the lookahead; model code must never read or write another LP's state
 * directly. This is what lets a later scheduler run LPs on different threads in windows of
 * `lookaheadNs` without changing a single result.
 */
import { NumasimError } from '@numasim/shared';
import { EngineErrors } from '../errors.js';
import { EventHeap } from './event-heap.js';
import { CalendarQueue } from './calendar-queue.js';
import { MAX_LPS, MAX_PRIORITY, type PendingSet } from './pending-set.js';
import type { Outbox } from './outbox.js';
import { NS_ZERO } from './time.js';

/** A logical process: the unit of state and of placement. */
export interface LogicalProcess {
  /** Handles one event addressed to this LP; `kernel.now` is the event's time. */
  handle(kind: number, a: number, b: number, c: number): void;
}

/**
 * The pending-event set. `auto` (the default) uses the binary heap while few events are pending and
 * the calendar queue once many are: measured on this engine, the heap is up to 1.8× faster with
 * the handful of events a small model keeps pending, the calendar queue up to 1.6× faster from a
 * few dozen on (docs/PERFORMANCE.md). The choice is made between slices of a run, never changes
 * the order of events, and so never changes a result.
 */
export type QueueKind = 'heap' | 'calendar' | 'auto';

export interface KernelOptions {
  /** Smallest delay of an event sent to another LP, ns (≥ 1). Infinity when LPs never talk. */
  lookaheadNs: number;
  queue?: QueueKind;
  /**
   * A debug run: models add their costly checks (the VM's lock order). Chosen by whoever starts
   * the run (the command line and the services read NUMASIM_DEBUG); nothing here reads the
   * environment. Results do not depend on it.
   */
  debug?: boolean;
}

/** `auto`: switch to the calendar queue at this many pending events, back to the heap below half of it. */
export const AUTO_CALENDAR_AT = 64;

const PRIORITY_SHIFT = 2 ** 24;

export class Kernel {
  /** Time of the event being handled (or of the last one handled), ns. */
  now = NS_ZERO;
  /** LP handling the current event; -1 between events. */
  current = -1;
  /** Events handled so far. */
  eventsHandled = 0;
  /** Time of the last event handled, ns. */
  lastEventNs = NS_ZERO;
  /** LP that handled the last event (-1 before the first), for error messages. */
  lastLp = -1;
  readonly lookaheadNs: number;
  readonly queueKind: QueueKind;
  /** KernelOptions.debug. */
  readonly debug: boolean;

  private readonly lps: LogicalProcess[] = [];
  private sendSeq = new Float64Array(16);
  private pending: PendingSet;
  /** True while the event being handled is still in the set: its first successor replaces it. */
  private topPending = false;
  private started = false;
  /** Partitioned runs (parallel/): 1 for the LPs this kernel runs; null when it runs them all. */
  private owned: Uint8Array | null = null;
  private outbox: Outbox | null = null;

  constructor(options: KernelOptions) {
    if (!(options.lookaheadNs >= 1)) {
      throw new NumasimError(EngineErrors.TIME_INVALID, `lookahead must be at least 1 ns (got ${options.lookaheadNs})`);
    }
    this.lookaheadNs = options.lookaheadNs;
    this.queueKind = options.queue ?? 'auto';
    this.debug = options.debug ?? false;
    this.pending = this.queueKind === 'calendar' ? new CalendarQueue() : new EventHeap();
  }

  /** Registers an LP and returns its id. All LPs are added before the first event is handled. */
  addLp(lp: LogicalProcess): number {
    if (this.started) throw new NumasimError(EngineErrors.LP_INVALID, 'LPs must be added before the run starts');
    if (this.lps.length >= MAX_LPS) throw new NumasimError(EngineErrors.LP_INVALID, `at most ${MAX_LPS} LPs`);
    const id = this.lps.length;
    this.lps.push(lp);
    if (id >= this.sendSeq.length) {
      const grown = new Float64Array(this.sendSeq.length * 2);
      grown.set(this.sendSeq);
      this.sendSeq = grown;
    }
    return id;
  }

  /** The LP registered as `id` (the parallel runner reads and restores LP state between threads). */
  lpAt(id: number): LogicalProcess {
    return this.lps[id];
  }

  /**
   * Makes this kernel run only the LPs with `owned[id] === 1`, after the model is built and seeded
   * and before the run starts. Every thread builds and seeds the whole model the same way, so each
   * keeps the seeds of its own LPs and drops the rest (their owners hold them). From then on,
   * events for other threads' LPs go to `outbox` with their (time, key, seq); those threads
   * `inject` them.
   */
  partition(owned: Uint8Array, outbox: Outbox): void {
    if (this.started) throw new NumasimError(EngineErrors.LP_INVALID, 'partition the kernel before the run starts');
    const kept: PendingSet = this.queueKind === 'calendar' ? new CalendarQueue() : new EventHeap();
    const filter = {
      push: (time: number, key: number, seq: number, dst: number, kind: number, a: number, b: number, c: number) => {
        if (owned[dst] === 1) kept.push(time, key, seq, dst, kind, a, b, c);
      },
    };
    this.pending.moveAllTo(filter as unknown as PendingSet);
    this.pending = kept;
    this.owned = owned;
    this.outbox = outbox;
  }

  /** Adds an event another thread's kernel emitted, with its original ordering key. */
  inject(time: number, key: number, seq: number, dst: number, kind: number, a: number, b: number, c: number): void {
    this.pending.push(time, key, seq, dst, kind, a, b, c);
  }

  get lpCount(): number {
    return this.lps.length;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Time of the next pending event, or Infinity when none is left. */
  nextEventTime(): number {
    return this.pending.size > 0 ? this.pending.minTime() : Infinity;
  }

  /** Schedules an event for the LP handling the current event, `delayNs` ≥ 0 from now. */
  schedule(delayNs: number, kind: number, a: number, b: number, c: number): void {
    this.emit(this.current, this.current, delayNs, kind, a, b, c, 0);
  }

  /** Like `schedule`, with a priority (0–127, lower first among events of equal time). */
  scheduleWithPriority(delayNs: number, priority: number, kind: number, a: number, b: number, c: number): void {
    this.emit(this.current, this.current, delayNs, kind, a, b, c, priority);
  }

  /** Sends an event to LP `dst`; another LP must be at least `lookaheadNs` away in time. */
  send(dst: number, delayNs: number, kind: number, a: number, b: number, c: number): void {
    if (dst !== this.current && !(delayNs >= this.lookaheadNs)) this.lookaheadViolation(dst, delayNs);
    this.emit(this.current, dst, delayNs, kind, a, b, c, 0);
  }

  /**
   * Seeds an event before the run (or from outside any event), as if LP `src` sent it, at absolute
   * time `timeNs` ≥ now. Used to start each LP's activity.
   */
  post(src: number, dst: number, timeNs: number, kind: number, a: number, b: number, c: number, priority = 0): void {
    if (this.current !== -1) throw new NumasimError(EngineErrors.LP_INVALID, 'post is for seeding events; inside a handler use schedule or send');
    if (src < 0 || src >= this.lps.length) throw new NumasimError(EngineErrors.LP_INVALID, `no LP ${src}`);
    this.emit(src, dst, timeNs - this.now, kind, a, b, c, priority);
  }

  /**
   * Handles, in order, every event whose time is ≤ `endNs`, but no more than `maxEvents` of them.
   * Returns how many were handled. Time stops at the last event handled; call again with a later
   * end to go on: slicing a run never changes its order of events.
   */
  runUntil(endNs: number, maxEvents = Infinity): number {
    this.started = true;
    if (this.queueKind === 'auto') this.choosePendingSet();
    const q = this.pending;
    const lps = this.lps;
    let handled = 0;
    while (q.size > 0 && handled < maxEvents) {
      const t = q.minTime();
      if (t > endNs) break;
      q.loadMin();
      const dst = q.outDst;
      this.now = t;
      this.current = dst;
      this.topPending = true;
      lps[dst].handle(q.outKind, q.outA, q.outB, q.outC);
      if (this.topPending) {
        this.topPending = false;
        q.removeMin();
      }
      handled++;
    }
    if (handled > 0) {
      this.lastLp = this.current;
      this.eventsHandled += handled;
      this.lastEventNs = this.now;
    }
    this.current = -1;
    return handled;
  }

  /** Which pending set `auto` is using now. */
  get pendingSetKind(): 'heap' | 'calendar' {
    return this.pending instanceof CalendarQueue ? 'calendar' : 'heap';
  }

  private choosePendingSet(): void {
    const size = this.pending.size;
    const onHeap = this.pending instanceof EventHeap;
    if (onHeap && size >= AUTO_CALENDAR_AT) this.switchPendingSet(new CalendarQueue(size * 2));
    else if (!onHeap && size < AUTO_CALENDAR_AT / 2) this.switchPendingSet(new EventHeap());
  }

  private switchPendingSet(target: PendingSet): void {
    this.pending.moveAllTo(target);
    this.pending = target;
  }

  private emit(src: number, dst: number, delayNs: number, kind: number, a: number, b: number, c: number, priority: number): void {
    if (!(delayNs >= 0) || Math.floor(delayNs) !== delayNs) this.timeInvalid(delayNs);
    if (dst >>> 0 >= this.lps.length) throw new NumasimError(EngineErrors.LP_INVALID, `event for LP ${dst}, which does not exist`);
    if (priority !== (priority & MAX_PRIORITY)) throw new NumasimError(EngineErrors.TIME_INVALID, `priority must be 0–${MAX_PRIORITY} (got ${priority})`);
    const seq = this.sendSeq[src]++;
    const key = priority * PRIORITY_SHIFT + src;
    const time = this.now + delayNs;
    if (this.owned !== null && this.owned[dst] === 0) {
      this.outbox!.push(time, key, seq, dst, kind, a, b, c);
      return;
    }
    if (this.topPending) {
      this.topPending = false;
      this.pending.replaceMin(time, key, seq, dst, kind, a, b, c);
    } else {
      this.pending.push(time, key, seq, dst, kind, a, b, c);
    }
  }

  private lookaheadViolation(dst: number, delayNs: number): never {
    throw new NumasimError(
      EngineErrors.LOOKAHEAD_VIOLATION,
      `LP ${this.current} sent an event to LP ${dst} ${delayNs} ns ahead; the lookahead is ${this.lookaheadNs} ns`,
    );
  }

  private timeInvalid(delayNs: number): never {
    throw new NumasimError(EngineErrors.TIME_INVALID, `an event must be a whole number of ns ≥ 0 ahead (got ${delayNs})`);
  }
}
