/**
 * qspinlock, CNA and the rwsem on scripted scenarios: who gets the lock in which order, where
 * each waiter spins, and the fairness bound of CNA; the modern machines validate and run lockbench.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { defaultDistances, findMachinePreset, getPreset, machineIssues, resolveWorkload, type Costs, type MachineConfig } from '@numasim/shared';
import { closeDefaultNodePool, runWorkload, runWorkloadPlaced, runWorkloadWithSeries } from '@numasim/node-sim';
import { Kernel, type LogicalProcess } from '../src/engine/kernel.js';
import { Rng } from '../src/engine/rng.js';
import { Topology } from '../src/machine/topology.js';
import { LockStats } from '../src/locks/lock-stats.js';
import { FIRST_MODEL_EVENT, SpinlockClient, SpinlockHome, type HandoffPolicy, type LockTableConfig, type LockUser } from '../src/locks/spinlock.js';
import { SPIN_LOCK_WORD, SPIN_OWN_NODE } from '../src/locks/qspinlock.js';

const EV_ASK = FIRST_MODEL_EVENT;
const EV_DONE = FIRST_MODEL_EVENT + 1;

interface Grant {
  cpu: number;
  prev: number;
  at: number;
}

/** A small machine of `nodes` × `per` CPUs whose LPs run a script: each CPU asks at given times and holds `holdNs`. */
function rig(nodes: number, per: number, policy: HandoffPolicy, holdNs: number, extra: Partial<LockTableConfig> = {}, lineNs = { same: 50, remote: 200 }) {
  const m: MachineConfig = {
    nodes,
    cpusPerNode: per,
    layout: 'x86_64',
    memPerNodeMiB: 64,
    lowmemMiB: 896,
    distances: defaultDistances(nodes),
    costs: { lineSameNodeNs: lineNs.same, lineRemoteNs: lineNs.remote } as Costs,
  };
  const topo = new Topology(m);
  const cfg: LockTableConfig = {
    policy: [policy],
    homeNode: [0],
    tasLocalBias: 0,
    handoff: { sameCpu: 0, sameNode: lineNs.same, remote: lineNs.remote },
    ...extra,
  };
  const kernel = new Kernel({ lookaheadNs: Math.min(lineNs.same, lineNs.remote) });
  const grants: Grant[] = [];
  const homes: SpinlockHome[] = [];
  const clients: SpinlockClient[] = [];
  /** Shared flag for readers (rwsem): per CPU. */
  const shared = new Uint8Array(topo.cpus);
  const again: number[] = new Array(topo.cpus).fill(0);
  let holding = 0;
  let maxHolding = 0;
  for (let n = 0; n < nodes; n++) {
    const user: LockUser = {
      lockAcquired(cpu, lock, prev) {
        grants.push({ cpu, prev, at: kernel.now });
        holding++;
        maxHolding = Math.max(maxHolding, holding);
        kernel.schedule(holdNs, EV_DONE, cpu, lock, 0);
      },
      lockRefused() {},
    };
    const home = new SpinlockHome(kernel, topo, cfg, new Rng(1, n));
    const client = new SpinlockClient(kernel, topo, cfg, new LockStats(1, 1), user);
    homes.push(home);
    clients.push(client);
    const lp: LogicalProcess = {
      handle(kind, a, b, c) {
        if (kind === EV_ASK) client.acquire(a, 0, 0, false, shared[a] === 1);
        else if (kind === EV_DONE) {
          holding--;
          client.release(a, b);
          if (again[a] > 0) {
            again[a]--;
            kernel.schedule(1, EV_ASK, a, 0, 0);
          }
        } else if (SpinlockHome.handles(kind)) home.handle(kind, a, b, c);
        else client.handle(kind, a, b, c);
      },
    };
    kernel.addLp(lp);
  }
  return {
    topo,
    kernel,
    grants,
    homes,
    shared,
    again,
    maxHolding: () => maxHolding,
    ask: (cpu: number, atNs: number) => kernel.post(topo.cpuNode[cpu], topo.cpuNode[cpu], atNs, EV_ASK, cpu, 0, 0),
  };
}

