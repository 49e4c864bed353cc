import { afterAll, describe, expect, it } from 'vitest';
import { getPreset, lineTransferNs, resolveWorkload, type Report } from '@numasim/shared';
import { runWorkload } from '../src/index.js';
// Placed runs go through the built package, whose pool threads load its own entry.
import { closeDefaultNodePool, runWorkloadPlaced, runWorkloadWithSeries, type RunOutput } from '@numasim/node-sim';
import { SCHED_24, SCHED_NUMA, SCHED_O1, SchedCore } from '../src/sched/sched-core.js';
import { UserStalls } from '../src/sched/user-stalls.js';
import { CpuTimes } from '../src/sched/cpu-times.js';
import { RemoteCache } from '../src/machine/remote-cache.js';
import { KERNBENCH_DEFAULT_PROCESSES, resolveWorkload as resolve, type KernbenchConfig } from '@numasim/shared';
import { smallKernbench } from './small-kernbench.js';

// Four CPUs, two per node.
const NODE = Int32Array.from([0, 0, 1, 1]);
function core(policy: number, firstCpu: number[], programs = firstCpu.length) {
  const runs: [number, number][] = [];
  const rescheds: number[] = [];
  const preempts: number[] = [];
  const c = new SchedCore(
    policy,
    NODE,
    4,
    Int32Array.from(firstCpu),
    { run: (t, cpu) => runs.push([t, cpu]), resched: (t) => rescheds.push(t), preempt: (t) => preempts.push(t) },
    programs,
  );
  return { c, runs, rescheds, preempts };
}

