/** Each CPU's held-lock stack and the VM's lock order, checked in debug runs. */
import { describe, expect, it } from 'vitest';
import { HeldLocks } from '../src/locks/held-locks.js';
import { VM_LOCK_ORDER, vmLockRanks } from '../src/mm/mm-shared.js';

// Lock ids 0…4 of these classes, as a registry would list them.
const classes = ['zone->lock', 'pagemap_lru_lock', 'mm->page_table_lock', 'pagecache_lock', 'a lockbench lock'];
const names = ['zone->lock[node0/Normal]', 'pagemap_lru_lock', 'mm->page_table_lock[cpu0]', 'pagecache_lock', 'lock0'];
const [ZONE, LRU, PTL, PAGECACHE, OTHER] = [0, 1, 2, 3, 4];
const held = (check = true) => new HeldLocks(2, vmLockRanks(classes), names, check);

describe('held locks', () => {
  it('ranks lock classes by the 2.4 VM order, outermost first; classes outside it are not ranked', () => {
    expect(Array.from(vmLockRanks(classes))).toEqual([7, 5, 4, 6, -1]);
    expect(VM_LOCK_ORDER[2]).toContain('kmap_lock');
  });

  it('puts the modern locks in their places: mmap_lock outermost, then the VMA lock; split ptls with page_table_lock; lruvecs with the LRU locks', () => {
    const r = vmLockRanks(['mmap_lock', 'vma_lock', 'ptl', 'mm->page_table_lock', 'lruvec->lru_lock', 'zone->lru_lock', 'zone->lock']);
    expect(r[0]).toBe(0);
    expect(r[1]).toBe(1);
    expect(r[2]).toBe(r[3]);
    expect(r[4]).toBe(r[5]);
    expect(r[3]).toBeLessThan(r[4]);
    expect(r[4]).toBeLessThan(r[6]);
  });

  it('a CPU takes several locks in the order and releases them in any order', () => {
    const h = held();
    h.take(0, 0, PTL);
    h.take(0, 0, LRU);
    h.take(0, 0, PAGECACHE);
    h.take(0, 0, ZONE);
    h.take(1, 1, ZONE); // another CPU's stack is its own
    expect(h.depth[0]).toBe(4);
    h.drop(0, 0, LRU);
    h.drop(0, 0, ZONE);
    h.drop(0, 0, PTL);
    h.drop(0, 0, PAGECACHE);
    expect(h.depth[0]).toBe(0);
    expect(h.depth[1]).toBe(1);
  });

  it('taking a lock out of order, or one already held, is a bug in debug runs', () => {
    const h = held();
    h.take(0, 0, LRU);
    expect(() => h.take(0, 0, PTL)).toThrow(/mm->page_table_lock\[cpu0\] while holding pagemap_lru_lock: out of the lock order/);
    expect(() => h.take(0, 0, LRU)).toThrow(/already holds/);
    // a lock outside the order is never checked against it
    h.take(0, 0, OTHER);
    expect(h.depth[0]).toBe(2);
  });

  it('without checking, order is not enforced; releasing a lock not held is always a bug', () => {
    const h = held(false);
    h.take(0, 0, ZONE);
    h.take(0, 0, PTL);
    expect(h.depth[0]).toBe(2);
    expect(() => h.drop(1, 1, ZONE)).toThrow(/CPU 1 releases zone->lock\[node0\/Normal\], which it does not hold/);
  });
});
