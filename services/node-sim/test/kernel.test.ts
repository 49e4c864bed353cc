import { describe, expect, it } from 'vitest';
import { Kernel, type LogicalProcess, type QueueKind, AUTO_CALENDAR_AT } from '@numasim/node-sim';

class Recorder implements LogicalProcess {
  constructor(
    private readonly log: string[],
    private readonly name: string,
    private readonly onHandle: (kind: number, a: number) => void = () => {},
  ) {}
  handle(kind: number, a: number): void {
    this.log.push(`${this.name}:${kind}:${a}`);
    this.onHandle(kind, a);
  }
}

describe('Kernel', () => {
  it('orders same-time events by priority, then source LP, then the source LP\'s send count', () => {
    const log: string[] = [];
    const k = new Kernel({ lookaheadNs: 10 });
    const a = k.addLp(new Recorder(log, 'a'));
    const b = k.addLp(new Recorder(log, 'b'));
    k.post(b, a, 100, 1, 1, 0, 0); // from b
    k.post(a, a, 100, 1, 2, 0, 0); // from a, sent first
    k.post(a, a, 100, 1, 3, 0, 0); // from a, sent second
    k.post(b, a, 100, 1, 4, 0, 0, 0);
    k.post(b, b, 100, 1, 5, 0, 0, 1); // priority 1: after every priority-0 event of that time
    k.post(b, a, 50, 1, 6, 0, 0, 9); // earlier time wins whatever its priority
    k.runUntil(1000);
    expect(log).toEqual(['a:1:6', 'a:1:2', 'a:1:3', 'a:1:1', 'a:1:4', 'b:1:5']);
  });

  it('enforces the lookahead on events to other LPs but not on an LP\'s own events', () => {
    const k = new Kernel({ lookaheadNs: 100 });
    let other = -1;
    const lp = k.addLp({
      handle: (kind) => {
        if (kind === 1) k.schedule(0, 2, 0, 0, 0); // own event, no delay: allowed
        if (kind === 2) k.send(other, 99, 3, 0, 0, 0); // another LP, under the lookahead
      },
    });
    other = k.addLp({ handle: () => {} });
    k.post(lp, lp, 0, 1, 0, 0, 0);
    expect(() => k.runUntil(1000)).toThrow(/lookahead/);
  });

  it('rejects fractional and negative delays', () => {
    const k = new Kernel({ lookaheadNs: 1 });
    const lp = k.addLp({ handle: () => k.schedule(0.5, 1, 0, 0, 0) });
    k.post(lp, lp, 0, 1, 0, 0, 0);
    expect(() => k.runUntil(10)).toThrow(/whole number/);
    expect(() => new Kernel({ lookaheadNs: 0 })).toThrow(/lookahead/);
  });

  it('stops at the end time, reports the last event, and goes on from there', () => {
    const log: string[] = [];
    const k = new Kernel({ lookaheadNs: 1 });
    const lp = k.addLp(new Recorder(log, 'x', (_kind, a) => k.schedule(30, 1, a + 1, 0, 0)));
    k.post(lp, lp, 0, 1, 0, 0, 0);
    expect(k.runUntil(100)).toBe(4); // t = 0, 30, 60, 90
    expect(k.lastEventNs).toBe(90);
    expect(k.nextEventTime()).toBe(120);
    k.runUntil(130);
    expect(log.at(-1)).toBe('x:1:4');
    expect(k.runUntil(1000, 2)).toBe(2); // an event budget
  });

  it('gives the same order with every pending-set kind, across auto\'s switches', () => {
    const run = (queue: QueueKind) => {
      const log: string[] = [];
      const k = new Kernel({ lookaheadNs: 5, queue });
      const n = 8;
      let x = 12345;
      const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 97;
      for (let i = 0; i < n; i++) {
        k.addLp(
          new Recorder(log, String(i), (_kind, a) => {
            // Grow past the auto threshold, hold there, then die out gradually.
            const fan = k.now > 1500 ? rand() % 2 : k.pendingCount < 200 ? 2 : 1;
            for (let j = 0; j < fan; j++) k.send((i + j) % n, 5 + rand(), 1, a + 1, 0, 0);
          }),
        );
      }
      for (let i = 0; i < n; i++) k.post(i, i, i, 1, 0, 0, 0);
      const kinds = new Set<string>();
      for (let t = 50; t <= 3000; t += 50) {
        k.runUntil(t);
        kinds.add(k.pendingSetKind);
      }
      return { log, kinds };
    };
    const heap = run('heap');
    const auto = run('auto');
    expect(heap.log.length).toBeGreaterThan(AUTO_CALENDAR_AT * 10);
    expect(auto.kinds).toEqual(new Set(['heap', 'calendar'])); // auto really switched
    expect(run('calendar').log).toEqual(heap.log);
    expect(auto.log).toEqual(heap.log);
  });
});