describe('scheduler decisions (sched-core.ts)', () => {
  it('2.4: a woken task whose last CPU is busy runs on the CPU idle longest, on another node if that is the one', () => {
    const { c } = core(SCHED_24, [0, 1, 2, 3]);
    c.wake(0, 0, true);
    c.wake(1, 0, true);
    c.wake(2, 0, true);
    c.sleep(0, 100); // CPU 0 idle since 100, CPU 3 since the start
    // Task 1 forks with CPUs 0 and 3 idle: the child runs on CPU 3, idle longest (2.4 reschedule_idle), its parent's CPU 1 idles.
    c.fork(1, 200);
    expect(c.cpuOf(1)).toBe(3);
    expect(c.newTaskMoves).toBe(1);
    expect(c.newTaskCrossNode).toBe(1);
    // Task 0 wakes: its last CPU (0) is idle, so it stays.
    c.wake(0, 300, false);
    expect(c.cpuOf(0)).toBe(0);
    expect(c.migrations).toBe(0);
    // Task 0 sleeps; task 1 forks again and takes CPU 0, the CPU idle longest now, so task 0's CPU is busy when it wakes.
    c.sleep(0, 400);
    c.fork(1, 500); // CPU 1 (idle since 200) is idle longer than CPU 0 (since 400)
    expect(c.cpuOf(1)).toBe(1);
    c.fork(1, 600); // now CPU 3 (since 500) vs CPU 0 (since 400): CPU 0
    expect(c.cpuOf(1)).toBe(0);
    c.wake(0, 700, false);
    expect(c.cpuOf(0)).not.toBe(0);
    expect(c.migrations).toBe(1);
    c.check();
  });

  it('2.4: a new process placed away from its stream\'s last CPU is no migration (it has no memory yet)', () => {
    const { c } = core(SCHED_24, [0, 0, 2, 3]);
    c.wake(0, 0, true);
    c.wake(1, 0, true);
    expect(c.cpuOf(1)).toBe(1);
    expect(c.newTaskMoves).toBe(1);
    expect(c.migrations).toBe(0);
  });

  it('2.4: a task forked with no CPU idle starts on its parent\'s CPU', () => {
    const { c } = core(SCHED_24, [0, 1, 2, 3]);
    for (let t = 0; t < 4; t++) c.wake(t, 0, true);
    c.fork(2, 10);
    expect(c.cpuOf(2)).toBe(2);
    expect(c.newTaskMoves).toBe(0);
  });

  it('o1: a woken task waits on its own runqueue, CPUs idle or not, until an idle CPU balances on a tick', () => {
    const { c, rescheds } = core(SCHED_O1, [0, 0, 2, 3]);
    c.wake(0, 0, true);
    c.wake(1, 0, false); // a process that had run on CPU 0 wakes
    expect(c.cpuOf(1)).toBe(-1); // queued behind task 0 on CPU 0, though CPUs 1–3 are idle
    expect(rescheds).toEqual([0]); // task 0 is told to give way at its slice's end
    expect(c.waiting()).toBe(1);
    expect(c.tick(10_000_000)).toBe(false);
    expect(c.cpuOf(1)).toBe(1);
    expect(c.balancePulls).toBe(1);
    expect(c.migrations).toBe(1);
    // A fork under O(1) stays on its parent's runqueue, even with idle CPUs.
    c.fork(1, 20_000_000);
    expect(c.cpuOf(1)).toBe(1);
    c.check();
  });

  it('o1: a task giving way at its slice\'s end lets the waiting one run, and waits itself', () => {
    const { c } = core(SCHED_O1, [0, 0, 2, 3]);
    c.wake(0, 0, true);
    c.wake(1, 0, true);
    c.yieldSlice(0, 60_000_000);
    expect(c.cpuOf(1)).toBe(0);
    expect(c.migrations).toBe(0);
    expect(c.contextSwitches).toBe(2);
  });

  it('numa: an idle CPU balances within its node first, across nodes only on a node-rebalance tick', () => {
    const { c } = core(SCHED_NUMA, [0, 0, 1, 3]);
    c.wake(0, 0, false);
    c.wake(2, 0, false);
    c.wake(1, 0, false); // waits on CPU 0; node 0's CPUs are both busy, node 1's idle
    for (let k = 1; k <= 4; k++) {
      c.tick(k * 10_000_000);
      expect(c.cpuOf(1)).toBe(-1);
    }
    c.tick(50_000_000);
    expect(c.cpuOf(1)).toBe(2);
    expect(c.crossNodeMigrations).toBe(1);
    // Same node: pulled on the first tick.
    const s = core(SCHED_NUMA, [0, 0, 2, 3]).c;
    s.wake(0, 0, false);
    s.wake(1, 0, false);
    s.tick(10_000_000);
    expect(s.cpuOf(1)).toBe(1);
    expect(s.crossNodeMigrations).toBe(0);
  });

  it('numa: a new exec on a crowded runqueue goes to the least loaded node', () => {
    const { c } = core(SCHED_NUMA, [0, 0, 0, 3]);
    c.wake(0, 0, false);
    c.wake(1, 0, false); // waits on CPU 0: two tasks there
    c.wake(2, 0, true); // would be the third: sched_balance_exec sends it to node 1
    expect(NODE[c.cpuOf(2)]).toBe(1);
  });
});

