/**
 * The spinlock model on tiny scenarios whose statistics are worked out by hand, and against
 * the closed-form machine-repairman queue (docs/SOURCES.md#machine-repairman).
 */
import { describe, expect, it } from 'vitest';
import { resolveWorkload, type LockReport } from '@numasim/shared';
import { runWorkload } from '@numasim/node-sim';

const lockOf = (w: Record<string, unknown>, sets: string[] = []): LockReport => {
  const r = runWorkload(resolveWorkload({ kind: 'lockbench', ...w }, sets));
  expect(r.locks).toHaveLength(1);
  return r.locks[0];
};

describe('spinlock statistics on hand-computed scenarios', () => {
  it('two CPUs on one node, constant times', () => {
    // t=100 both finish thinking; CPU0 asks first (it was seeded first) and gets the lock at once;
    // CPU1 spins until CPU0 releases at 150 (wait 50), holds to 200. CPU0 asks again at 250 > 240.
    const l = lockOf({ nodes: 1, cpusPerNode: 2, thinkNs: 100, holdNs: 50, handoffNs: 0, durationNs: 240 });
    expect(l.acquisitions).toBe(2);
    expect(l.contentions).toBe(1);
    expect(l.conPercent).toBe(50);
    expect(l.waitTotalNs).toBe(50);
    expect(l.waitMeanNs).toBe(50); // over contended acquisitions only
    expect(l.waitMaxNs).toBe(50);
    expect(l.holdTotalNs).toBe(100);
    expect(l.holdMeanNs).toBe(50);
    expect(l.utilPercent).toBeCloseTo((100 * 100) / 240, 3);
    expect(l.waitCpuPercent).toBeCloseTo((100 * 50) / (2 * 240), 3);
    expect(l.acqBounces).toBe(1); // CPU1 took the line from CPU0; CPU0's first take found it nowhere
    expect(l.conBounces).toBe(1);
    expect(l.callers.map((c) => [c.name, c.acquisitions])).toEqual([['spin_lock', 2]]);
  });

  it('two nodes: requests, grants and releases cross the interconnect', () => {
    // Node-to-node messages take 300 ns; the lock lives on node 0 (CPU0); CPU1 is on node 1.
    // CPU0: asks at 1000, holds 1000–1500. CPU1: asks at 1000, request lands at 1300 while CPU0
    // holds it: contended; the release lands at 1500, the grant reaches CPU1 at 1800: wait 800.
    // CPU1 holds 1800–2300; its release lands at 2600. CPU0 asks again at 2500: the home still
    // counts CPU1 as the holder, but CPU1 let go at 2300, before a request forwarded at 2500 could
    // reach it (2500 > 2600 − 300 − 300), so CPU0 is granted at 2600 uncontended: no wait counted.
    const base = {
      nodes: 2,
      cpusPerNode: 1,
      costs: { lineSameNodeNs: 100, lineRemoteNs: 300 },
      thinkNs: 1000,
      holdNs: 500,
      handoffNs: 0,
      durationNs: 2700,
    };
    const l = lockOf(base);
    expect([l.acquisitions, l.contentions, l.waitTotalNs, l.waitMaxNs, l.holdTotalNs]).toEqual([3, 1, 800, 800, 1000]);
    // A hand-off cost is paid on top when the line changes node: CPU1's grant arrives 50 ns later.
    const h = lockOf({ ...base, handoffNs: { sameCpu: 0, sameNode: 0, remote: 50 }, durationNs: 2550 });
    expect([h.acquisitions, h.contentions, h.waitTotalNs]).toEqual([2, 1, 850]);
  });

  it('SCI: a release purges the other quads\' spinners, and a test-and-set winner\'s locked decrement purges them again', () => {
    // CPUs 0 and 1 on node 0 (the lock's home), CPUs 2 and 3 on node 1; all ask at 1000. CPU0
    // holds 1000–1500 and CPU1, on the releasing node, is next (bias 1; FIFO for the ticket lock).
    // The release purges node 1's two spinners' quad (50 ns); under test-and-set CPU1's own
    // `lock; decb` purges it again after they re-read the freed line (50 ns). CPU1's wait: 500 + purges.
    const base = {
      nodes: 2,
      cpusPerNode: 2,
      costs: { lineSameNodeNs: 100, lineRemoteNs: 300 },
      thinkNs: 1000,
      holdNs: 500,
      handoffNs: { sameCpu: 0, sameNode: 0, remote: 50 },
      tasLocalBias: 1,
      durationNs: 1700,
    };
    const waited = (sets: Record<string, unknown>) => {
      const l = lockOf({ ...base, ...sets });
      expect([l.acquisitions, l.contentions]).toEqual([2, 1]);
      return l.waitTotalNs;
    };
    expect(waited({ lock: 'tas', coherence: 'snoop' })).toBe(500);
    expect(waited({ lock: 'ticket', coherence: 'sci' })).toBe(550);
    expect(waited({ lock: 'tas', coherence: 'sci' })).toBe(600);
  });

  it('test-and-set release storm: a node\'s spinners fetch the freed line across once, then pass it on their own bus', () => {
    // CPU0 (node 0, the lock's home) holds 1000–1500; every other CPU asks at 1000 and spins. The
    // winner is CPU1, node 0's other spinner (bias 1). It waits behind half the storm's attempts:
    // the first attempt from each other node is a crossing (50 ns), the rest of that node's are
    // local (0 ns), and the releaser's own node's are local too.
    const base = {
      costs: { lineSameNodeNs: 100, lineRemoteNs: 300 },
      thinkNs: 1000,
      holdNs: 500,
      handoffNs: { sameCpu: 0, sameNode: 0, remote: 50 },
      lock: 'tas',
      coherence: 'snoop',
      tasStorm: true,
      tasLocalBias: 1,
      durationNs: 1600,
    };
    const waited = (nodes: number, cpusPerNode: number) => {
      const l = lockOf({ ...base, nodes, cpusPerNode });
      expect([l.acquisitions, l.contentions]).toEqual([2, 1]);
      return l.waitTotalNs;
    };
    // Two nodes of three CPUs: node 1's three spinners cost one crossing, 50 / 2 (not 3 × 50 / 2).
    expect(waited(2, 3)).toBe(525);
    // Four nodes of two: three other nodes, a crossing each: 150 / 2.
    expect(waited(4, 2)).toBe(575);
    // Without the storm the winner waits for the hold only.
    expect(lockOf({ ...base, nodes: 4, cpusPerNode: 2, tasStorm: false }).waitTotalNs).toBe(500);
  });

  it('counts a failed spin_trylock as RJECT and not as an acquisition', () => {
    const l = lockOf({ nodes: 1, cpusPerNode: 2, thinkNs: 100, holdNs: 50, handoffNs: 0, trylockFraction: 1, durationNs: 240 });
    // CPU0 takes it at 100; CPU1's trylock at 100 fails and goes back to think until 200, when
    // the lock is free again: it succeeds and holds to 250 > 240.
    expect([l.acquisitions, l.trylockFailures, l.attempts, l.contentions]).toEqual([2, 1, 3, 0]);
    expect(l.rjectPercent).toBeCloseTo(100 / 3, 3);
    expect(l.conPercent).toBeCloseTo(100 / 3, 3);
    expect(l.nowaitPercent).toBeCloseTo(200 / 3, 2);
    expect(l.callers.find((c) => c.name === 'spin_trylock')?.trylockFailures).toBe(1);
  });
});

