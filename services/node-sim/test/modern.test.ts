/** The modern memory model: per-CPU page lists, lruvec locks, the modern workloads' figures. */
import { describe, expect, it } from 'vitest';
import { NumasimError, PRESETS, resolveWorkload, type ModernResult, type Report } from '@numasim/shared';
import { runWorkload } from '@numasim/node-sim';
import { buddyHoldNs, lowWatermarkPages, pcpLimits, PerCpuPages, zoneBatchsize } from '../src/mm/pcp.js';

/** A small modern machine: 2 nodes × 4 CPUs, 1 GiB each. */
const small = { machine: 'x86_64-2s', cpusPerNode: 4, memPerNodeMiB: 1024, seed: 3 };
const run = (doc: Record<string, unknown>, sets: string[] = []) => runWorkload(resolveWorkload({ ...small, ...doc }, sets), { checkInvariants: true });
const w = (r: Report) => r.workload as ModernResult;
const lockClass = (r: Report, prefix: string) => r.locks.filter((l) => l.name.startsWith(prefix));
const stable = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallSeconds: 0, eventsPerSecond: 0 } });

describe('per-CPU page lists (mm/pcp.ts)', () => {
  it('zone_batchsize gives 31 on 4.16 and 63 on 6.6 for big zones, 2^n − 1 for small ones', () => {
    expect(zoneBatchsize(16 << 18, '4.16')).toBe(31);
    expect(zoneBatchsize(16 << 18, '6.6')).toBe(63);
    expect(zoneBatchsize(64 * 1024, '6.6')).toBe(15); // 256 MiB: 64 / 4 = 16 → 24 → 16 − 1
    expect(zoneBatchsize(100, '6.6')).toBe(1);
  });

  it('4.16 high is 6 × batch; 6.6 high is the low watermark shared by the zone\'s CPUs, at least 4 × batch', () => {
    expect(pcpLimits({ batch: 0, high: 0, era: '4.16', managedPages: 1 << 24, totalPages: 1 << 25, zoneCpus: 56 }).high).toBe(186);
    const six = pcpLimits({ batch: 0, high: 0, era: '6.6', managedPages: 1 << 24, totalPages: 1 << 25, zoneCpus: 56 });
    expect(six.high).toBe(Math.max(Math.floor(lowWatermarkPages(1 << 24, 1 << 25) / 56), 4 * 63));
  });

  it('auto-tuning raises high by a batch per refill up to high_max, and decays it by an eighth a second down to high_min', () => {
    const limits = pcpLimits({ batch: 10, high: 'auto', era: '4.16', managedPages: 1 << 20, totalPages: 1 << 20, zoneCpus: 4 });
    expect(limits.high).toBe(60);
    const pcp = new PerCpuPages(1, limits);
    for (let k = 0; k < 5; k++) pcp.refilled(0, 10);
    expect(pcp.high[0]).toBe(110);
    pcp.toDrain(0, 1_000_000_000);
    expect(pcp.high[0]).toBe(110 - (110 >> 3));
    pcp.toDrain(0, 100_000_000_000);
    expect(pcp.high[0]).toBe(60);
    for (let k = 0; k < 1e5; k++) pcp.refilled(0, 0);
    expect(pcp.high[0]).toBe(limits.highMax);
  });

  it('pcp batching divides zone->lock acquisitions by the batch', () => {
    const perPage: number[] = [];
    for (const batch of [8, 32]) {
      // high = batch: a drain empties the list, so few freed pages are reused by the next faults and nearly every page goes
      // through the zone once each way.
      const r = run({ kind: 'will-it-scale', regionMiB: 4, durationNs: 20_000_000 }, [`pcpBatch=${batch}`, `pcpHigh=${batch}`]);
      const v = w(r).vmstat;
      const expected = (v.pgalloc + v.pgfree) / batch;
      expect(v.zoneLockAcquisitions).toBeGreaterThan(expected * 0.9);
      expect(v.zoneLockAcquisitions).toBeLessThan(expected * 1.1);
      perPage.push(v.zoneLockAcquisitions / (v.pgalloc + v.pgfree));
    }
    expect(perPage[0] / perPage[1]).toBeGreaterThan(3.6);
    expect(perPage[0] / perPage[1]).toBeLessThan(4.4);
  });

  it('zoneInstances splits each node\'s zone->lock, CPUs spread over the instances', () => {
    const one = run({ kind: 'will-it-scale', regionMiB: 1, durationNs: 10_000_000 });
    const two = run({ kind: 'will-it-scale', regionMiB: 1, durationNs: 10_000_000 }, ['zoneInstances=2']);
    expect(lockClass(one, 'zone->lock')).toHaveLength(2);
    const zones = lockClass(two, 'zone->lock');
    expect(zones).toHaveLength(4);
    for (const z of zones) expect(z.attempts).toBeGreaterThan(0);
    expect(w(two).zoneLockSpin.totalPercent).toBeLessThan(w(one).zoneLockSpin.totalPercent);
  });

  it('skipping the order-0 merge shortens the free path\'s zone->lock hold', () => {
    const hold = (r: Report) => lockClass(r, 'zone->lock')[0].callers.find((c) => c.name === 'free_pcppages_bulk')!.holdMeanNs;
    const merge = run({ kind: 'will-it-scale', regionMiB: 1, durationNs: 10_000_000 });
    const skip = run({ kind: 'will-it-scale', regionMiB: 1, durationNs: 10_000_000 }, ['mergeOnFree=false']);
    // Merging: the list_add miss and two merge reads, the first of them prefetched outside the lock; skipping: the list_add miss.
    expect(hold(skip)).toBeLessThan(hold(merge) * 0.7);
  });

  it('the buddy prefetch outside the lock takes one merge miss per drained page off the hold, for the last batch pages', () => {
    const c = { missNs: 100, buddyPageNs: 20, mergeMisses: 2, mergeOnFree: true };
    expect(buddyHoldNs(31, true, c)).toBe(31 * 320);
    expect(buddyHoldNs(31, true, c, 31)).toBe(31 * 220);
    expect(buddyHoldNs(62, true, c, 31)).toBe(62 * 320 - 31 * 100);
    expect(buddyHoldNs(31, true, { ...c, mergeOnFree: false }, 31)).toBe(31 * 120);
    expect(buddyHoldNs(31, false, c, 31)).toBe(31 * 120);
  });
});