describe('gcc -pipe partners and preemption (sched-core.ts)', () => {
  it('2.4: a partner woken with no CPU idle preempts the program on its last CPU; the preempted program goes to whichever CPU schedules first', () => {
    // Programs 0–3 on CPUs 0–3; partners 4–7.
    const { c, preempts } = core(SCHED_24, [0, 1, 2, 3, 0, 1, 2, 3], 4);
    for (let t = 0; t < 4; t++) c.wake(t, 0, true);
    c.wakePartner(4, 30_000_000, 0); // a new partner, forked from program 0's CPU: every CPU busy
    expect(c.cpuOf(4)).toBe(-1);
    expect(preempts).toEqual([0]); // only on its last CPU does the partner outscore the current task (the last-CPU bonus)
    c.preempted(0, 30_000_100);
    expect(c.cpuOf(4)).toBe(0); // CPU 0 schedules: the partner
    // CPU 2's program blocks before the partner's burst ends: CPU 2 takes the preempted program, on another node.
    c.sleep(2, 30_500_000);
    expect(c.cpuOf(0)).toBe(2);
    expect(c.migrations).toBe(1);
    expect(c.crossNodeMigrations).toBe(1);
    expect(c.preemptions).toBe(1);
    c.check();
  });

  it('2.4: a partner takes an idle CPU rather than preempt', () => {
    const { c, preempts } = core(SCHED_24, [0, 1, 2, 3, 0, 1, 2, 3], 4);
    for (let t = 0; t < 3; t++) c.wake(t, 0, true);
    c.wakePartner(4, 1_000_000, 0);
    expect(c.cpuOf(4)).toBe(3);
    expect(preempts).toEqual([]);
    expect(c.migrations).toBe(0); // partners' moves are not counted: they have no memory in the model
  });

  it('o1: a woken partner preempts the current task of its runqueue, which stays on that runqueue', () => {
    const { c, preempts } = core(SCHED_O1, [0, 1, 2, 3, 0, 1, 2, 3], 4);
    c.wake(0, 0, true);
    c.wakePartner(4, 1_000_000, 0); // CPUs 1–3 idle, but O(1) wakes it on its own runqueue
    expect(preempts).toEqual([0]);
    c.preempted(0, 1_000_100);
    expect(c.cpuOf(4)).toBe(0);
    c.sleep(4, 2_000_000); // the partner's burst ends: program 0 back on CPU 0
    expect(c.cpuOf(0)).toBe(0);
    expect(c.migrations).toBe(0);
  });
});

describe('user time priced by where memory is (user-stalls.ts)', () => {
  const m = resolve({ kind: 'kernbench', machine: 'numaq-16' }, []) as KernbenchConfig;
  const stallsOn = (machine: KernbenchConfig) => {
    const n = machine.nodes;
    const memNs = new Float64Array(n * n);
    const memCosts = { ...machine.costs, lineSameNodeNs: machine.costs.memLocalNs, lineRemoteNs: machine.costs.memRemoteNs };
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) memNs[a * n + b] = lineTransferNs(memCosts, machine.distances[a][b]);
    return { st: new UserStalls(0.2, n, machine.cpusPerNode, memNs, new RemoteCache(machine, memNs), machine.costs.memLocalNs), times: new CpuTimes(machine.cpusPerNode, n) };
  };
  const local = m.costs.memLocalNs;
  const far = m.costs.memRemoteNs;

  it('without a remote cache: a slice costs its compute plus its stalls at the local price with local pages, more with remote ones', () => {
    const { st, times } = stallsOn({ ...m, remoteCacheMiB: 0 });
    st.addFilePage(0, 1);
    expect(st.price(0, 1_000_000, 1, times)).toBe(1_000_000); // every page local: cpuNs as measured
    const remote = st.price(0, 1_000_000, 0, times); // the same page seen from node 0
    expect(remote).toBe(Math.round(800_000 + (200_000 * far) / local));
    expect(times.remoteStallNs[0]).toBeGreaterThan(0);
    expect(times.remoteStallNs[1]).toBe(0);
    expect(times.remoteCacheStallNs).toBe(0);
  });

  it('with the quads\' remote caches: a remote text page is answered on the quad; a moved process\'s own pages cost the crossing once per line, then hit', () => {
    expect(m.remoteCacheMiB).toBeGreaterThan(0); // the numaq machine presets have them
    const text = stallsOn(m);
    text.st.addFilePage(0, 1);
    const hitNs = m.costs.remoteCacheHitNs ?? local;
    expect(text.st.price(0, 1_000_000, 0, text.times)).toBe(Math.round(800_000 + (200_000 * hitNs) / local));
    expect(text.times.remoteCacheStallNs).toBeCloseTo((200_000 * hitNs) / local, 6);

    const anon = stallsOn(m);
    const node = Int32Array.of(1);
    const frame = Int32Array.of(7);
    anon.st.countAnon(0, 1, 0, node, frame, 1, 1); // one page faulted in on its own node 1
    const misses = 100;
    const ns = (misses * local) / 0.2; // a slice with 100 misses
    expect(anon.st.price(0, ns, 1, anon.times)).toBe(Math.round(ns)); // at home: local
    // Moved to node 0: the page's 64 lines come across once each, the other 36 misses hit the remote cache.
    expect(anon.st.price(0, ns, 0, anon.times)).toBe(Math.round(ns * 0.8 + 64 * far + 36 * hitNs));
    // All its lines are here now: every miss hits.
    expect(anon.st.price(0, ns, 0, anon.times)).toBe(Math.round(ns * 0.8 + misses * hitNs));
    // Back home and out again: cold once more.
    anon.st.price(0, ns, 1, anon.times);
    expect(anon.st.price(0, ns, 0, anon.times)).toBe(Math.round(ns * 0.8 + 64 * far + 36 * hitNs));
  });
});

