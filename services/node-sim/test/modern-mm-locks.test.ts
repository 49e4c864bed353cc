/**
 * The modern fault path's locks: qspinlock and CNA on the node-local locks (locks/local-ticket.ts),
 * mmap_lock as the rwsem, per-VMA locks and their fallback, split PTE locks (mm/mmap-lock.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { defaultDistances, getPreset, resolveWorkload, type Costs, type LockReport, type MachineConfig, type ModernResult, type Report } from '@numasim/shared';
import { closeDefaultNodePool, runWorkload, runWorkloadPlaced, runWorkloadWithSeries } from '@numasim/node-sim';
import { Rng } from '../src/engine/rng.js';
import { Topology } from '../src/machine/topology.js';
import { LockStats } from '../src/locks/lock-stats.js';
import { LocalTicketLocks } from '../src/locks/local-ticket.js';
import { SPIN_LOCK_WORD, SPIN_OWN_NODE } from '../src/locks/qspinlock.js';
import type { HandoffPolicy, LockTableConfig } from '../src/locks/spinlock.js';

const handoff = { sameCpu: 0, sameNode: 50, remote: 200 };

/**
 * One lock on LocalTicketLocks, 2 nodes × `per` CPUs; each CPU holds it `holdNs` and asks again
 * `thinkNs` after its release, `rounds` times. A tiny event loop stands for the node LP.
 */
function localRig(policy: HandoffPolicy, per: number, holdNs: number, extra: Partial<LockTableConfig> = {}) {
  const m = { nodes: 2, cpusPerNode: per, layout: 'x86_64', memPerNodeMiB: 64, lowmemMiB: 896, distances: defaultDistances(2), costs: { lineSameNodeNs: 50, lineRemoteNs: 200 } as Costs } as MachineConfig;
  const topo = new Topology(m);
  const table: LockTableConfig = { policy: [policy], homeNode: [0], tasLocalBias: 0, handoff, ...extra };
  const stats = new LockStats(1, 1);
  const grants: { cpu: number; at: number }[] = [];
  const events: { at: number; cpu: number; kind: 'ask' | 'release' }[] = [];
  let now = 0;
  const locks = new LocalTicketLocks(topo, handoff, 1, stats, { lockTurn: (cpu, _l, delay) => {
    grants.push({ cpu, at: now + delay });
    events.push({ at: now + delay + holdNs, cpu, kind: 'release' });
  } }, table, new Rng(1, 0));
  const run = (untilNs: number, again: (cpu: number) => number | null) => {
    for (;;) {
      events.sort((a, b) => a.at - b.at || a.cpu - b.cpu);
      const e = events.shift();
      if (e === undefined || e.at > untilNs) return;
      now = e.at;
      if (e.kind === 'ask') locks.acquire(e.cpu, 0, 0, now);
      else {
        locks.release(e.cpu, 0, now);
        const t = again(e.cpu);
        if (t !== null) events.push({ at: now + t, cpu: e.cpu, kind: 'ask' });
      }
    }
  };
  return { topo, locks, stats, grants, events, run, ask: (cpu: number, at: number) => events.push({ at, cpu, kind: 'ask' }) };
}