/** Machine-repairman M/M/1//N with think mean Z and service mean S. */
function repairman(n: number, z: number, s: number) {
  const rho = s / z;
  const p0 = (m: number) => {
    let sum = 0;
    let term = 1;
    for (let k = 0; k <= m; k++) {
      sum += term;
      term *= (m - k) * rho;
    }
    return 1 / sum;
  };
  const u = 1 - p0(n);
  const x = u / s;
  return { util: u, busyOnArrival: 1 - p0(n - 1), meanWait: n / x - z - s };
}

describe('spinlock model against the machine-repairman queue', () => {
  const cases: [number, number, number][] = [
    [2, 2000, 500],
    [4, 2000, 500],
    [8, 2000, 500],
    [8, 4000, 200],
    [16, 10000, 500],
  ];
  it.each(cases)('N=%i, Z=%i ns, S=%i ns', (n, z, s) => {
    const want = repairman(n, z, s);
    // About 400 k acquisitions: sampling error well under the 3% allowed below.
    const durationNs = Math.round((400_000 * s) / want.util);
    const l = lockOf({
      nodes: 1,
      cpusPerNode: n,
      lock: 'ticket',
      thinkNs: { dist: 'exp', mean: z },
      holdNs: { dist: 'exp', mean: s },
      handoffNs: 0,
      durationNs,
      seed: 11,
    });
    expect(l.utilPercent / 100).toBeCloseTo(want.util, 2);
    expect(Math.abs(l.utilPercent / 100 - want.util) / want.util).toBeLessThan(0.03);
    expect(Math.abs(l.conPercent / 100 - want.busyOnArrival) / want.busyOnArrival).toBeLessThan(0.03);
    const meanWaitAll = l.waitTotalNs / l.acquisitions;
    expect(Math.abs(meanWaitAll - want.meanWait) / want.meanWait).toBeLessThan(0.04);
  });
});