const small = smallKernbench(20_000_000);
const run = (w: object, sets: string[] = []) => runWorkload(resolveWorkload(w, sets), { checkInvariants: true });
const time = (r: Report) => {
  const w = r.workload;
  if (w.kind !== 'kernbench' && w.kind !== 'mem-pressure' && w.kind !== 'file-read') throw new Error('not a process workload');
  return w.time;
};
const addsUp = (r: Report) => {
  const t = time(r);
  const cpus = r.config.nodes * r.config.cpusPerNode;
  expect(t.userNs + t.systemNs + t.idleNs).toBe(cpus * t.elapsedNs);
  expect(t.userNs).toBeGreaterThan(0);
  expect(t.systemNs).toBeGreaterThan(0);
  expect(t.idleNs).toBeGreaterThanOrEqual(0);
  expect(t.cpuPercent).toBeCloseTo((100 * (t.userNs + t.systemNs)) / t.elapsedNs, 0);
};

describe('workload.time and the scheduler on the process runner', () => {
  it('kernbench: user + system + idle is CPUs × the build time; user time is the processes\' cpuNs', () => {
    const r = run(small);
    addsUp(r);
    expect(time(r).elapsedNs).toBe(r.workload.kind === 'kernbench' ? r.workload.completionNs : -1);
    expect(time(r).userNs).toBe(24 * 23_000_000);
    expect(r.workload.kind === 'kernbench' && r.workload.sched).toBeUndefined();
  });

  it('refuses a scheduler it does not model, and a stall share out of range', () => {
    expect(() => resolveWorkload(small, ['scheduler=2.6'])).toThrow();
    expect(() => resolveWorkload(small, ['userStallShare=1.5'])).toThrow();
  });

  it('puts runqueue_lock (2.4) or each CPU\'s rq->lock (o1) in the lock table, under wake_up_process and schedule', () => {
    const r24 = run(small, ['scheduler=2.4']);
    const rq = r24.locks.find((l) => l.name === 'runqueue_lock')!;
    expect(rq.homeNode).toBe(0);
    expect(rq.callers.map((c) => c.name).sort()).toEqual(['schedule', 'wake_up_process']);
    // One per new process, and one per pipe wake-up (gcc -pipe's partners); none of those with pipe=false.
    const pipeWakes = r24.workload.kind === 'kernbench' ? r24.workload.sched!.pipeWakeups! : -1;
    expect(pipeWakes).toBeGreaterThan(0);
    expect(rq.callers.find((c) => c.name === 'wake_up_process')!.acquisitions).toBe(24 * 3 + pipeWakes);
    const noPipe = run(small, ['scheduler=2.4', 'pipe=false']).locks.find((l) => l.name === 'runqueue_lock')!;
    expect(noPipe.callers.find((c) => c.name === 'wake_up_process')!.acquisitions).toBe(24 * 3);
    const o1 = run(small, ['scheduler=o1']);
    expect(o1.locks.filter((l) => l.class === 'rq->lock').length).toBe(16);
    expect(run(small).locks.some((l) => l.class === 'runqueue_lock' || l.class === 'rq->lock')).toBe(false);
  });

  it('mem-pressure and file-read report it too', () => {
    addsUp(run({ kind: 'mem-pressure', nodes: 2, cpusPerNode: 2, memPerNodeMiB: 64, layout: 'x86_64', filePages: 60_000, readsPerProcess: 64, durationNs: 50_000_000 }));
    addsUp(run({ kind: 'file-read', nodes: 2, cpusPerNode: 2, durationNs: 20_000_000 }));
  });

  it('2.4 sends new processes to idle CPUs; o1 and numa keep them on their parent\'s runqueue', () => {
    const r24 = run(small, ['scheduler=2.4']);
    // A job stream per CPU and no pipe partners: no task waits long enough for an idle CPU's balancing to move a new process.
    const o1 = run(small, ['scheduler=o1', 'pipe=false', 'parallelJobs=16']);
    const numa = run(small, ['scheduler=numa', 'pipe=false', 'parallelJobs=16']);
    for (const r of [r24, o1, numa]) addsUp(r);
    const sched = (r: Report) => (r.workload.kind === 'kernbench' ? r.workload.sched! : undefined)!;
    expect(sched(r24).scheduler).toBe('2.4');
    expect(sched(r24).newTaskMoves).toBeGreaterThan(0);
    expect(sched(o1).newTaskMoves).toBe(0);
    expect(sched(numa).newTaskMoves).toBe(0);
    expect(sched(r24).runqueueLockHolds).toBeGreaterThan(0);
    expect(time(r24).userNs).toBe(24 * 23_000_000); // placement alone changes no user time without stall pricing
  });

  it('stall pricing: the same build with its pages spread over the nodes spends more user time than with node-local pages', () => {
    const local = run(small, ['userStallShare=0.2', 'remoteCacheMiB=0']);
    const spread = run(small, ['userStallShare=0.2', 'remoteCacheMiB=0', 'zonelist=round-robin']);
    const unpriced = run(small, ['zonelist=round-robin']);
    expect(time(unpriced).userNs).toBe(24 * 23_000_000);
    expect(time(spread).userNs).toBeGreaterThan(time(local).userNs);
    expect(time(local).userNs).toBeGreaterThan(24 * 23_000_000); // file pages are spread over the nodes either way
    const remote = (r: Report) => time(r).remoteUserStallNs!.reduce((a, b) => a + b, 0);
    expect(remote(spread)).toBeGreaterThan(remote(local));
    expect(time(spread).remoteCacheUserStallNs).toBeUndefined();
  });

  it('stall pricing with the remote caches: remote pages cost less than without them, and the caches\' share is reported', () => {
    const without = run(small, ['userStallShare=0.2', 'remoteCacheMiB=0', 'zonelist=round-robin']);
    const withRc = run(small, ['userStallShare=0.2', 'zonelist=round-robin']);
    expect(time(withRc).userNs).toBeLessThan(time(without).userNs);
    // Spread pages this CPU faulted in and shared text are all in its quad's remote cache, at remoteCacheHitNs (default memLocalNs).
    expect(time(withRc).userNs).toBeGreaterThanOrEqual(24 * 23_000_000);
    expect(time(withRc).remoteCacheUserStallNs).toBeGreaterThan(0);
  });
});

