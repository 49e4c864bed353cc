import { describe, expect, it } from 'vitest';
import { allocPagesSync, PageFrames, Zone, ZONE_HIGHMEM, ZONE_NORMAL } from '@numasim/node-sim';

/** A zone of `pages` frames with all but `free` of them allocated. */
function zoneWithFree(pages: number, free: number, type: 0 | 1 | 2 = ZONE_NORMAL): Zone {
  const z = new Zone(new PageFrames(0, pages), 0, type, 0, pages);
  while (z.freePages > free) z.rmqueue(0);
  return z;
}

const user = { atomic: false, memalloc: false };

describe('__alloc_pages passes', () => {
  it('takes from the first zone above its pages_low when there is one', () => {
    const high = zoneWithFree(4096, 1000, ZONE_HIGHMEM); // low = 2·min = 2·32 = 64
    const normal = zoneWithFree(4096, 1000);
    const r = allocPagesSync([high, normal], 0, user);
    expect([r.zone, r.pass, r.zonesVisited, r.wokeKswapd]).toEqual([0, 'low', 1, false]);
  });

  it('adds up the watermarks along the zonelist: a later zone must cover the earlier zones\' reserves too', () => {
    const high = zoneWithFree(4096, 10, ZONE_HIGHMEM); // below its own low (64)
    const normal = zoneWithFree(4096, 100); // above its own low (64) but not above 64 + 64 + 1
    const r = allocPagesSync([high, normal], 0, user);
    // low pass fails everywhere; the min pass (32 + 32 + 1) takes from normal, waking kswapd.
    expect([r.zone, r.pass, r.wokeKswapd, r.zonesVisited]).toEqual([1, 'min', true, 4]);
  });

  it('lets atomic allocations dig to a quarter of pages_min and no further', () => {
    const z = zoneWithFree(4096, 20); // min 32: a normal allocation needs > 33, an atomic one > 9
    expect(allocPagesSync([z], 0, user).zone).toBe(-1);
    const z2 = zoneWithFree(4096, 20);
    const r = allocPagesSync([z2], 0, { atomic: true, memalloc: false });
    expect([r.zone, r.pass, r.reclaims]).toEqual([0, 'min', 0]);
    const z3 = zoneWithFree(4096, 5);
    expect(allocPagesSync([z3], 0, { atomic: true, memalloc: false })).toMatchObject({ zone: -1, reclaims: 0 });
  });

  it('lets reclaim itself (PF_MEMALLOC) take the last pages, and reclaims directly for others', () => {
    expect(allocPagesSync([zoneWithFree(4096, 3)], 0, { atomic: false, memalloc: true })).toMatchObject({ pass: 'memalloc' });
    const z = zoneWithFree(4096, 3);
    let freed = 0;
    const r = allocPagesSync([z], 0, user, {
      directReclaim: () => {
        // give back 100 pages, as shrink_cache would
        for (let i = 0; i < 100; i++) z.freePagesOk(4095 - freed++, 0);
        return 100;
      },
    });
    expect([r.zone, r.pass, r.reclaims]).toEqual([0, 'reclaim', 1]);
  });

  it('does not loop for orders above 3', () => {
    const r = allocPagesSync([zoneWithFree(4096, 3)], 4, user, { directReclaim: () => 0, maxRetries: 100 });
    expect([r.zone, r.reclaims]).toEqual([-1, 1]);
    const small = allocPagesSync([zoneWithFree(4096, 3)], 0, user, { directReclaim: () => 0, maxRetries: 5 });
    expect([small.zone, small.reclaims]).toEqual([-1, 6]);
  });
});