describe('qspinlock and CNA on the node-local locks', () => {
  it('qspinlock hands off FIFO: the pending waiter, then the MCS queue in arrival order', () => {
    const r = localRig('qspinlock', 4, 10_000);
    const order = [0, 5, 2, 7, 1, 6, 3, 4];
    order.forEach((cpu, i) => r.ask(cpu, i * 100));
    r.run(1e6, () => null);
    expect(r.grants.map((g) => g.cpu)).toEqual(order);
    expect(r.stats.acquisitions[0]).toBe(8);
    expect(r.stats.contentions[0]).toBe(7);
  });

  it('qspinlock waiters spin on their own queue node; only the pending waiter and the MCS head spin on the lock word', () => {
    const r = localRig('qspinlock', 4, 10_000);
    for (let c = 0; c < 8; c++) r.ask(c, c * 10);
    r.run(500, () => null);
    const q = r.locks.queuedHome!;
    expect(q.waiters(0)).toBe(7);
    expect([1, 2].map((c) => q.spinsOn(c, 0))).toEqual([SPIN_LOCK_WORD, SPIN_LOCK_WORD]);
    expect([3, 4, 5, 6, 7].every((c) => q.spinsOn(c, 0) === SPIN_OWN_NODE)).toBe(true);
  });

  it('a hand-off is one transfer of the lock word to the next waiter, across the interconnect only when it is remote', () => {
    const r = localRig('qspinlock', 2, 1000);
    r.ask(0, 0);
    r.ask(2, 10); // node 1: pending
    r.ask(1, 20); // node 0: MCS head
    r.run(1e6, () => null);
    // CPU 2 is remote from the lock's home (node 0): its grant pays the hop besides the lock word's transfer. CPU 1
    // takes the word from CPU 2, across the interconnect, with no hop (it is on the home node).
    expect(r.grants.map((g) => g.at)).toEqual([0, 1000 + 200 + 200, 2400 + 200]);
  });

  const localShare = (policy: HandoffPolicy, extra: Partial<LockTableConfig> = {}) => {
    const r = localRig(policy, 8, 300, extra);
    for (let c = 0; c < 16; c++) r.ask(c, c * 7);
    r.run(5e6, () => 200);
    let local = 0;
    let n = 0;
    for (let k = 1; k < r.grants.length; k++) {
      n++;
      if (r.topo.cpuNode[r.grants[k].cpu] === r.topo.cpuNode[r.grants[k - 1].cpu]) local++;
    }
    const lastAsk = new Map<number, number>();
    let maxWait = 0;
    for (const g of r.grants) {
      const asked = lastAsk.get(g.cpu);
      if (asked !== undefined) maxWait = Math.max(maxWait, g.at - asked);
      lastAsk.set(g.cpu, g.at + 300 + 200);
    }
    // A CPU still waiting at the end has waited since its last ask.
    for (const asked of lastAsk.values()) if (asked < 5e6) maxWait = Math.max(maxWait, 5e6 - asked);
    return { share: local / n, maxWait };
  };

  it('CNA prefers a waiter on the holder\'s socket', () => {
    const fifo = localShare('qspinlock').share;
    const cna = localShare('cna').share;
    expect(cna).toBeGreaterThan(0.9);
    expect(cna).toBeGreaterThan(fifo);
  });

  it('CNA stays within its fairness bound: no waiter waits much past cnaThresholdNs', () => {
    const thresholdNs = 20_000;
    const bounded = localShare('cna', { cnaThresholdNs: thresholdNs }).maxWait;
    // After the threshold the secondary queue goes first; a waiter then waits at most for the 16 CPUs' hand-offs ahead of it.
    expect(bounded).toBeLessThan(thresholdNs + 16 * (300 + 200));
    expect(localShare('cna', { cnaThresholdNs: 1e10 }).maxWait).toBeGreaterThan(bounded);
  });
});

/** A small modern machine: 2 nodes × 4 CPUs, 1 GiB each. */
const small = { machine: 'x86_64-2s', cpusPerNode: 4, memPerNodeMiB: 1024, seed: 3 };
const run = (doc: Record<string, unknown>, sets: string[] = []) => runWorkload(resolveWorkload({ ...small, ...doc }, sets), { checkInvariants: true });
const w = (r: Report) => r.workload as ModernResult;
const rows = (r: Report, cls: string) => r.locks.filter((l) => l.class === cls);
const callerAcq = (l: LockReport, caller: string) => l.callers.filter((c) => c.name === caller).reduce((a, c) => a + c.acquisitions, 0);

