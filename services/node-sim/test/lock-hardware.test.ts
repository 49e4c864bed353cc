/**
 * Lock and cache hardware behind their knobs: the test-and-set re-acquire window and line-timed
 * hand-offs (`lockLineTiming`), interrupts inside holds (`irqHz`), and NUMA-Q's remote cache
 * (`remoteCacheMiB`). Each knob off reproduces the model without it (the golden hashes pin that).
 */
import { describe, expect, it } from 'vitest';
import { resolveWorkload, type LockReport, type Report } from '@numasim/shared';
import { runWorkload } from '@numasim/node-sim';
import { IrqInHold } from '../src/locks/irq-in-hold.js';
import { RemoteCache, WRITER_ANY, WRITER_SHARED } from '../src/machine/remote-cache.js';
import { IRQSAFE_LOCK_CLASSES } from '../src/mm/mm-shared.js';

const bench = (w: Record<string, unknown>): LockReport => {
  const r = runWorkload(resolveWorkload({ kind: 'lockbench', ...w }, []));
  return r.locks[0];
};

describe('test-and-set re-acquire window (lockLineTiming)', () => {
  // Two CPUs of one node on one test-and-set lock, hold 500 ns, think 10 ns: the releaser asks
  // again 10 ns after its release, while its line is still in its cache.
  const base = { nodes: 1, cpusPerNode: 2, lock: 'tas', thinkNs: 10, holdNs: 500, handoffNs: { sameCpu: 0, sameNode: 100, remote: 300 }, durationNs: 20_000 };

  it('the home-node protocol hands the lock to the spinner at every release', () => {
    const l = bench(base);
    // Alternating: every acquisition after the first two waits for the other CPU's hold.
    expect(l.contentions).toBeGreaterThan(l.acquisitions - 3);
  });

  it('the releaser that retakes the lock before the spinner\'s read is back wins it, uncontended', () => {
    const l = bench({ ...base, lockLineTiming: true });
    // CPU1 spins from the start and never gets the line: one contention at most, the rest are
    // CPU0's retakes, which find the lock free (lockmeter NOWAIT) and cost no line transfer.
    expect(l.contentions).toBeLessThanOrEqual(1);
    expect(l.acquisitions).toBeGreaterThan(30);
    expect(l.acqBounces).toBe(0);
  });

  it('a releaser on another node than the lock\'s home wins its retake too', () => {
    // CPU1 on node 1, the lock on node 0: its release and its retake reach the home over the same
    // hop, 10 ns apart, well inside the 300 ns CPU0's read of the freed line would take.
    const two = { nodes: 2, cpusPerNode: 1, lock: 'tas', costs: { lineSameNodeNs: 100, lineRemoteNs: 300 }, thinkNs: 10, holdNs: 500, handoffNs: { sameCpu: 0, sameNode: 100, remote: 300 }, durationNs: 20_000 };
    expect(bench(two).contentions).toBeGreaterThan(10);
    expect(bench({ ...two, lockLineTiming: true }).contentions).toBeLessThanOrEqual(1);
  });

  it('a releaser that comes back after the window loses to the spinner', () => {
    const l = bench({ ...base, thinkNs: 200, lockLineTiming: true }); // 200 ns > the 100 ns same-node read
    expect(l.contentions).toBeGreaterThan(l.acquisitions - 3);
  });

  it('a hand-off costs the line\'s travel from the release, not the hops to the home on top', () => {
    // Two nodes, one CPU each, messages 300 ns; the lock on node 0. CPU1's grant after CPU0's
    // release at 1500: the protocol sends the release home (0 ns) and the grant over (300 ns),
    // plus the line (50 ns): wait 850. The hardware moves the line in 50 ns, but the grant cannot
    // arrive sooner than the message: 300 ns, wait 800.
    const two = { nodes: 2, cpusPerNode: 1, costs: { lineSameNodeNs: 100, lineRemoteNs: 300 }, thinkNs: 1000, holdNs: 500, handoffNs: { sameCpu: 0, sameNode: 0, remote: 50 }, durationNs: 2550 };
    expect(bench(two).waitTotalNs).toBe(850);
    expect(bench({ ...two, lockLineTiming: true }).waitTotalNs).toBe(800);
  });
});

