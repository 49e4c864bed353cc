/**
 * The shared memory of one parallel run: a barrier, what each thread publishes at a window's end,
 * and one mailbox per thread for the events other threads send it. No postMessage per window.
 *
 * Everything a thread publishes at the end of window w goes to half `w mod 2` (the parity) of the
 * buffers, and is read by the others just after the barrier that ends w. A thread writes that half
 * again only at the end of window w + 2, after the barrier that ends w + 1, which no thread passes
 * before every thread has read half `w mod 2`. So one barrier per window is enough.
 *
 * A mailbox half holds `capacity` events; senders reserve room with one Atomics.add on its
 * cursor, so their order in it varies from run to run, which is harmless: events are ordered by
 * their keys, never by arrival. What does not fit stays in the sender's outbox and the next window
 * is cut short before its time (`undeliveredMin`), so nothing arrives late.
 */
import { EVENT_FIELDS, type Outbox } from '../engine/outbox.js';
import type { Kernel } from '../engine/kernel.js';

const ARRIVE = 0;
const GEN = 1;
const ABORT = 2;
const CURSORS = 4;

/** Published per thread and parity. */
const P_LOCAL_MIN = 0; // next event time in its own pending set
const P_SENT_MIN = 1; // earliest event it sent this window (delivered or not)
const P_BACKLOG_MIN = 2; // earliest event still in its outbox
const P_EVENTS = 3; // events handled so far
const P_LAST_EVENT = 4; // time of its last event
const P_FIELDS = 8;

export interface ExchangeBuffers {
  threads: number;
  capacity: number;
  ctl: SharedArrayBuffer;
  pub: SharedArrayBuffer;
  mail: SharedArrayBuffer;
}

export function createExchange(threads: number, capacity: number): ExchangeBuffers {
  return {
    threads,
    capacity,
    ctl: new SharedArrayBuffer((CURSORS + threads * 2) * 4),
    pub: new SharedArrayBuffer(threads * 2 * P_FIELDS * 8),
    mail: new SharedArrayBuffer(threads * 2 * capacity * EVENT_FIELDS * 8),
  };
}

/** Tells every thread of the run to stop at its next barrier, and wakes the ones waiting there. */
export function abortExchange(buf: ExchangeBuffers): void {
  const ctl = new Int32Array(buf.ctl);
  Atomics.store(ctl, ABORT, 1);
  Atomics.add(ctl, GEN, 1);
  Atomics.notify(ctl, GEN);
}

/** What every thread knows after a barrier: the same numbers in all of them. */
export interface GlobalView {
  /** Earliest pending event anywhere (Infinity: none left). */
  nextNs: number;
  /** Earliest event not yet in its destination's mailbox: windows must end before it. */
  undeliveredNs: number;
  events: number;
  lastEventNs: number;
}

export class AbortedError extends Error {
  constructor() {
    super('the run was stopped');
  }
}

export class Exchange {
  private readonly ctl: Int32Array;
  private readonly pub: Float64Array;
  private readonly mail: Float64Array;
  private readonly k: number;
  private readonly cap: number;
  private parity = 0;
  /** Wall-clock ms spent waiting at barriers. */
  waitMs = 0;

  constructor(
    buf: ExchangeBuffers,
    private readonly self: number,
    /** Atomics.load polls before sleeping: worth it only when every thread has a core. */
    private readonly spin: number,
  ) {
    this.ctl = new Int32Array(buf.ctl);
    this.pub = new Float64Array(buf.pub);
    this.mail = new Float64Array(buf.mail);
    this.k = buf.threads;
    this.cap = buf.capacity;
  }

  /**
   * Ends a window: sends the outbox, publishes this thread's figures, waits for the others, takes
   * in the events sent here, and returns what all threads now agree on.
   */
  endWindow(kernel: Kernel, outbox: Outbox): GlobalView {
    const p = this.parity;
    let sentMin = Infinity;
    let backlogMin = Infinity;
    for (let t = 0; t < this.k; t++) {
      const n = outbox.counts[t];
      if (n === 0) continue;
      sentMin = Math.min(sentMin, outbox.minTime(t));
      const start = Atomics.add(this.ctl, CURSORS + t * 2 + p, n);
      const fits = Math.max(0, Math.min(n, this.cap - start));
      if (fits > 0) this.mail.set(outbox.lanes[t].subarray(0, fits * EVENT_FIELDS), ((t * 2 + p) * this.cap + start) * EVENT_FIELDS);
      outbox.shift(t, fits);
      if (outbox.counts[t] > 0) backlogMin = Math.min(backlogMin, outbox.minTime(t));
    }
    const pb = (this.self * 2 + p) * P_FIELDS;
    this.pub[pb + P_LOCAL_MIN] = kernel.nextEventTime();
    this.pub[pb + P_SENT_MIN] = sentMin;
    this.pub[pb + P_BACKLOG_MIN] = backlogMin;
    this.pub[pb + P_EVENTS] = kernel.eventsHandled;
    this.pub[pb + P_LAST_EVENT] = kernel.lastEventNs;
    this.barrier();
    // Take in this half of our mailbox; nobody writes it again before the next barrier.
    const cursor = CURSORS + this.self * 2 + p;
    const n = Math.min(Atomics.load(this.ctl, cursor), this.cap);
    const m = this.mail;
    for (let i = 0, o = (this.self * 2 + p) * this.cap * EVENT_FIELDS; i < n; i++, o += EVENT_FIELDS) {
      kernel.inject(m[o], m[o + 1], m[o + 2], m[o + 3], m[o + 4], m[o + 5], m[o + 6], m[o + 7]);
    }
    Atomics.store(this.ctl, cursor, 0);
    const view: GlobalView = { nextNs: Infinity, undeliveredNs: Infinity, events: 0, lastEventNs: 0 };
    for (let t = 0; t < this.k; t++) {
      const b = (t * 2 + p) * P_FIELDS;
      view.nextNs = Math.min(view.nextNs, this.pub[b + P_LOCAL_MIN], this.pub[b + P_SENT_MIN]);
      view.undeliveredNs = Math.min(view.undeliveredNs, this.pub[b + P_BACKLOG_MIN]);
      view.events += this.pub[b + P_EVENTS];
      view.lastEventNs = Math.max(view.lastEventNs, this.pub[b + P_LAST_EVENT]);
    }
    this.parity = p ^ 1;
    return view;
  }

  /** A sense-counting barrier: the last thread to arrive resets the count and advances the generation. */
  private barrier(): void {
    const ctl = this.ctl;
    const gen = Atomics.load(ctl, GEN);
    if (Atomics.load(ctl, ABORT) !== 0) throw new AbortedError();
    if (Atomics.add(ctl, ARRIVE, 1) === this.k - 1) {
      Atomics.store(ctl, ARRIVE, 0);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
      return;
    }
    const t0 = performance.now();
    for (let i = 0; i < this.spin && Atomics.load(ctl, GEN) === gen; i++);
    // Sleep in short slices so that a run stopped from outside is noticed even if a wake-up is missed.
    while (Atomics.load(ctl, GEN) === gen) Atomics.wait(ctl, GEN, gen, 50);
    this.waitMs += performance.now() - t0;
    if (Atomics.load(ctl, ABORT) !== 0) throw new AbortedError();
  }
}