describe('SCI coherence (coherence=sci)', () => {
  const box = { thinkNs: { dist: 'exp', mean: 20000 }, holdNs: { dist: 'exp', mean: 5000 }, durationNs: 50_000_000, lock: 'ticket' };
  const lockOf = (sets: Record<string, unknown>) => runWorkload(resolveWorkload({ kind: 'lockbench', ...box, ...sets })).locks[0];

  it('on one node there is no other quad to purge: the same figures as snooping', () => {
    const one = { nodes: 1, cpusPerNode: 8 };
    const snoop = lockOf({ ...one, coherence: 'snoop' });
    const sci = lockOf({ ...one, coherence: 'sci' });
    expect(sci.waitTotalNs).toBe(snoop.waitTotalNs);
    expect(sci.acquisitions).toBe(snoop.acquisitions);
  });

  it('across quads every contended release first purges the quads that spin on the line: longer waits, same holds', () => {
    const four = { nodes: 4, cpusPerNode: 4 };
    const snoop = lockOf({ ...four, coherence: 'snoop' });
    const sci = lockOf({ ...four, coherence: 'sci' });
    expect(sci.waitMeanNs).toBeGreaterThan(snoop.waitMeanNs * 1.1);
    expect(Math.abs(sci.holdMeanNs - snoop.holdMeanNs) / snoop.holdMeanNs).toBeLessThan(0.05);
  });
});

describe('hand-off policies', () => {
  const numaq = { nodes: 4, cpusPerNode: 4, thinkNs: { dist: 'exp', mean: 20000 }, holdNs: { dist: 'exp', mean: 5000 }, durationNs: 200_000_000 };

  it('test-and-set with a local bias starves remote waiters; the ticket lock does not', () => {
    const tas = runWorkload(resolveWorkload({ kind: 'lockbench', ...numaq, lock: 'tas', tasLocalBias: 0.95 }));
    const ticket = runWorkload(resolveWorkload({ kind: 'lockbench', ...numaq, lock: 'ticket' }));
    expect(tas.locks[0].waitMaxNs).toBeGreaterThan(3 * ticket.locks[0].waitMaxNs);
    // FIFO: nobody waits for more than every other CPU's hold plus hand-offs.
    const spread = (r: typeof tas) => {
      const ops = r.workload.kind === 'lockbench' ? r.workload.perNode.map((p) => p.operations) : [];
      return Math.max(...ops) / Math.min(...ops);
    };
    expect(spread(ticket)).toBeLessThan(1.05);
  });

  it('a lock spread per node with local acquisitions contends far less than one global lock', () => {
    const global = runWorkload(resolveWorkload({ kind: 'lockbench', ...numaq, durationNs: 50_000_000 }));
    const local = runWorkload(
      resolveWorkload({ kind: 'lockbench', ...numaq, durationNs: 50_000_000, locks: 4, lockHome: 'spread', localLockFraction: 1 }),
    );
    const maxCon = Math.max(...local.locks.map((l) => l.conPercent));
    expect(global.locks[0].conPercent).toBeGreaterThan(95); // 16 CPUs at ρ = 1/4 saturate one lock
    expect(maxCon).toBeLessThan(70); // 4 CPUs per lock: about the machine-repairman 55%
    expect(local.locks.every((l) => l.acqBounces > 0 && l.homeNode === Number(l.name.match(/\d+/)![0]) % 4)).toBe(true);
  });
});