describe('qspinlock', () => {
  it('hands the lock off FIFO: the pending waiter first, then the MCS queue in arrival order', () => {
    const r = rig(2, 4, 'qspinlock', 10_000);
    // CPU 0 takes it at 0; the others ask 500 ns apart (more than a hop to the home on node 0),
    // in a scrambled CPU order, while CPU 0 still holds it.
    const order = [0, 5, 2, 7, 1, 6, 3, 4];
    order.forEach((cpu, i) => r.ask(cpu, i * 500));
    r.kernel.runUntil(100_000);
    expect(r.grants.map((g) => g.cpu)).toEqual(order);
  });

  it('each queued waiter spins on its own queue node; only the pending waiter and the head spin on the lock word', () => {
    const r = rig(2, 4, 'qspinlock', 5000);
    for (let c = 0; c < 8; c++) r.ask(c, c * 10);
    r.kernel.runUntil(500); // CPU 0 holds; seven wait
    const q = r.homes[0].queuedHome!;
    expect(q.waiters(0)).toBe(7);
    const where = [1, 2, 3, 4, 5, 6, 7].map((c) => q.spinsOn(c, 0));
    expect(where.filter((w) => w === SPIN_LOCK_WORD)).toHaveLength(2); // CPU 1 pending, CPU 2 the MCS head
    expect(where.filter((w) => w === SPIN_OWN_NODE)).toHaveLength(5);
    expect([q.spinsOn(1, 0), q.spinsOn(2, 0)]).toEqual([SPIN_LOCK_WORD, SPIN_LOCK_WORD]);
    r.kernel.runUntil(1_000_000);
    // Every release moved the lock word to at most the two lock-word spinners, never to all seven.
    expect(q.spinnerTransfers[0]).toBeLessThanOrEqual(2 * 7);
  });

  it('a short critical section waits for the MCS pass-on: the next head is ready one queue-node transfer after its predecessor got the lock', () => {
    // One node, lines 50 ns; hold 10 ns. CPU0 holds; CPU1 pending, CPU2 head, CPU3 queued behind CPU2.
    const r = rig(1, 4, 'qspinlock', 10);
    for (let c = 0; c < 4; c++) r.ask(c, 0);
    r.kernel.runUntil(10_000);
    const at = r.grants.map((g) => g.at);
    // 0: CPU0 at 0; CPU1 (pending) at 10 + 50; CPU2 (head, ready since it queued) at 70 + 50;
    // CPU3 became head when CPU2's grant arrived (120) plus the transfer of its node (50) = 170,
    // later than CPU2's release at 130: 170 + the lock word's 50.
    expect(at).toEqual([0, 60, 120, 220]);
  });
});

describe('CNA', () => {
  /** Everyone loops lock → hold → unlock many times; returns the share of hand-offs that stayed on a node. */
  const loop = (policy: HandoffPolicy, extra: Partial<LockTableConfig> = {}) => {
    const r = rig(2, 8, policy, 300, extra);
    for (let c = 0; c < 16; c++) {
      r.again[c] = 200;
      r.ask(c, c * 7);
    }
    r.kernel.runUntil(1e9);
    let local = 0;
    let counted = 0;
    for (const g of r.grants) {
      if (g.prev < 0 || g.prev === g.cpu) continue;
      counted++;
      if (r.topo.cpuNode[g.prev] === r.topo.cpuNode[g.cpu]) local++;
    }
    return { r, localShare: local / counted };
  };

  it('prefers a waiter on the holder\'s node', () => {
    const fifo = loop('qspinlock').localShare;
    const cna = loop('cna').localShare;
    // FIFO: node 0's CPUs (the lock's home) re-queue sooner than node 1's, so more than half
    // the hand-offs stay on a node, but far fewer than under CNA.
    expect(cna).toBeGreaterThan(0.9);
    expect(cna - fifo).toBeGreaterThan(0.15);
  });

  it('stays within its fairness bound: no waiter waits much past numa_spinlock_threshold_ns', () => {
    const thresholdNs = 20_000;
    const { r } = loop('cna', { cnaThresholdNs: thresholdNs });
    // Wait of each acquisition = grant time − the time it asked (one ns after its previous release).
    const lastDone = new Map<number, number>();
    let maxWait = 0;
    let crossings = 0;
    let prevNode = -1;
    for (const g of r.grants) {
      const asked = lastDone.get(g.cpu);
      if (asked !== undefined) maxWait = Math.max(maxWait, g.at - asked);
      lastDone.set(g.cpu, g.at + 300 + 1);
      const node = r.topo.cpuNode[g.cpu];
      if (prevNode >= 0 && node !== prevNode) crossings++;
      prevNode = node;
    }
    // After the threshold, the flush puts the secondary queue first; the remote waiter then waits
    // at most for the hand-offs already granted ahead of it (≤ 16 CPUs × (hold + transfers)).
    expect(maxWait).toBeLessThan(thresholdNs + 16 * (300 + 2 * 200 + 100));
    expect(crossings).toBeGreaterThan(10); // the preference did move between the nodes
    // Without the flush (a huge threshold) a remote waiter waits far longer.
    const starved = loop('cna', { cnaThresholdNs: 1e10 }).r;
    const done2 = new Map<number, number>();
    let maxWait2 = 0;
    for (const g of starved.grants) {
      const asked = done2.get(g.cpu);
      if (asked !== undefined) maxWait2 = Math.max(maxWait2, g.at - asked);
      done2.set(g.cpu, g.at + 301);
    }
    expect(maxWait2).toBeGreaterThan(maxWait);
  });
});