describe('make -j beyond the CPU count: tasks that wait, and move mid-life', () => {
  const preset = getPreset('numaq-16-kernbench').workload; // make -j32 on 16 CPUs
  // userStallShare=0: user time is the processes' cpuNs, wherever their memory is (the preset prices it).
  const build = (s: string) => runWorkload(resolveWorkload(preset, ['jobs=64', `scheduler=${s}`, 'userStallShare=0']), { checkInvariants: true });
  const sched = (r: Report) => (r.workload.kind === 'kernbench' ? r.workload.sched! : undefined)!;

  it('2.4 moves preempted and waiting tasks to whichever CPU schedules; o1 and numa keep them on their runqueues; numa moves fewest across nodes', () => {
    const [r24, o1, numa] = ['2.4', 'o1', 'numa'].map(build);
    for (const r of [r24, o1, numa]) {
      addsUp(r);
      expect(r.machine.cpus).toBe(16); // 32 job streams, 16 CPUs
      expect(r.workload.kind === 'kernbench' && r.workload.jobsCompleted).toBe(64);
      expect(sched(r).preemptions).toBeGreaterThan(0);
      expect(sched(r).migrations).toBeGreaterThan(0);
    }
    expect(sched(r24).crossNodeMigrations).toBeGreaterThan(0);
    // One global runqueue: a task waits for any CPU; per-CPU runqueues: only an idle CPU's balancing moves one.
    expect(sched(r24).migrations).toBeGreaterThan(2 * sched(o1).migrations);
    expect(sched(r24).migrations).toBeGreaterThan(2 * sched(numa).migrations);
    expect(sched(numa).crossNodeMigrations).toBeLessThan(sched(o1).crossNodeMigrations);
    expect(sched(numa).crossNodeMigrations).toBeLessThan(sched(r24).crossNodeMigrations);
    // User time is the processes' cpuNs, the partners' included.
    const perJob = KERNBENCH_DEFAULT_PROCESSES.reduce((a, p) => a + p.cpuNs, 0);
    expect(time(r24).userNs).toBe(64 * perJob);
  }, 120_000);

  it('a task moved to another quad reaches its per-task stack and task_struct remotely (taskArea=per-task)', () => {
    const area = (sets: string[]) => {
      const r = runWorkload(resolveWorkload(preset, ['jobs=24', 'taskArea=per-task', ...sets]));
      return r.memory!.taskArea!;
    };
    // Without a scheduler a task runs where its area was made (the few remote ones: a job's first fork, by make on node 0).
    const share = (a: { currentLocal: number; currentRemote: number }) => a.currentRemote / (a.currentLocal + a.currentRemote);
    const none = share(area(['scheduler=none']));
    const r24 = share(area(['scheduler=2.4']));
    const numa = share(area(['scheduler=numa']));
    expect(none).toBeLessThan(0.01);
    expect(r24).toBeGreaterThan(10 * none);
    expect(numa).toBeLessThan(r24);
  });

  it('without a scheduler, -j32 on 16 CPUs is 16 job streams as before', () => {
    const r = runWorkload(resolveWorkload(preset, ['jobs=20', 'scheduler=none']));
    expect(r.workload.kind === 'kernbench' && r.workload.sched).toBeUndefined();
    expect(r.locks.some((l) => l.name === 'mm->page_table_lock[cpu16]')).toBe(false);
  });
});

