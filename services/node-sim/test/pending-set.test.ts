import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CalendarQueue, EventHeap, type PendingSet } from '@numasim/node-sim';

interface Ev {
  time: number;
  key: number;
  seq: number;
  id: number;
}

const byOrder = (x: Ev, y: Ev) => x.time - y.time || x.key - y.key || x.seq - y.seq;

function drain(q: PendingSet): number[] {
  const ids: number[] = [];
  while (q.size > 0) {
    q.loadMin();
    ids.push(q.outA);
    q.removeMin();
  }
  return ids;
}

const makers: [string, () => PendingSet][] = [
  ['EventHeap', () => new EventHeap(16)],
  ['CalendarQueue', () => new CalendarQueue(16)],
];

// Events with many equal times, so the tie-break (priority·sourceLP, then sourceSeq) decides.
const events = fc.array(
  fc.record({ time: fc.integer({ min: 0, max: 50 }), key: fc.integer({ min: 0, max: 5 }), seq: fc.integer({ min: 0, max: 1000 }) }),
  { maxLength: 300 },
).map((xs) => {
  const seen = new Set<string>();
  return xs
    .filter((e) => {
      const k = `${e.key}/${e.seq}`;
      if (seen.has(k)) return false; // (key, seq) is unique in the engine: one send counter per LP
      seen.add(k);
      return true;
    })
    .map((e, id) => ({ ...e, id }));
});

describe.each(makers)('%s', (_name, make) => {
  it('hands events out in (time, key, seq) order, ties included', () => {
    fc.assert(
      fc.property(events, (evs) => {
        const q = make();
        for (const e of evs) q.push(e.time, e.key, e.seq, 0, 0, e.id, 0, 0);
        expect(q.size).toBe(evs.length);
        expect(drain(q)).toEqual([...evs].sort(byOrder).map((e) => e.id));
      }),
    );
  });

  it('keeps the order when pops are fused with pushes (replaceMin)', () => {
    fc.assert(
      fc.property(events, fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 100 }), (evs, delays) => {
        const q = make();
        const ref: Ev[] = [];
        for (const e of evs) {
          q.push(e.time, e.key, e.seq, 0, 0, e.id, 0, 0);
          ref.push(e);
        }
        let nextId = evs.length;
        let seq = 10_000;
        const out: number[] = [];
        const refOut: number[] = [];
        for (const d of delays) {
          if (q.size === 0) break;
          q.loadMin();
          out.push(q.outA);
          ref.sort(byOrder);
          const top = ref.shift()!;
          refOut.push(top.id);
          const ev = { time: top.time + d, key: 3, seq: seq++, id: nextId++ };
          q.replaceMin(ev.time, ev.key, ev.seq, 0, 0, ev.id, 0, 0);
          ref.push(ev);
        }
        expect(out).toEqual(refOut);
        expect(drain(q)).toEqual(ref.sort(byOrder).map((e) => e.id));
      }),
    );
  });

  it('keeps the order through any mix of push, pop and fused pop+push, over many years of days', () => {
    // Ties in clumps, gaps wider than a calendar year, pushes that land behind, on and after the
    // current day: every bucket state (in order or not yet sorted) is met.
    const op = fc.record({
      kind: fc.constantFrom('push', 'pop', 'replace'),
      delay: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5000 })),
      key: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(events, fc.array(op, { maxLength: 400 }), (evs, ops) => {
        const q = make();
        const ref: Ev[] = [];
        for (const e of evs) {
          q.push(e.time, e.key, e.seq, 0, 0, e.id, 0, 0);
          ref.push(e);
        }
        let nextId = evs.length;
        let seq = 10_000;
        let now = 0;
        for (const o of ops) {
          ref.sort(byOrder);
          if (o.kind !== 'push' && ref.length > 0) {
            q.loadMin();
            expect(q.minTime()).toBe(ref[0].time);
            expect(q.outA).toBe(ref[0].id);
            now = ref[0].time;
            ref.shift();
            if (o.kind === 'pop') {
              q.removeMin();
              continue;
            }
            const ev = { time: now + o.delay, key: o.key, seq: seq++, id: nextId++ };
            q.replaceMin(ev.time, ev.key, ev.seq, 0, 0, ev.id, 0, 0);
            ref.push(ev);
          } else {
            const ev = { time: now + o.delay, key: o.key, seq: seq++, id: nextId++ };
            q.push(ev.time, ev.key, ev.seq, 0, 0, ev.id, 0, 0);
            ref.push(ev);
          }
          expect(q.size).toBe(ref.length);
        }
        expect(drain(q)).toEqual(ref.sort(byOrder).map((e) => e.id));
      }),
      { numRuns: 200 },
    );
  });

  it('carries the payload with the event', () => {
    const q = make();
    q.push(5, 1, 0, 7, 3, 11, 12, 13);
    q.push(2, 1, 1, 8, 4, 21, 22, 23);
    expect(q.minTime()).toBe(2);
    q.loadMin();
    expect([q.outDst, q.outKind, q.outA, q.outB, q.outC]).toEqual([8, 4, 21, 22, 23]);
  });

  it('moves every event into another set without changing their order', () => {
    fc.assert(
      fc.property(events, (evs) => {
        const q = make();
        for (const e of evs) q.push(e.time, e.key, e.seq, 0, 0, e.id, 0, 0);
        const other = new EventHeap(16);
        q.moveAllTo(other);
        expect(q.size).toBe(0);
        expect(drain(other)).toEqual([...evs].sort(byOrder).map((e) => e.id));
      }),
    );
  });
});