describe('rwsem', () => {
  it('readers share it, and their atomics on the count line serialize', () => {
    const r = rig(2, 2, 'rwsem', 1000);
    for (let c = 0; c < 4; c++) r.shared[c] = 1;
    for (let c = 0; c < 4; c++) r.ask(c, 0);
    r.kernel.runUntil(100_000);
    expect(r.grants).toHaveLength(4);
    expect(r.maxHolding()).toBe(4); // all four read at once
    // The count line goes from reader to reader, one atomic at a time. Home on node 0; lines
    // 50 ns within a node, 200 across. CPU0 takes it at 0 (the line was nowhere); CPU1's atomic
    // pulls the line from CPU0: 50. CPU2's request lands at 200, its atomic pulls the line across
    // (200, free at 400), its grant crosses back (200): 600. CPU3's lands at 200 too, waits for the
    // line until 400, pulls it from CPU2 (50): free at 450, plus the 200 ns hop: 650.
    expect(r.grants.map((g) => [g.cpu, g.at])).toEqual([[0, 0], [1, 50], [2, 600], [3, 650]]);
  });

  it('a writer excludes readers and waits for them to drain; readers queued behind it wait for it', () => {
    const r = rig(1, 4, 'rwsem', 1000);
    r.shared[0] = 1;
    r.shared[1] = 1;
    r.shared[3] = 1;
    r.ask(0, 0); // reader
    r.ask(1, 10); // reader
    r.ask(2, 20); // writer: waits for both readers
    r.ask(3, 30); // reader: queued behind the writer
    r.kernel.runUntil(100_000);
    expect(r.grants.map((g) => g.cpu)).toEqual([0, 1, 2, 3]);
    const g = Object.fromEntries(r.grants.map((x) => [x.cpu, x.at]));
    expect(g[2]).toBeGreaterThanOrEqual(g[1] + 1000); // after the last reader left
    expect(g[3]).toBeGreaterThanOrEqual(g[2] + 1000); // after the writer left
    expect(r.maxHolding()).toBe(2);
  });
});

describe('modern machines', () => {
  const names = ['broadwell-2s', 'haswell-4s', 'skylake-2s', 'icelake-2s', 'spr-2s'];
  const cpus: Record<string, number> = { 'broadwell-2s': 40, 'haswell-4s': 144, 'skylake-2s': 112, 'icelake-2s': 128, 'spr-2s': 224 };

  it.each(names)('%s validates, has its CPU count and runs lockbench', (name) => {
    expect(findMachinePreset(name)).toBeDefined();
    const cfg = resolveWorkload({ kind: 'lockbench', machine: name, lock: 'qspinlock', durationNs: 200_000 });
    expect(machineIssues(cfg as MachineConfig)).toEqual([]);
    const m = cfg as MachineConfig;
    expect(m.nodes * m.cpusPerNode).toBe(cpus[name]);
    expect(m.layout).toBe('x86_64');
    const r = runWorkload(cfg);
    expect(r.locks[0].acquisitions).toBeGreaterThan(0);
  });

  it('modern-4s-lockbench runs with every spinlock policy', () => {
    for (const lock of ['tas', 'ticket', 'qspinlock', 'cna']) {
      const r = runWorkload(resolveWorkload(getPreset('modern-4s-lockbench').workload, ['durationNs=200000', `lock=${lock}`]));
      expect(r.locks[0].acquisitions).toBeGreaterThan(0);
    }
  });
});

