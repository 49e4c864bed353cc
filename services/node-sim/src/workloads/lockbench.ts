/**
 * `lockbench`: the spinlock model on its own, as will-it-scale's lock tests use a real machine.
 * Every CPU loops think → spin_lock (or spin_trylock) → hold → spin_unlock on one of `locks`
 * locks. One LP per node: it runs that node's CPUs and is the home of the locks whose words live
 * in that node's memory.
 *
 * With one node, one ticket lock, exponential think and hold times and no hand-off cost this is
 * the machine-repairman queue (M/M/1//N), whose closed form the tests check the model against.
 */
import type { LockbenchConfig, LockbenchResult } from '@numasim/shared';
import type { Kernel, LogicalProcess } from '../engine/kernel.js';
import { Rng } from '../engine/rng.js';
import { DurationSampler } from '../engine/distributions.js';
import { Topology } from '../machine/topology.js';
import { LockRegistry } from '../locks/lock-registry.js';
import { LockStats } from '../locks/lock-stats.js';
import {
  FIRST_MODEL_EVENT,
  SpinlockClient,
  SpinlockHome,
  type LockTableConfig,
  type LockUser,
} from '../locks/spinlock.js';
import type { Model } from './model.js';

const EV_THINK_DONE = FIRST_MODEL_EVENT; // a: cpu
const EV_HOLD_DONE = FIRST_MODEL_EVENT + 1; // a: cpu, b: lock

/** What every node's LP reads and nobody writes. */
interface Shared {
  readonly cfg: LockbenchConfig;
  readonly topo: Topology;
  readonly locks: LockTableConfig;
  readonly registry: LockRegistry;
  readonly think: DurationSampler;
  readonly hold: DurationSampler;
  readonly callerLock: number;
  readonly callerTrylock: number;
  /** Locks homed on each node, for `localLockFraction`. */
  readonly localLocks: readonly Int32Array[];
}

class LockbenchNode implements LogicalProcess, LockUser {
  readonly home: SpinlockHome;
  readonly client: SpinlockClient;
  /** Completed cycles per CPU of this node (index cpu − firstCpu). */
  readonly operations: Float64Array;
  private readonly rng: Rng;
  private readonly firstCpu: number;

  constructor(
    private readonly kernel: Kernel,
    readonly node: number,
    private readonly s: Shared,
  ) {
    this.rng = new Rng(s.cfg.seed, node);
    this.firstCpu = s.topo.firstCpu(node);
    this.operations = new Float64Array(s.topo.cpusPerNode);
    this.home = new SpinlockHome(kernel, s.topo, s.locks, this.rng);
    this.client = new SpinlockClient(kernel, s.topo, s.locks, new LockStats(s.registry.lockCount, s.registry.callerCount), this);
  }

  /** First think period of each CPU, seeded before the run. */
  start(lp: number): void {
    for (let i = 0; i < this.s.topo.cpusPerNode; i++) {
      this.kernel.post(lp, lp, this.s.think.sample(this.rng), EV_THINK_DONE, this.firstCpu + i, 0, 0);
    }
  }

  handle(kind: number, a: number, b: number, c: number): void {
    switch (kind) {
      case EV_THINK_DONE:
        this.thinkDone(a);
        break;
      case EV_HOLD_DONE:
        this.client.release(a, b);
        this.operations[a - this.firstCpu]++;
        this.kernel.schedule(this.s.think.sample(this.rng), EV_THINK_DONE, a, 0, 0);
        break;
      default:
        if (SpinlockHome.handles(kind)) this.home.handle(kind, a, b, c);
        else this.client.handle(kind, a, b, c);
    }
  }

  lockAcquired(cpu: number, lock: number): void {
    this.kernel.schedule(this.s.hold.sample(this.rng), EV_HOLD_DONE, cpu, lock, 0);
  }

  lockRefused(cpu: number): void {
    this.kernel.schedule(this.s.think.sample(this.rng), EV_THINK_DONE, cpu, 0, 0);
  }

  private thinkDone(cpu: number): void {
    const { cfg, localLocks } = this.s;
    const rng = this.rng;
    let lock = 0;
    const local = localLocks[this.node];
    if (cfg.localLockFraction > 0 && local.length > 0 && rng.nextDouble() < cfg.localLockFraction) {
      lock = local[rng.nextInt(local.length)];
    } else if (cfg.locks > 1) {
      lock = rng.nextInt(cfg.locks);
    }
    const trylock = cfg.trylockFraction > 0 && rng.nextDouble() < cfg.trylockFraction;
    this.client.acquire(cpu, lock, trylock ? this.s.callerTrylock : this.s.callerLock, trylock);
  }
}

export function buildLockbench(kernelFactory: (lookaheadNs: number) => Kernel, cfg: LockbenchConfig): Model {
  const topo = new Topology(cfg);
  const registry = new LockRegistry();
  const homeNode: number[] = [];
  for (let i = 0; i < cfg.locks; i++) {
    const home = cfg.lockHome === 'spread' ? i % cfg.nodes : 0;
    homeNode.push(home);
    registry.addLock(cfg.locks === 1 ? 'bench_lock' : `bench_lock[${i}]`, 'bench_lock', home);
  }
  const callerLock = registry.caller('spin_lock');
  const callerTrylock = registry.caller('spin_trylock');
  registry.freeze();
  const localLocks = Array.from({ length: cfg.nodes }, (_, n) => Int32Array.from(homeNode.flatMap((h, i) => (h === n ? [i] : []))));
  const shared: Shared = {
    cfg,
    topo,
    registry,
    locks: { policy: homeNode.map(() => cfg.lock), homeNode, tasLocalBias: cfg.tasLocalBias, tasStorm: cfg.tasStorm === true, sciPurge: cfg.coherence === 'sci', cnaThresholdNs: cfg.cnaThresholdNs, handoff: cfg.handoffNs, lineTiming: cfg.lockLineTiming === true },
    think: new DurationSampler(cfg.thinkNs),
    hold: new DurationSampler(cfg.holdNs),
    callerLock,
    callerTrylock,
    localLocks,
  };
  const kernel = kernelFactory(topo.lookaheadNs);
  const nodes: LockbenchNode[] = [];
  for (let n = 0; n < cfg.nodes; n++) {
    const lp = new LockbenchNode(kernel, n, shared);
    const id = kernel.addLp(lp);
    nodes.push(lp);
    lp.start(id);
  }
  return {
    kernel,
    topology: topo,
    registry,
    lockStats: () => nodes.map((n) => n.client.stats),
    result: (simulatedNs): LockbenchResult => {
      const perNode = nodes.map((n) => ({ node: n.node, operations: n.operations.reduce((x, y) => x + y, 0) }));
      const operations = perNode.reduce((x, n) => x + n.operations, 0);
      let trylockFailures = 0;
      for (const n of nodes) for (let l = 0; l < registry.lockCount; l++) trylockFailures += n.client.stats.trylockFailures[l * registry.callerCount + callerTrylock];
      return { kind: 'lockbench', operations, operationsPerSecond: (operations * 1e9) / simulatedNs, trylockFailures, perNode };
    },
  };
}