describe('lruvec locks (mm/lruvec.ts)', () => {
  it('per-memcg lruvecs split the LRU lock: one lock per cgroup per node, each taking its share', () => {
    const doc = { kind: 'readtwice', fileMiB: 4, containers: 4, durationNs: 20_000_000 };
    const perNode = run(doc, ['lruLock=per-node']);
    const perMemcg = run(doc, ['lruLock=per-memcg']);
    expect(lockClass(perNode, 'pgdat->lru_lock')).toHaveLength(2);
    const split = lockClass(perMemcg, 'lruvec->lru_lock');
    expect(split).toHaveLength(8);
    const total = split.reduce((s, l) => s + l.attempts, 0);
    for (const l of split) expect(l.attempts).toBeGreaterThan(total / 8 / 2);
    const con = (r: Report, prefix: string) => {
      const ls = lockClass(r, prefix);
      return ls.reduce((s, l) => s + (l.conPercent * l.attempts) / 100, 0) / ls.reduce((s, l) => s + l.attempts, 0);
    };
    expect(con(perMemcg, 'lruvec->lru_lock')).toBeLessThan(con(perNode, 'pgdat->lru_lock'));
    expect(w(perMemcg).vmstat.pgactivate).toBeGreaterThan(0);
  });
});

describe('modern workloads', () => {
  it('will-it-scale reports its score (faults per second summed), process and thread mode', () => {
    for (const mode of ['process', 'thread']) {
      for (const test of ['page_fault1', 'page_fault2']) {
        const r = run({ kind: 'will-it-scale', regionMiB: 1, durationNs: 5_000_000, mode, test });
        expect(w(r).score).toBeGreaterThan(0);
        expect(w(r).score).toBeCloseTo((w(r).vmstat.pgfault * 1e9) / 5_000_000, 0);
        expect(r.locks.some((l) => l.name === 'mmap_lock')).toBe(mode === 'thread');
      }
    }
  });

  it('pft reports faults per second', () => {
    expect(w(run({ kind: 'pft', regionMiB: 64, durationNs: 5_000_000 })).faultsPerSecond).toBeGreaterThan(0);
  });

  it('kbuild runs every job to the end and reports its completion time', () => {
    const r = run({ kind: 'kbuild', instances: 2, makeJobs: 4, containers: 2, jobsPerInstance: 8, jobAnonPages: 400, jobCpuNs: 1_000_000, durationNs: 10_000_000_000 });
    expect(w(r).jobsDone).toBe(16);
    expect(w(r).completionNs).toBeGreaterThan(2 * 1_000_000);
    expect(w(r).completionNs).toBe(r.run.simulatedNs);
  });

  it('readtwice reports MB/s', () => {
    expect(w(run({ kind: 'readtwice', fileMiB: 4, durationNs: 5_000_000 })).throughputMBps).toBeGreaterThan(0);
  });

  it('the same workload and seed give the same report', () => {
    const doc = { kind: 'will-it-scale', regionMiB: 1, durationNs: 5_000_000, mode: 'thread' };
    expect(stable(run(doc))).toBe(stable(run(doc)));
  });

  it.each(PRESETS.filter((p) => p.name.startsWith('modern-') && p.workload.kind !== 'lockbench').map((p) => [p.name, p.workload] as const))(
    '%s runs and names zone->lock, the LRU locks and (thread mode) mmap_lock in its lock table',
    (_name, workload) => {
      const r = runWorkload(resolveWorkload(workload, ['durationNs=1000000']), { checkInvariants: true });
      const names = r.locks.map((l) => l.name).join(' ');
      expect(names).toMatch(/zone->lock/);
      expect(names).toMatch(/lru_lock/);
      expect(r.locks.some((l) => l.name === 'mmap_lock')).toBe((workload as { mode?: string }).mode === 'thread');
    },
  );

  it('--set machine= swaps the machine under a modern preset', () => {
    const cfg = resolveWorkload({ kind: 'will-it-scale', machine: 'skylake-2s' }, ['machine=broadwell-2s']);
    expect(cfg.nodes * (cfg as { cpusPerNode: number }).cpusPerNode).toBe(40);
  });

  it('bad input is an error with a code: more tasks than CPUs, too many zone instances, a 32-bit layout', () => {
    for (const sets of [['tasks=9'], ['zoneInstances=5'], ['layout=i386-numaq']]) {
      const e = (() => {
        try {
          resolveWorkload({ ...small, kind: 'will-it-scale' }, sets);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(NumasimError);
      expect((e as NumasimError).code).toBe('NUMASIM_ERR_WORKLOAD_INCONSISTENT');
    }
    expect(() => resolveWorkload({ ...small, kind: 'will-it-scale', lruLock: 'global' })).toThrow(/lruLock/);
  });
});