describe('placement', () => {
  afterAll(() => closeDefaultNodePool());

  it('qspinlock and CNA give the same report inline and on threads', async () => {
    const stable = (r: { engine: object; config: object }) => JSON.stringify({ ...r, engine: {}, config: { ...r.config, placement: undefined } });
    for (const lock of ['qspinlock', 'cna']) {
      const cfg = (placement: string) => resolveWorkload(getPreset('modern-4s-lockbench').workload, ['durationNs=1000000', `lock=${lock}`, `placement=${placement}`]);
      const inline = runWorkloadWithSeries(cfg('inline'));
      const threads = await runWorkloadPlaced(cfg('packed:2'));
      expect(stable(threads.report)).toBe(stable(inline.report));
    }
  }, 120_000);
});

describe('rwsem in the lock table', () => {
  it('a lock declared as an rwsem carries its type, and its call sites their mode; spinlocks carry neither', async () => {
    const { LockRegistry } = await import('../src/locks/lock-registry.js');
    const { buildLockReports } = await import('../src/run/lock-report.js');
    const reg = new LockRegistry();
    const mmap = reg.addLock('mmap_lock', 'mmap_lock', 0, 'rwsem');
    const zone = reg.addLock('zone->lock', 'zone->lock', 0);
    const rd = reg.caller('do_user_addr_fault', 'R');
    const wr = reg.caller('do_mmap', 'W');
    const sp = reg.caller('rmqueue');
    reg.freeze();
    const s = new LockStats(reg.lockCount, reg.callerCount);
    s.recordAcquire(mmap, rd, true, 100, false);
    s.recordHold(mmap, rd, 50);
    s.recordAcquire(mmap, wr, false, 0, false);
    s.recordHold(mmap, wr, 50);
    s.recordAcquire(zone, sp, false, 0, false);
    s.recordHold(zone, sp, 50);
    const [m, z] = buildLockReports(reg, s, 1000, 1);
    expect(m.type).toBe('rwsem');
    expect(m.callers.map((c) => [c.name, c.mode])).toEqual([['do_user_addr_fault', 'R'], ['do_mmap', 'W']]);
    expect('type' in z).toBe(false);
    expect('mode' in z.callers[0]).toBe(false);
  });
});

describe('SMT', () => {
  it('siblings of one core pass a line for lineSameCoreNs; other CPUs of the node for lineSameNodeNs', async () => {
    const { handoffNs } = await import('../src/locks/spinlock.js');
    const m = { nodes: 2, cpusPerNode: 4, threadsPerCore: 2, layout: 'x86_64', memPerNodeMiB: 64, lowmemMiB: 896, distances: defaultDistances(2), costs: { lineSameNodeNs: 60, lineRemoteNs: 150 } as Costs } as MachineConfig;
    const t = new Topology(m);
    const h = { sameCpu: 0, sameNode: 60, remote: 150, sameCore: 10 };
    expect([handoffNs(t, h, 0, 1), handoffNs(t, h, 1, 2), handoffNs(t, h, 4, 5), handoffNs(t, h, 3, 4)]).toEqual([10, 60, 10, 150]);
    // Without threadsPerCore the same CPUs are plain node-mates.
    expect(handoffNs(new Topology({ ...m, threadsPerCore: undefined }), h, 0, 1)).toBe(60);
    expect(machineIssues({ ...m, threadsPerCore: 3 })).toEqual([{ path: 'threadsPerCore', reason: 'must divide cpusPerNode (4) so every core has all its threads on one node (got 3)' }]);
  });
});