describe('mmap_lock, per-VMA locks and PTE locks in the modern workloads', () => {
  const threads = { kind: 'will-it-scale', mode: 'thread', regionMiB: 1, durationNs: 4_000_000 };

  it('thread mode shares one mmap_lock, an rwsem taken for read by every fault; process mode has one per process, never contended', () => {
    const t = run(threads);
    const [mm] = rows(t, 'mmap_lock');
    expect(rows(t, 'mmap_lock')).toHaveLength(1);
    expect(mm.type).toBe('rwsem');
    // Every fault read-locks it; a few tasks hold it for a fault not yet counted when the run ends.
    const reads = callerAcq(mm, 'mmap_read_lock (fault)');
    expect(reads - w(t).vmstat.pgfault).toBeGreaterThanOrEqual(0);
    expect(reads - w(t).vmstat.pgfault).toBeLessThanOrEqual(8);
    const p = run({ ...threads, mode: 'process' });
    const own = rows(p, 'mmap_lock');
    expect(own).toHaveLength(8);
    expect(own.every((l) => l.contentions === 0)).toBe(true);
    expect(own.reduce((a, l) => a + callerAcq(l, 'mmap_read_lock (fault)'), 0)).toBe(w(p).vmstat.pgfault);
  });

  it('per-VMA locks take mmap_lock for a fault only on fallback: never while each task faults its own VMA', () => {
    const r = run(threads, ['vmaLocks=true']);
    const [mm] = rows(r, 'mmap_lock');
    expect(callerAcq(mm, 'mmap_read_lock (fault)')).toBe(0);
    expect(w(r).vmstat.vmaLockRetry).toBe(0);
    const vmas = rows(r, 'vma_lock');
    expect(vmas).toHaveLength(8);
    const reads = vmas.reduce((a, l) => a + callerAcq(l, 'lock_vma_under_rcu'), 0);
    expect(reads - w(r).vmstat.pgfault).toBeGreaterThanOrEqual(0);
    expect(reads - w(r).vmstat.pgfault).toBeLessThanOrEqual(8);
  });

  it('per-VMA locks fall back to mmap_lock when munmap has the shared VMA write-locked (pft), and only then', () => {
    const r = run({ kind: 'pft', mode: 'thread', regionMiB: 2, durationNs: 4_000_000 }, ['vmaLocks=true']);
    const retry = w(r).vmstat.vmaLockRetry ?? 0;
    expect(retry).toBeGreaterThan(0);
    const [mm] = rows(r, 'mmap_lock');
    expect(callerAcq(mm, 'mmap_read_lock (fault)')).toBe(retry);
    const [vma] = rows(r, 'vma_lock');
    expect(vma.trylockFailures).toBe(retry);
    const faults = callerAcq(vma, 'lock_vma_under_rcu') + retry;
    expect(faults - w(r).vmstat.pgfault).toBeGreaterThanOrEqual(0);
    expect(faults - w(r).vmstat.pgfault).toBeLessThanOrEqual(8);
  });

  it('split PTE locks spread the ptl: one per task\'s page tables instead of the mm\'s one page_table_lock', () => {
    const one = run(threads, ['pteLocks=mm']);
    const ptl = rows(one, 'mm->page_table_lock');
    expect(ptl).toHaveLength(1);
    // Every counted fault has set its pte, but those whose pte is still to come.
    const faultPtes = callerAcq(ptl[0], 'do_anonymous_page');
    expect(w(one).vmstat.pgfault - faultPtes).toBeGreaterThanOrEqual(0);
    expect(w(one).vmstat.pgfault - faultPtes).toBeLessThanOrEqual(8);
    // munmap's zap_pte_range holds it across a page-table page's ptes: a 1-MiB region's 256 (of 512), zapPageNs 100 each.
    const zap = ptl[0].callers.find((c) => c.name === 'zap_pte_range')!;
    expect(zap.acquisitions).toBeGreaterThan(0);
    expect(zap.holdMaxNs).toBe(256 * 100);
    expect(ptl[0].contentions).toBeGreaterThan(0);
    const split = run(threads, ['pteLocks=split']);
    const ptls = rows(split, 'ptl');
    expect(ptls).toHaveLength(8);
    const split1 = w(split).vmstat.pgfault - ptls.reduce((a, l) => a + callerAcq(l, 'do_anonymous_page'), 0);
    expect(split1).toBeGreaterThanOrEqual(0);
    expect(split1).toBeLessThanOrEqual(8);
    expect(ptls.every((l) => l.contentions === 0 && l.acquisitions > 0)).toBe(true);
    expect(ptls.reduce((a, l) => a + callerAcq(l, 'zap_pte_range'), 0)).toBeGreaterThan(0);
    expect(w(split).ptlSpinPercent).toBe(0);
  });

  it('CNA on a shared page_table_lock keeps hand-offs on a socket and within its fairness bound', () => {
    // A near-free zap (1 ns a pte) keeps this about the faults' hand-offs: at the default 100 ns, munmap's 51-µs holds of the
    // one page_table_lock queue every fault behind them (the split ptls' reason to be), whatever the lock's order.
    const big = getPreset('modern-2s-page-fault1-threads').workload;
    const sets = ['durationNs=2000000', 'pteLocks=mm', 'mmCosts.zapPageNs=1'];
    const q = runWorkload(resolveWorkload(big, [...sets, 'spinlock=qspinlock']));
    const thresholdNs = 100_000;
    const c = runWorkload(resolveWorkload(big, [...sets, 'spinlock=cna', `cnaThresholdNs=${thresholdNs}`]));
    const [pq] = rows(q, 'mm->page_table_lock');
    const [pc] = rows(c, 'mm->page_table_lock');
    // Fewer cross-socket transfers of the lock word: a shorter mean wait, more faults through the one lock.
    expect(pc.waitMeanNs).toBeLessThan(pq.waitMeanNs);
    expect(w(c).vmstat.pgfault).toBeGreaterThan(w(q).vmstat.pgfault);
    // The flush after the threshold bounds every wait: at most the threshold and one round of the 112 CPUs' hand-offs.
    expect(pc.waitMaxNs).toBeLessThan(thresholdNs + 112 * (512 + 200));
  });

  it('thread mode with its shared locks (rwsem, VMA locks, page_table_lock under CNA) gives the same report inline and packed on two workers', async () => {
    const stable = (r: { engine: object; config: object }) => JSON.stringify({ ...r, engine: {}, config: { ...r.config, placement: undefined } });
    const cfg = (placement: string) =>
      resolveWorkload({ ...small, kind: 'pft', mode: 'thread', regionMiB: 2, durationNs: 2_000_000 }, ['vmaLocks=true', 'pteLocks=mm', 'spinlock=cna', `placement=${placement}`]);
    const inline = runWorkloadWithSeries(cfg('inline'));
    const packed = await runWorkloadPlaced(cfg('packed:2'));
    expect(stable(packed.report)).toBe(stable(inline.report));
  }, 120_000);
});

afterAll(async () => closeDefaultNodePool());