describe('the scheduler and stall pricing on every placement', () => {
  afterAll(() => closeDefaultNodePool());
  const stable = (o: RunOutput) =>
    JSON.stringify({ report: { ...o.report, engine: { ...o.report.engine, wallSeconds: 0, eventsPerSecond: 0 }, config: { ...o.report.config, placement: undefined } }, series: o.series });

  it('numaq-16-kernbench with scheduler=2.4 and userStallShare: inline, threads and packed:2 give one report', async () => {
    const cfg = (placement: string) =>
      resolveWorkload(getPreset('numaq-16-kernbench').workload, ['jobs=6', 'parallelJobs=8', 'scheduler=2.4', 'userStallShare=0.2', `placement=${placement}`]);
    const inline = runWorkloadWithSeries(cfg('inline'));
    const w = inline.report.workload;
    expect(w.kind === 'kernbench' && w.jobsCompleted).toBe(6);
    expect(w.kind === 'kernbench' && w.sched!.newTaskMoves).toBeGreaterThan(0);
    for (const placement of ['threads', 'packed:2']) expect(stable(await runWorkloadPlaced(cfg(placement)))).toBe(stable(inline));
  }, 300_000);

  it('make -j32 on 16 CPUs with pipe partners under 2.4 and numa: inline, threads and packed:2 give one report', async () => {
    for (const s of ['2.4', 'numa']) {
      const cfg = (placement: string) => resolveWorkload(getPreset('numaq-16-kernbench').workload, ['jobs=24', `scheduler=${s}`, 'taskArea=per-task', `placement=${placement}`]);
      const inline = runWorkloadWithSeries(cfg('inline'));
      const w = inline.report.workload;
      expect(w.kind === 'kernbench' && w.sched!.preemptions).toBeGreaterThan(0);
      for (const placement of ['threads', 'packed:2']) expect(stable(await runWorkloadPlaced(cfg(placement)))).toBe(stable(inline));
    }
  }, 600_000);
});
