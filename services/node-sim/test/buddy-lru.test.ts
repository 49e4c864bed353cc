/** The buddy allocator and the LRU lists: hand-checked cases and invariants under random operations. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LruLists, MAX_ORDER, PageFrames, PG_active, PG_inuse, PG_lru, watermarks, Zone, ZONE_NORMAL } from '@numasim/node-sim';

const zoneOf = (pages: number, start = 0, extra = 0) => new Zone(new PageFrames(1000, start + pages + extra), 0, ZONE_NORMAL, start, pages);

describe('buddy allocator', () => {
  it('splits the smallest block that fits and merges buddies back on free', () => {
    const z = zoneOf(16);
    expect(Array.from(z.nrFree.slice(0, 5))).toEqual([0, 0, 0, 0, 1]);
    const p = z.rmqueue(0);
    expect(p).toBe(0);
    // expand left the upper halves: 1 page at 1, 2 at 2, 4 at 4, 8 at 8.
    expect(Array.from(z.nrFree.slice(0, 5))).toEqual([1, 1, 1, 1, 0]);
    expect(z.freePages).toBe(15);
    const q = z.rmqueue(1);
    expect(q).toBe(2);
    z.checkInvariants();
    z.freePagesOk(p, 0);
    z.freePagesOk(q, 1);
    expect(Array.from(z.nrFree.slice(0, 5))).toEqual([0, 0, 0, 0, 1]);
    z.checkInvariants();
  });

  it('fails an allocation it cannot serve and gives odd-sized zones aligned blocks', () => {
    const z = zoneOf(13, 3, 2); // 13 pages starting at node-local frame 3
    expect(z.freePages).toBe(13);
    z.checkInvariants();
    expect(z.rmqueue(4)).toBe(-1); // no 16-page block in 13 pages
    expect(z.rmqueue(3)).toBe(3); // the 8-page block at zone-relative 0
    z.checkInvariants();
  });

  it('sets the 2.4 watermarks', () => {
    expect(watermarks((896 - 16) * 256)).toEqual({ min: 255, low: 510, high: 765 });
    expect(watermarks(16 * 256)).toEqual({ min: 32, low: 64, high: 96 });
    expect(watermarks(1000)).toEqual({ min: 20, low: 40, high: 60 });
  });

  it('catches a double free', () => {
    const z = zoneOf(8);
    const p = z.rmqueue(0);
    z.freePagesOk(p, 0);
    expect(() => z.freePagesOk(p, 0)).toThrow(/not an in-use page/);
  });
});

describe('LRU lists', () => {
  it('activates on the second touch and refill_inactive demotes unreferenced active pages', () => {
    const z = zoneOf(8);
    const lru = new LruLists(z.frames);
    const p = z.rmqueue(0);
    lru.add(p);
    expect(lru.nrInactive).toBe(1);
    expect(lru.markPageAccessed(p)).toBe(false); // first touch: referenced
    expect(lru.markPageAccessed(p)).toBe(true); // second touch: to be activated
    lru.activate(p);
    expect([lru.nrActive, lru.nrInactive]).toEqual([1, 0]);
    expect(z.frames.flags[p] & PG_active).toBeTruthy();
    lru.markPageAccessed(p); // referenced while active
    expect(lru.refillInactive(1)).toBe(1); // referenced: stays active, flag cleared
    expect(lru.nrActive).toBe(1);
    lru.refillInactive(1); // now unreferenced: demoted
    expect([lru.nrActive, lru.nrInactive]).toEqual([0, 1]);
    lru.checkInvariants('test');
    lru.del(p);
    z.freePagesOk(p, 0);
    z.checkInvariants();
  });
});

const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('alloc' as const), order: fc.integer({ min: 0, max: MAX_ORDER - 1 }) }),
    fc.record({ op: fc.constant('free' as const), pick: fc.nat() }),
    fc.record({ op: fc.constant('lruAdd' as const), pick: fc.nat() }),
    fc.record({ op: fc.constant('lruDel' as const), pick: fc.nat() }),
    fc.record({ op: fc.constant('touch' as const), pick: fc.nat() }),
    fc.record({ op: fc.constant('refill' as const), n: fc.integer({ min: 0, max: 8 }) }),
  ),
  { maxLength: 200 },
);

describe('memory invariants under random operation sequences', () => {
  it('free lists agree with free counts and flags, no frame is both free and used, frames are conserved, a page is on one LRU list at most', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 700 }), fc.integer({ min: 0, max: 5 }), ops, (pages, start, seq) => {
        const z = zoneOf(pages, start, 3);
        const lru = new LruLists(z.frames);
        const blocks: { at: number; order: number }[] = [];
        for (const o of seq) {
          switch (o.op) {
            case 'alloc': {
              const at = z.rmqueue(o.order);
              if (at >= 0) blocks.push({ at, order: o.order });
              else expect(Array.from(z.nrFree).slice(o.order).every((n) => n === 0)).toBe(true);
              break;
            }
            case 'free': {
              if (blocks.length === 0) break;
              const [b] = blocks.splice(o.pick % blocks.length, 1);
              if (z.frames.flags[b.at] & PG_lru) lru.del(b.at);
              z.freePagesOk(b.at, b.order);
              break;
            }
            case 'lruAdd': {
              const b = blocks[o.pick % Math.max(1, blocks.length)];
              if (b && b.order === 0 && !(z.frames.flags[b.at] & PG_lru)) lru.add(b.at);
              break;
            }
            case 'lruDel': {
              const b = blocks[o.pick % Math.max(1, blocks.length)];
              if (b && z.frames.flags[b.at] & PG_lru) lru.del(b.at);
              break;
            }
            case 'touch': {
              const b = blocks[o.pick % Math.max(1, blocks.length)];
              if (b && z.frames.flags[b.at] & PG_lru && lru.markPageAccessed(b.at)) lru.activate(b.at);
              break;
            }
            case 'refill':
              lru.refillInactive(o.n);
              break;
          }
          z.checkInvariants();
          lru.checkInvariants('zone');
        }
        let onLru = 0;
        let inUse = 0;
        for (let i = 0; i < z.frames.count; i++) {
          if (z.frames.flags[i] & PG_lru) onLru++;
          if (z.frames.flags[i] & PG_inuse) inUse++;
        }
        expect(onLru).toBe(lru.nrActive + lru.nrInactive);
        expect(inUse).toBe(blocks.reduce((n, b) => n + (1 << b.order), 0));
        expect(inUse + z.freePages).toBe(pages);
      }),
      { numRuns: 300 },
    );
  });
});