describe('interrupts inside holds (irqHz)', () => {
  it('staggers the CPUs\' local timers as 2.4 did and lengthens a hold a tick lands in', () => {
    // 4 CPUs at HZ=100: CPU c's ticks at (c + 1) × 2 ms + k × 10 ms.
    const irq = new IrqInHold({ irqHz: 100, timerIrqNs: 5000 }, 0, 4, 4, 1, 0);
    expect(irq.stretchNs(0, 1_000_000, 500_000)).toBe(0); // 1.0–1.5 ms: before CPU0's first tick
    expect(irq.stretchNs(0, 1_999_000, 5_000)).toBe(5000); // spans CPU0's tick at 2 ms
    expect(irq.stretchNs(1, 1_999_000, 5_000)).toBe(0); // CPU1's tick is at 4 ms
    expect(irq.stretchNs(0, 11_999_999, 2)).toBe(5000); // the next period
    expect([irq.timerInHold, irq.holdsHit, irq.addedNs]).toEqual([2, 2, 10_000]);
  });

  it('device interrupts arrive the same way on every run', () => {
    const count = () => {
      const irq = new IrqInHold({ irqHz: 100, irqDevicePerSec: 1000, deviceIrqNs: 10_000 }, 0, 1, 1, 7, 0);
      let t = 0;
      for (let k = 0; k < 1000; k++, t += 100_000) irq.stretchNs(0, t, 50_000);
      return irq.deviceInHold;
    };
    const n = count();
    expect(n).toBe(count());
    expect(n).toBeGreaterThan(20); // ~1000/s × (a little over half of 0.1 s)
    expect(n).toBeLessThan(120);
  });

  it('2.4 takes zone->lock with irqsave (and 2.5 its lru_lock), the LRU and page-cache locks with plain spin_lock', () => {
    expect(IRQSAFE_LOCK_CLASSES).toContain('zone->lock');
    expect(IRQSAFE_LOCK_CLASSES).toContain('zone->lru_lock');
    expect(IRQSAFE_LOCK_CLASSES).not.toContain('pagemap_lru_lock');
    expect(IRQSAFE_LOCK_CLASSES).not.toContain('pagecache_lock');
  });

  it('an interrupt lengthens only holds of locks taken without irqsave', () => {
    // A 200 µs timer handler stands out against holds of a few µs; HZ=1000 so that some of the
    // short run's ticks land in holds.
    const run = (sets: string[]) => runWorkload(resolveWorkload({ kind: 'page-fault', machine: 'numaq-16', durationNs: 100_000_000 }, sets));
    const lk = (r: Report, name: string) => r.locks.find((l) => l.name === name)!;
    const zoneMax = (r: Report) => Math.max(...r.locks.filter((l) => l.name.startsWith('zone->lock')).map((l) => l.holdMaxNs));
    const off = run([]);
    const on = run(['irqHz=1000', 'costs.timerIrqNs=200000']);
    expect(on.memory!.lockHardware!.timerInHold).toBeGreaterThan(0);
    expect(lk(on, 'pagemap_lru_lock').holdMaxNs).toBeGreaterThan(200_000);
    expect(lk(off, 'pagemap_lru_lock').holdMaxNs).toBeLessThan(200_000);
    expect(zoneMax(on)).toBeLessThan(200_000);
    // numaq-16 times lock hand-offs by the line, so the hardware counters are there, without ticks.
    expect(off.memory!.lockHardware?.timerInHold ?? 0).toBe(0);
  });
});

describe('NUMA-Q remote cache (remoteCacheMiB)', () => {
  // 4 quads: local 240 ns, remote 2400 ns; hits 240 ns, a third quad's dirty line 4800 ns.
  const memNs = Float64Array.from({ length: 16 }, (_, k) => (Math.floor(k / 4) === k % 4 ? 240 : 2400));
  const machine = { nodes: 4, remoteCacheMiB: 32, costs: { memLocalNs: 240, lineRemoteNs: 2400 } } as never;
  const rc = new RemoteCache(machine, memNs);

  it('a remote line this quad wrote last, or a read-shared one, costs a hit, less than a memory miss', () => {
    expect(rc.enabled).toBe(true);
    expect(rc.missNs(2, 0, 2, 1)).toBe(240);
    expect(rc.missNs(2, 0, WRITER_SHARED, 1)).toBe(240);
    expect(rc.missNs(2, 0, 0, 1)).toBe(2400); // written by the home quad since: from memory
    expect(rc.missNs(2, 0, 2, 1)).toBeLessThan(rc.missNs(2, 0, 0, 1));
  });

  it('a line dirty in a third quad costs more hops than one the home quad has', () => {
    expect(rc.missNs(2, 0, 3, 1)).toBe(4800);
    expect(rc.missNs(0, 0, 3, 1)).toBe(2400); // the home's own CPU: one round trip to the owner
    expect(rc.missNs(2, 0, WRITER_ANY, 1)).toBe((2400 + 4800 + 240 + 4800) / 4);
  });

  it('a working set larger than the cache hits in proportion', () => {
    const lines = (32 * 1024 * 1024) / 64;
    expect(rc.hitFraction(lines)).toBe(1);
    expect(rc.hitFraction(4 * lines)).toBe(0.25);
    expect(rc.missNs(2, 0, 2, 0.25)).toBe(0.25 * 240 + 0.75 * 2400);
  });

  it('shortens numaq-16 page-fault holds of the global LRU lock taken by quads 1–3', () => {
    const run = (sets: string[]) => runWorkload(resolveWorkload({ kind: 'page-fault', machine: 'numaq-16', durationNs: 30_000_000 }, sets));
    const hold = (r: Report) => r.locks.find((l) => l.name === 'pagemap_lru_lock')!.holdMeanNs;
    // numaq-16 has the remote cache (32 MB): compare with it taken out.
    expect(hold(run([]))).toBeLessThan(hold(run(['remoteCacheMiB=0'])));
  });
});
