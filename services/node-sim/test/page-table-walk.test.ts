import { describe, expect, it } from 'vitest';
import { getPreset, resolveWorkload, type Report } from '@numasim/shared';
import { runWorkload } from '@numasim/node-sim';

// Mechanism 8 of issue #18: pte accesses as the hardware prices them (pteWalk), highpte's
// kmap_atomic with its TLB refill, and the 2.4 -aa pte-highmem patch through the kmap pool.

// 150 ms: the first compile processes exit, so zaps are in it. The preset is 2.4.18 as it ran
// (pteWalk=sequential, the global kmap pool): the per-pte pricing is asked for where a test compares it.
const run = (sets: string[]): Report => runWorkload(resolveWorkload(getPreset('numaq-16-kernbench').workload, ['durationNs=150000000', ...sets]));

const pteKmaps = (r: Report) => r.memory!.kmap!.callers.find((c) => c.caller === 'pte_offset_map')!;
const ptlHold = (r: Report, caller: string) => {
  const rows = r.locks.filter((l) => l.class === 'mm->page_table_lock').flatMap((l) => l.callers.filter((c) => c.name === caller));
  const acq = rows.reduce((s, c) => s + c.acquisitions, 0);
  return rows.reduce((s, c) => s + c.holdTotalNs, 0) / acq;
};

describe('pteWalk', () => {
  const perPte = run(['pteWalk=per-pte']);
  const sequential = run([]);

  it('charges a pte line miss on every access when absent, as before (per-pte)', () => {
    expect((sequential.config as { pteWalk?: string }).pteWalk).toBe('sequential');
    const { pteWalk: _left, ...absent } = getPreset('numaq-16-kernbench').workload as Record<string, unknown>;
    const r = runWorkload(resolveWorkload(absent, ['durationNs=150000000']));
    expect((r.config as { pteWalk?: string }).pteWalk).toBeUndefined();
    expect(r.workload).toEqual(perPte.workload);
  });

  it('sequential: 8 ptes share a line, so a fault or a zap pays an eighth of a pte line miss on average', () => {
    const local = perPte.config.costs.memLocalNs;
    for (const caller of ['do_anonymous_page', 'zap_page_range']) {
      const seqHold = ptlHold(sequential, caller);
      const perHold = ptlHold(perPte, caller);
      // Lowmem page tables are on node 0: a line costs at least a local miss, a remote one elsewhere.
      expect(perHold - seqHold).toBeGreaterThan((7 / 8) * local * 0.9);
      expect(seqHold).toBeLessThan(perHold / 2);
    }
  });
});

describe('pte=highmem (2.5 highpte)', () => {
  const perPte = run(['pte=highmem', 'pteWalk=per-pte']);
  const sequential = run(['pte=highmem', 'pteWalk=sequential']);

  it('maps the page-table page with kmap_atomic twice in every fault, but once per page-table page in a zap', () => {
    const zaps = (r: Report) => r.locks.filter((l) => l.class === 'mm->page_table_lock').flatMap((l) => l.callers).filter((c) => c.name === 'zap_page_range').reduce((s, c) => s + c.acquisitions, 0);
    const faults = (r: Report) => r.workload.kind === 'kernbench' ? r.workload.anonFaults + r.workload.fileMaps : 0;
    expect(zaps(perPte)).toBeGreaterThan(100);
    // Besides faults and zaps, fork's and pte_alloc's fills map page-table pages too.
    const fills = (r: Report) => pteKmaps(r).kmapAtomic - 2 * faults(r);
    expect(fills(perPte)).toBeGreaterThanOrEqual(zaps(perPte));
    expect(fills(sequential)).toBeLessThan(zaps(sequential));
    expect(pteKmaps(perPte).kmapHigh).toBe(0);
  });

  it('pays the fixmap pte, the invlpg and the TLB refill per kmap_atomic inside the page_table_lock hold', () => {
    // Without the timer inside the holds (irqHz left out), whose ticks land in the two runs' holds differently.
    const { irqHz: _tick, ...quiet } = getPreset('numaq-16-kernbench').workload as Record<string, unknown>;
    const runQuiet = (sets: string[]): Report => runWorkload(resolveWorkload(quiet, ['durationNs=150000000', ...sets]));
    const highpte = runQuiet(['pte=highmem', 'pteWalk=per-pte']);
    const c = highpte.config.costs;
    const lowmemLocal = runQuiet(['pte=ukva', 'pteWalk=per-pte']);
    // ukva: the same node-local line, reached without a mapping.
    // Two per fault: handle_mm_fault's pte_offset_map and the one after do_anonymous_page's allocation.
    expect(ptlHold(highpte, 'do_anonymous_page') - ptlHold(lowmemLocal, 'do_anonymous_page')).toBeCloseTo(2 * (c.tlbFlushOneNs + c.pteSetNs + c.lockAtomicNs), 0);
  });
});

describe('pte=highmem-kmap (2.4 -aa pte-highmem)', () => {
  const r = run(['pte=highmem-kmap', 'pteWalk=sequential', 'kmap=global']);

  it('reaches page tables through kmap_high under the global kmap_lock, reusing page->virtual', () => {
    const k = pteKmaps(r);
    expect(k.kmapAtomic).toBe(0);
    // Every fault maps its page-table page; the pool keeps page->virtual, so most find it mapped.
    expect(r.workload.kind === 'kernbench' && k.kmapHigh).toBeGreaterThanOrEqual(r.workload.kind === 'kernbench' ? r.workload.anonFaults : 0);
    expect(k.reused).toBeGreaterThan(k.kmapHigh / 2);
    const kmapLock = r.locks.find((l) => l.name === 'kmap_lock')!;
    const others = r.memory!.kmap!.callers.filter((c) => c.caller !== 'pte_offset_map').reduce((s, c) => s + c.kmapHigh, 0);
    // kmap_high and kunmap_high each take kmap_lock (a kmap still waiting at the end has taken it once).
    expect(kmapLock.acquisitions).toBeGreaterThanOrEqual(2 * (others + k.kmapHigh) - 16);
    expect(r.memory!.pageTables!.placement).toBe('highmem-kmap');
  });
});
