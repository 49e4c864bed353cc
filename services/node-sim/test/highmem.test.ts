/** The 2.4 persistent kmap pool: reuse, wrap and global flush, a full pool, and its invariants. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PageSlotMap } from '../src/mm/page-slot-map.js';
import { PkmapPool } from '@numasim/node-sim';

describe('PkmapPool (kmap_high / kunmap_high)', () => {
  it('reuses a page\'s existing mapping and counts its users', () => {
    const p = new PkmapPool(8);
    const a = p.kmapHigh(100, 1);
    expect(a).toEqual({ slot: 1, mapped: true, flushed: false }); // last_pkmap_nr advances before use
    expect(p.kmapHigh(100, 2)).toEqual({ slot: 1, mapped: false, flushed: false });
    expect(p.count[1]).toBe(3);
    p.kunmapHigh(100);
    p.kunmapHigh(100);
    expect(p.count[1]).toBe(1); // unused, but may linger in TLBs: not reusable before a flush
    expect(p.kmapHigh(100, 3).mapped).toBe(false); // still page->virtual: reused without a flush
    p.checkInvariants();
  });

  it('flushes exactly once per wrap of last_pkmap_nr, freeing only unused slots', () => {
    const p = new PkmapPool(8);
    for (let page = 0; page < 7; page++) {
      const r = p.kmapHigh(page, 0);
      expect(r.flushed).toBe(false);
      if (page !== 3) p.kunmapHigh(page); // page 3 stays in use
    }
    expect(p.globalFlushes).toBe(0);
    const r = p.kmapHigh(50, 0); // slots 1–7 used since the start: wraps to 0, flushes, and slot 0 is free
    expect(r).toEqual({ slot: 0, mapped: true, flushed: true });
    expect(p.globalFlushes).toBe(1);
    expect(p.slotOfPage(3)).toBe(4); // in use: survived the flush
    expect(p.slotOfPage(0)).toBe(-1); // unused: unmapped by the flush
    p.checkInvariants();
  });

  it('makes callers sleep when every slot is in use, and wakes them in order as slots free', () => {
    const p = new PkmapPool(4);
    for (let page = 0; page < 4; page++) expect(p.kmapHigh(page, page).slot).toBeGreaterThanOrEqual(0);
    expect(p.kmapHigh(10, 10).slot).toBe(-1);
    expect(p.kmapHigh(11, 11).slot).toBe(-1);
    expect(p.sleeping).toBe(2);
    expect(p.kunmapHigh(2)).toBe(10);
    expect(p.kunmapHigh(0)).toBe(11);
    expect(p.kmapHigh(10, 10).flushed).toBe(true); // its retry wraps and flushes the unused slots
    expect(p.sleeping).toBe(0);
    p.checkInvariants();
  });

  it('keeps its invariants under random kmap/kunmap sequences', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 })), { maxLength: 400 }), (ops) => {
        const p = new PkmapPool(16);
        const users = new Map<number, number>();
        for (const [map, page] of ops) {
          if (map) {
            if (p.kmapHigh(page, page).slot >= 0) users.set(page, (users.get(page) ?? 0) + 1);
          } else if ((users.get(page) ?? 0) > 0) {
            p.kunmapHigh(page);
            users.set(page, users.get(page)! - 1);
          }
          p.checkInvariants();
        }
        for (const [page, n] of users) if (n > 0) expect(p.count[p.slotOfPage(page)]).toBe(n + 1);
      }),
      { numRuns: 200 },
    );
  });

  it('insists on a power-of-two size, as PKMAP_NR masking does', () => {
    expect(() => new PkmapPool(1000)).toThrow(/power of two/);
  });
});

describe('PageSlotMap (page->virtual on typed arrays)', () => {
  it('answers as a Map would through inserts and deletes, keys past 2^32 included', () => {
    const size = 64;
    const m = new PageSlotMap(size);
    const ref = new Map<number, number>();
    let x = 12345;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    for (let step = 0; step < 20_000; step++) {
      // Page ids from a small range (many collisions) and tagged ones far above 2^32.
      const page = next() % 3 === 0 ? 2 ** 40 + (next() % 200) : next() % 200;
      if (ref.has(page)) {
        expect(m.get(page)).toBe(ref.get(page));
        m.delete(page);
        ref.delete(page);
      } else if (ref.size < size) {
        const slot = next() % size;
        m.set(page, slot);
        ref.set(page, slot);
      }
      expect(m.get(page)).toBe(ref.get(page) ?? -1);
      expect(m.size).toBe(ref.size);
    }
    for (const [page, slot] of ref) expect(m.get(page)).toBe(slot);
  });
});
