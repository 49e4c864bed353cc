/**
 * `page-fault`: will-it-scale's page_fault1 on the NUMA memory model, one LP per node.
 *
 * Each CPU runs its own process (its own mm and `mm->page_table_lock`) that loops:
 *   fault every page of an anonymous region — `do_anonymous_page` of Linux 2.4 mm/memory.c:
 *   allocate (`__alloc_pages` over the zonelist), clear, set the pte under page_table_lock,
 *   (-rmap: `page_add_rmap` under pagemap_lru_lock), `lru_cache_add`;
 *   then unmap it — `zap_page_range`: clear the pte, (-rmap: `page_remove_rmap`),
 *   `lru_cache_del`, `__free_pages_ok`; then think.
 * The LRU lock is the global `pagemap_lru_lock` (homed on node 0) for `2.4` and `rmap`, the
 * page's `zone->lru_lock` for `2.5-zone`; with `pagevec` LRU additions and removals go 16 pages
 * per lock acquisition (2.5.31). Cross-node work follows docs/MEMORY-MODEL.md: zonelist walks are
 * chains of probes, and data of another node is changed by a message sent while holding the lock.
 *
 * Highmem pages are cleared through `kmap_atomic` (counted, one invlpg each).
 * Simplified: order-0 pages only; page_add_rmap is taken after page_table_lock is released rather
 * than inside it; no reclaim (page_fault1 frees what it faults; an allocation that fails every
 * pass is counted, and the CPU goes on); kswapd is woken (counted) but does not run.
 */
import type { PageFaultConfig, PageFaultResult, MemoryReport, NumaStat } from '@numasim/shared';
import type { Kernel, LogicalProcess } from '../engine/kernel.js';
import { Rng } from '../engine/rng.js';
import { DurationSampler } from '../engine/distributions.js';
import { invariant } from '../errors.js';
import { Topology } from '../machine/topology.js';
import { memoryMap, type NodeMemory as NodeMemoryMap } from '../machine/memory-map.js';
import { LockRegistry } from '../locks/lock-registry.js';
import { HIST_BUCKETS, histBucket, histQuantile, LockStats } from '../locks/lock-stats.js';
import { FIRST_MODEL_EVENT, SpinlockClient, SpinlockHome, type LockTableConfig, type LockUser } from '../locks/spinlock.js';
import { NodeMemory } from '../mm/node-memory.js';
import { BYTES_PER_FRAME } from '../mm/page-frames.js';
import { ZONE_HIGHMEM, ZONE_NAMES, ZONE_NORMAL, type ZoneType } from '../mm/zone.js';
import { buildZonelist, type ZoneRef } from '../mm/zonelist.js';
import { zoneStep, type AllocPass } from '../mm/alloc-passes.js';
import type { Model } from './model.js';

const EV_STEP = FIRST_MODEL_EVENT; // a: cpu
const EV_PROBE = FIRST_MODEL_EVENT + 1; // a: cpu, b: pos | pass << 20 | rotation << 21, c: running min
const EV_PROBE_REPLY = FIRST_MODEL_EVENT + 2; // a: cpu, b: pos | take << 20, c: running min
const EV_OP = FIRST_MODEL_EVENT + 3; // a: cpu, b: op | zoneType << 4, c: frame
const EV_OP_REPLY = FIRST_MODEL_EVENT + 4; // a: cpu, b: result
const EV_KSWAPD_WAKE = FIRST_MODEL_EVENT + 5; // a: zone type

const OP_NONE = 0;
const OP_RMQUEUE = 1;
const OP_FREE = 2;
const OP_LRU_ADD = 3;
const OP_LRU_DEL = 4;

// CPU program steps.
const P_CYCLE = 1;
const P_FAULT = 2;
const P_WALK = 3;
const P_TAKEN = 4;
const P_CLEAR = 5;
const P_MAP = 6;
const P_RMAP_ADD = 7;
const P_LRU_ADD = 8;
const P_FAULT_DONE = 9;
const P_UNMAP = 10;
const P_RMAP_DEL = 11;
const P_LRU_DEL = 12;
const P_FREE = 13;
const P_UNMAP_NEXT = 14;
const P_LOCK = 15; // a timer ran out: ask for the pending lock now
const P_OP_WAIT = 16; // waiting for a lock or a remote operation's answer
const P_OP_RELEASE = 17;
const P_DRAIN = 18; // pagevec: start the next group
const P_DRAIN_WAIT = 19;
const P_DRAIN_RELEASE = 20;
const P_FREE_PV = 21; // pagevec: free the pages that just left the LRU

const PASS_LOW = 0;
const PASS_MIN = 1;
const PASSES: AllocPass[] = ['low', 'min'];
const PAGEVEC_SIZE = 16;

/** Configuration every node's LP reads and none writes. */
interface Shared {
  readonly cfg: PageFaultConfig;
  readonly topo: Topology;
  readonly maps: readonly NodeMemoryMap[];
  readonly registry: LockRegistry;
  readonly locks: LockTableConfig;
  /** zonelists[(localNode * nodes + rotation)]: zones to try for a user page. */
  readonly zonelists: readonly ZoneRef[][];
  readonly think: DurationSampler;
  /** Lock ids. */
  readonly zoneLock: Int32Array; // node * 3 + zoneType
  readonly zoneLruLock: Int32Array; // node * 3 + zoneType (2.5-zone)
  readonly pagemapLruLock: number;
  readonly ptl: Int32Array; // by cpu
  readonly callers: Record<'rmqueue' | 'free' | 'lruAdd' | 'lruDel' | 'rmapAdd' | 'rmapDel' | 'fault' | 'zap', number>;
}

class PageFaultNode implements LogicalProcess, LockUser {
  readonly mem: NodeMemory;
  readonly home: SpinlockHome;
  readonly client: SpinlockClient;
  private readonly rng: Rng;
  private readonly first: number;
  private readonly n: number;
  private readonly P: number;
  private rr = 0;
  // Per CPU of this node, indexed by cpu − first ("i").
  private readonly prog: Int32Array;
  private readonly page: Int32Array; // page index within the cycle
  private readonly pageNode: Int32Array; // [i * P + k]; frame −1: the fault found no page
  private readonly pageFrame: Int32Array;
  private readonly faultStart: Float64Array;
  private readonly pos: Int32Array; // zonelist walk: position, pass, running minimum, rotation
  private readonly pass: Int32Array;
  private readonly runMin: Float64Array;
  private readonly rotation: Int32Array;
  private readonly opLock: Int32Array; // the pending or held lock and what to do under it
  private readonly opCaller: Int32Array;
  private readonly opCode: Int32Array;
  private readonly opArg: Int32Array;
  private readonly opHold: Float64Array;
  private readonly opNext: Int32Array;
  private readonly opResult: Int32Array;
  private readonly opPending: Int32Array;
  private readonly pvCount: Int32Array; // pagevec: pages in it, their indices, the drain's place
  private readonly pvIdx: Int32Array; // [i * 16 + j]: page index k
  private readonly pvDone: Int32Array;
  private readonly pvEnd: Int32Array;
  private readonly pvOp: Int32Array;
  private readonly pvNext: Int32Array;
  // Statistics (observation only: nothing the model decides reads them).
  readonly faults: Float64Array;
  cycles = 0;
  allocationFailures = 0;
  zonesVisited = 0;
  kswapdWakeups = 0;
  kmapAtomic = 0;
  readonly numastat: Float64Array; // [node * 5]: hit, miss, foreign, local, other
  readonly latencyHist = new Float64Array(HIST_BUCKETS);
  latencyTotal = 0;
  latencyMax = 0;

  constructor(
    private readonly kernel: Kernel,
    readonly node: number,
    private readonly s: Shared,
  ) {
    const t = s.topo;
    this.n = t.nodes;
    this.rng = new Rng(s.cfg.seed, node);
    this.first = t.firstCpu(node);
    this.P = s.cfg.pagesPerCycle;
    this.mem = new NodeMemory(s.maps[node]);
    this.home = new SpinlockHome(kernel, t, s.locks, this.rng);
    this.client = new SpinlockClient(kernel, t, s.locks, new LockStats(s.registry.lockCount, s.registry.callerCount), this);
    const c = t.cpusPerNode;
    const i32 = (n: number) => new Int32Array(n);
    const f64 = (n: number) => new Float64Array(n);
    this.prog = i32(c);
    this.page = i32(c);
    this.pageNode = i32(c * this.P);
    this.pageFrame = i32(c * this.P);
    this.faultStart = f64(c);
    this.pos = i32(c);
    this.pass = i32(c);
    this.runMin = f64(c);
    this.rotation = i32(c);
    this.opLock = i32(c).fill(-1);
    this.opCaller = i32(c);
    this.opCode = i32(c);
    this.opArg = i32(c);
    this.opHold = f64(c);
    this.opNext = i32(c);
    this.opResult = i32(c);
    this.opPending = i32(c);
    this.pvCount = i32(c);
    this.pvIdx = i32(c * PAGEVEC_SIZE);
    this.pvDone = i32(c);
    this.pvEnd = i32(c);
    this.pvOp = i32(c);
    this.pvNext = i32(c);
    this.faults = f64(c);
    this.numastat = f64(this.n * 5);
  }

  start(lp: number): void {
    for (let i = 0; i < this.s.topo.cpusPerNode; i++) {
      this.prog[i] = P_CYCLE;
      this.kernel.post(lp, lp, this.s.think.sample(this.rng), EV_STEP, this.first + i, 0, 0);
    }
  }

  handle(kind: number, a: number, b: number, c: number): void {
    switch (kind) {
      case EV_STEP:
        this.step(a);
        return;
      case EV_PROBE:
        this.probe(a, b & 0xfffff, (b >>> 20) & 1, b >>> 21, c);
        return;
      case EV_PROBE_REPLY:
        this.probeReply(a, b & 0xfffff, b >>> 20 === 1, c);
        return;
      case EV_OP: {
        const cpuNode = this.s.topo.cpuNode[a];
        const result = this.doOp(b & 15, (b >>> 4) as ZoneType, c);
        this.kernel.send(this.s.topo.nodeLp[cpuNode], this.s.topo.hopNs(this.node, cpuNode), EV_OP_REPLY, a, result, 0);
        return;
      }
      case EV_OP_REPLY:
        this.opReply(a, b);
        return;
      case EV_KSWAPD_WAKE:
        this.kswapdWakeups++;
        return;
      default:
        if (SpinlockHome.handles(kind)) this.home.handle(kind, a, b, c);
        else this.client.handle(kind, a, b, c);
    }
  }

  /** Runs a CPU's program from its current step until it has to wait for time, a lock or an answer. */
  private step(cpu: number): void {
    const i = cpu - this.first;
    const s = this.s;
    const costs = s.cfg.costs;
    for (;;) {
      switch (this.prog[i]) {
        case P_CYCLE:
          this.page[i] = 0;
          this.prog[i] = P_FAULT;
          continue;
        case P_FAULT:
          this.faultStart[i] = this.kernel.now;
          this.startWalk(i);
          this.prog[i] = P_WALK;
          this.after(cpu, costs.pageFaultNs);
          return;
        case P_WALK:
          this.walk(i, cpu);
          return;
        case P_TAKEN: {
          if (this.opResult[i] < 0) {
            this.pos[i]++; // the zone ran dry between probe and lock: on down the list, as the kernel's loop goes
            this.prog[i] = P_WALK;
            continue;
          }
          const zl = this.zonelistOf(i);
          const served = zl[this.pos[i]].node;
          this.pageNode[i * this.P + this.page[i]] = served;
          this.pageFrame[i * this.P + this.page[i]] = this.opResult[i];
          this.countNumaStat(served, zl[0].node);
          this.prog[i] = P_CLEAR;
          continue;
        }
        case P_CLEAR: {
          // clear_user_highpage: a highmem page is cleared through kmap_atomic (KM_USER0): one
          // per-CPU pte and one invlpg, no lock. Clearing a remote page costs remote bandwidth.
          const k = this.page[i];
          const remote = this.pageNode[i * this.P + k] !== this.node;
          let ns = remote ? Math.round((costs.pageClearNs * costs.memRemoteNs) / costs.memLocalNs) : costs.pageClearNs;
          if (this.zoneTypeOfPage(i, k) === ZONE_HIGHMEM) {
            this.kmapAtomic++;
            ns += costs.tlbFlushOneNs;
          }
          this.prog[i] = P_MAP;
          this.after(cpu, ns);
          return;
        }
        case P_MAP:
          this.lockedOp(i, cpu, s.ptl[cpu], s.callers.fault, OP_NONE, 0, costs.pteSetNs, s.cfg.lru === 'rmap' ? P_RMAP_ADD : P_LRU_ADD);
          return;
        case P_RMAP_ADD:
          this.lockedOp(i, cpu, s.pagemapLruLock, s.callers.rmapAdd, OP_NONE, 0, costs.rmapOpNs, P_LRU_ADD);
          return;
        case P_LRU_ADD:
          if (s.cfg.pagevec) {
            this.pvIdx[i * PAGEVEC_SIZE + this.pvCount[i]++] = this.page[i];
            if (this.pvCount[i] === PAGEVEC_SIZE) this.startDrain(i, OP_LRU_ADD, P_FAULT_DONE);
            else this.prog[i] = P_FAULT_DONE;
            continue;
          }
          this.lockedOp(i, cpu, this.lruLockOf(i, this.page[i]), s.callers.lruAdd, OP_LRU_ADD, this.page[i], costs.lruListOpNs, P_FAULT_DONE);
          return;
        case P_FAULT_DONE: {
          const lat = this.kernel.now - this.faultStart[i];
          this.latencyHist[histBucket(lat)]++;
          this.latencyTotal += lat;
          if (lat > this.latencyMax) this.latencyMax = lat;
          this.faults[i]++;
          if (++this.page[i] < this.P) {
            this.prog[i] = P_FAULT;
            continue;
          }
          this.page[i] = 0;
          if (s.cfg.pagevec && this.pvCount[i] > 0) this.startDrain(i, OP_LRU_ADD, P_UNMAP);
          else this.prog[i] = P_UNMAP;
          continue;
        }
        case P_UNMAP:
          if (this.pageFrame[i * this.P + this.page[i]] < 0) {
            this.prog[i] = P_UNMAP_NEXT; // that fault found no page
            continue;
          }
          this.lockedOp(i, cpu, s.ptl[cpu], s.callers.zap, OP_NONE, 0, costs.pteSetNs, s.cfg.lru === 'rmap' ? P_RMAP_DEL : P_LRU_DEL);
          return;
        case P_RMAP_DEL:
          this.lockedOp(i, cpu, s.pagemapLruLock, s.callers.rmapDel, OP_NONE, 0, costs.rmapOpNs, P_LRU_DEL);
          return;
        case P_LRU_DEL:
          if (s.cfg.pagevec) {
            // Off the LRU 16 at a time (release_pages), then back to the buddy allocator one by one.
            this.pvIdx[i * PAGEVEC_SIZE + this.pvCount[i]++] = this.page[i];
            if (this.pvCount[i] === PAGEVEC_SIZE || this.lastMappedPage(i)) this.startDrain(i, OP_LRU_DEL, P_FREE_PV);
            else this.prog[i] = P_UNMAP_NEXT;
            continue;
          }
          this.lockedOp(i, cpu, this.lruLockOf(i, this.page[i]), s.callers.lruDel, OP_LRU_DEL, this.page[i], costs.lruListOpNs, P_FREE);
          return;
        case P_FREE:
          this.freePage(i, cpu, this.page[i], P_UNMAP_NEXT);
          return;
        case P_FREE_PV: {
          const j = this.pvNext[i]++;
          if (j < this.pvCount[i]) {
            this.freePage(i, cpu, this.pvIdx[i * PAGEVEC_SIZE + j], P_FREE_PV);
            return;
          }
          this.pvCount[i] = 0;
          this.prog[i] = P_UNMAP_NEXT;
          continue;
        }
        case P_UNMAP_NEXT:
          if (++this.page[i] < this.P) {
            this.prog[i] = P_UNMAP;
            continue;
          }
          this.cycles++;
          this.prog[i] = P_CYCLE;
          this.after(cpu, s.think.sample(this.rng));
          return;
        case P_LOCK:
          this.prog[i] = P_OP_WAIT;
          this.client.acquire(cpu, this.opLock[i], this.opCaller[i], false);
          return;
        case P_OP_RELEASE:
          this.client.release(cpu, this.opLock[i]);
          this.opLock[i] = -1;
          this.prog[i] = this.opNext[i];
          continue;
        case P_DRAIN:
          if (this.drain(i, cpu)) continue;
          return;
        case P_DRAIN_RELEASE:
          this.client.release(cpu, this.opLock[i]);
          this.opLock[i] = -1;
          this.pvDone[i] = this.pvEnd[i];
          this.prog[i] = P_DRAIN;
          continue;
        default:
          invariant(false, `CPU ${cpu} is at step ${this.prog[i]}, which has no handler`);
      }
    }
  }

  private after(cpu: number, delayNs: number): void {
    this.kernel.schedule(delayNs, EV_STEP, cpu, 0, 0);
  }

  /** True when no page after the current one in this cycle still has to be unmapped. */
  private lastMappedPage(i: number): boolean {
    for (let k = this.page[i] + 1; k < this.P; k++) if (this.pageFrame[i * this.P + k] >= 0) return false;
    return true;
  }

  private freePage(i: number, cpu: number, k: number, next: number): void {
    const node = this.pageNode[i * this.P + k];
    this.lockedOp(i, cpu, this.s.zoneLock[node * 3 + this.zoneTypeOfPage(i, k)], this.s.callers.free, OP_FREE, k, this.s.cfg.costs.buddyOpNs, next);
  }

  // --- zonelist walk ----------------------------------------------------------------------------

  private zonelistOf(i: number): ZoneRef[] {
    return this.s.zonelists[this.node * this.n + this.rotation[i]];
  }

  private startWalk(i: number): void {
    this.pos[i] = 0;
    this.pass[i] = PASS_LOW;
    this.runMin[i] = 1; // 1 << order
    this.rotation[i] = this.s.cfg.zonelist === 'round-robin' ? this.rr++ % this.n : this.node;
  }

  /** Looks at local zones in zonelist order; a remote zone means a probe, a zone to use means rmqueue. */
  private walk(i: number, cpu: number): void {
    const zl = this.zonelistOf(i);
    const visitNs = this.s.cfg.costs.zoneVisitNs;
    let visits = 0;
    for (;;) {
      if (this.pos[i] >= zl.length) {
        if (this.pass[i] === PASS_LOW) {
          // Past the low pass: wake kswapd of the class zone's node, then the min pass.
          const cz = zl[0];
          this.kernel.send(this.s.topo.nodeLp[cz.node], this.s.topo.hopNs(this.node, cz.node), EV_KSWAPD_WAKE, cz.type, 0, 0);
          this.pass[i] = PASS_MIN;
          this.pos[i] = 0;
          this.runMin[i] = 1;
          continue;
        }
        this.zonesVisited += visits;
        this.allocationFailures++;
        this.pageFrame[i * this.P + this.page[i]] = -1;
        this.prog[i] = P_FAULT_DONE;
        this.after(cpu, visits * visitNs);
        return;
      }
      const ref = zl[this.pos[i]];
      if (ref.node !== this.node) {
        this.zonesVisited += visits;
        this.prog[i] = P_OP_WAIT;
        const b = this.pos[i] | (this.pass[i] << 20) | (this.rotation[i] << 21);
        this.kernel.send(this.s.topo.nodeLp[ref.node], this.s.topo.hopNs(this.node, ref.node) + visits * visitNs, EV_PROBE, cpu, b, this.runMin[i]);
        return;
      }
      visits++;
      const st = zoneStep(this.mem.zone(ref.type), PASSES[this.pass[i]], false, this.runMin[i]);
      this.runMin[i] = st.min;
      if (st.take) {
        this.zonesVisited += visits;
        this.lockedOp(i, cpu, this.s.zoneLock[ref.node * 3 + ref.type], this.s.callers.rmqueue, OP_RMQUEUE, ref.type, this.s.cfg.costs.buddyOpNs, P_TAKEN, visits * visitNs);
        return;
      }
      this.pos[i]++;
    }
  }

  /** At a zone's owner: look at the consecutive zones this node owns and say where the walk stands. */
  private probe(cpu: number, pos: number, pass: number, rotation: number, min: number): void {
    const cpuNode = this.s.topo.cpuNode[cpu];
    const zl = this.s.zonelists[cpuNode * this.n + rotation];
    let visits = 0;
    let take = 0;
    while (pos < zl.length && zl[pos].node === this.node) {
      visits++;
      const st = zoneStep(this.mem.zone(zl[pos].type), PASSES[pass], false, min);
      min = st.min;
      if (st.take) {
        take = 1;
        break;
      }
      pos++;
    }
    this.zonesVisited += visits;
    const delay = this.s.topo.hopNs(this.node, cpuNode) + visits * this.s.cfg.costs.zoneVisitNs;
    this.kernel.send(this.s.topo.nodeLp[cpuNode], delay, EV_PROBE_REPLY, cpu, pos | (take << 20), min);
  }

  private probeReply(cpu: number, pos: number, take: boolean, min: number): void {
    const i = cpu - this.first;
    this.pos[i] = pos;
    this.runMin[i] = min;
    if (!take) {
      this.prog[i] = P_WALK;
      this.step(cpu);
      return;
    }
    const ref = this.zonelistOf(i)[pos];
    this.lockedOp(i, cpu, this.s.zoneLock[ref.node * 3 + ref.type], this.s.callers.rmqueue, OP_RMQUEUE, ref.type, this.s.cfg.costs.buddyOpNs, P_TAKEN);
  }

  // --- work under a lock ------------------------------------------------------------------------

  /**
   * Takes `lock` (after `delayNs`, if any), applies `op` to the data it concerns — here, or on its
   * node by a message there and back while the lock is held — holds for `holdNs`, releases, and
   * goes on at `next`. `arg` is a zone type for rmqueue, a page index within the cycle otherwise.
   */
  private lockedOp(i: number, cpu: number, lock: number, caller: number, op: number, arg: number, holdNs: number, next: number, delayNs = 0): void {
    this.opLock[i] = lock;
    this.opCaller[i] = caller;
    this.opCode[i] = op;
    this.opArg[i] = arg;
    this.opHold[i] = holdNs;
    this.opNext[i] = next;
    if (delayNs > 0) {
      this.prog[i] = P_LOCK;
      this.after(cpu, delayNs);
      return;
    }
    this.prog[i] = P_OP_WAIT;
    this.client.acquire(cpu, lock, caller, false);
  }

  lockAcquired(cpu: number): void {
    const i = cpu - this.first;
    if (this.prog[i] === P_DRAIN_WAIT) {
      this.drainLocked(i, cpu);
      return;
    }
    invariant(this.prog[i] === P_OP_WAIT, `CPU ${cpu} got a lock it was not waiting for`);
    const op = this.opCode[i];
    if (op === OP_NONE) {
      this.holdThenRelease(i, cpu, P_OP_RELEASE, this.opHold[i]);
      return;
    }
    let node: number;
    let type: ZoneType = ZONE_NORMAL;
    let frame = -1;
    if (op === OP_RMQUEUE) {
      node = this.zonelistOf(i)[this.pos[i]].node;
      type = this.opArg[i] as ZoneType;
    } else {
      node = this.pageNode[i * this.P + this.opArg[i]];
      frame = this.pageFrame[i * this.P + this.opArg[i]];
    }
    if (node === this.node) {
      this.opResult[i] = this.doOp(op, type, frame);
      this.holdThenRelease(i, cpu, P_OP_RELEASE, this.opHold[i]);
      return;
    }
    this.opPending[i] = 1;
    this.kernel.send(this.s.topo.nodeLp[node], this.s.topo.hopNs(this.node, node), EV_OP, cpu, op | (type << 4), frame);
  }

  lockRefused(): void {
    invariant(false, 'page-fault takes no trylocks');
  }

  private opReply(cpu: number, result: number): void {
    const i = cpu - this.first;
    if (this.prog[i] === P_DRAIN_WAIT) {
      if (--this.opPending[i] === 0) this.holdThenRelease(i, cpu, P_DRAIN_RELEASE, this.opHold[i]);
      return;
    }
    this.opResult[i] = result;
    this.holdThenRelease(i, cpu, P_OP_RELEASE, this.opHold[i]);
  }

  private holdThenRelease(i: number, cpu: number, releaseStep: number, holdNs: number): void {
    this.prog[i] = releaseStep;
    this.after(cpu, holdNs);
  }

  /** Applies an operation to this node's memory; answers a frame for rmqueue, 0 otherwise. */
  private doOp(op: number, type: ZoneType, frame: number): number {
    switch (op) {
      case OP_RMQUEUE:
        return this.mem.rmqueue(type);
      case OP_FREE:
        this.mem.free(frame);
        return 0;
      case OP_LRU_ADD:
        this.mem.lruAdd(frame);
        return 0;
      case OP_LRU_DEL:
        this.mem.lruDel(frame);
        return 0;
    }
    return 0;
  }

  private lruLockOf(i: number, k: number): number {
    if (this.s.cfg.lru !== '2.5-zone') return this.s.pagemapLruLock;
    const node = this.pageNode[i * this.P + k];
    return this.s.zoneLruLock[node * 3 + this.zoneTypeOfPage(i, k)];
  }

  private zoneTypeOfPage(i: number, k: number): ZoneType {
    const node = this.pageNode[i * this.P + k];
    const mem = node === this.node ? this.mem.map : this.s.maps[node];
    const frame = this.pageFrame[i * this.P + k];
    for (const z of mem.zones) if (frame >= z.start && frame < z.start + z.pages) return z.type;
    invariant(false, `page ${frame} of node ${node} is in no zone`);
  }

  // --- pagevecs ---------------------------------------------------------------------------------

  private startDrain(i: number, op: number, next: number): void {
    this.pvOp[i] = op;
    this.pvDone[i] = 0;
    this.pvNext[i] = 0;
    this.opNext[i] = next;
    this.prog[i] = P_DRAIN;
  }

  /**
   * The next group of pagevec pages that share an LRU lock (all of them under the one global
   * lock; per zone under 2.5's zone->lru_lock): ask for its lock. Returns true when the drain is
   * over and the program goes on.
   */
  private drain(i: number, cpu: number): boolean {
    const base = i * PAGEVEC_SIZE;
    if (this.pvDone[i] >= this.pvCount[i]) {
      if (this.pvOp[i] === OP_LRU_ADD) this.pvCount[i] = 0;
      this.prog[i] = this.opNext[i];
      return true;
    }
    const lock = this.lruLockOf(i, this.pvIdx[base + this.pvDone[i]]);
    let end = this.pvDone[i] + 1;
    while (end < this.pvCount[i] && this.lruLockOf(i, this.pvIdx[base + end]) === lock) end++;
    this.pvEnd[i] = end;
    this.opLock[i] = lock;
    this.prog[i] = P_DRAIN_WAIT;
    this.client.acquire(cpu, lock, this.pvOp[i] === OP_LRU_ADD ? this.s.callers.lruAdd : this.s.callers.lruDel, false);
    return false;
  }

  /** With the group's lock held: every page's list operation, here or by message to its node. */
  private drainLocked(i: number, cpu: number): void {
    const base = i * PAGEVEC_SIZE;
    let remote = 0;
    for (let j = this.pvDone[i]; j < this.pvEnd[i]; j++) {
      const k = this.pvIdx[base + j];
      const node = this.pageNode[i * this.P + k];
      const frame = this.pageFrame[i * this.P + k];
      if (node === this.node) this.doOp(this.pvOp[i], ZONE_NORMAL, frame);
      else {
        remote++;
        this.kernel.send(this.s.topo.nodeLp[node], this.s.topo.hopNs(this.node, node), EV_OP, cpu, this.pvOp[i] | (ZONE_NORMAL << 4), frame);
      }
    }
    this.opHold[i] = this.s.cfg.costs.lruListOpNs * (this.pvEnd[i] - this.pvDone[i]);
    if (remote === 0) this.holdThenRelease(i, cpu, P_DRAIN_RELEASE, this.opHold[i]);
    else this.opPending[i] = remote;
  }

  private countNumaStat(servedBy: number, preferred: number): void {
    const st = this.numastat;
    if (servedBy === preferred) st[servedBy * 5]++;
    else {
      st[servedBy * 5 + 1]++;
      st[preferred * 5 + 2]++;
    }
    if (servedBy === this.node) st[servedBy * 5 + 3]++;
    else st[servedBy * 5 + 4]++;
  }
}

export function buildPageFault(kernelFor: (lookaheadNs: number) => Kernel, cfg: PageFaultConfig): Model {
  const topo = new Topology(cfg);
  const maps = memoryMap(cfg.layout, cfg.nodes, cfg.memPerNodeMiB);
  const registry = new LockRegistry();
  const policy: ('tas' | 'ticket')[] = [];
  const homes: number[] = [];
  const addLock = (name: string, cls: string, home: number) => {
    policy.push(cfg.spinlock);
    homes.push(home);
    return registry.addLock(name, cls, home);
  };
  const zoneLock = new Int32Array(cfg.nodes * 3).fill(-1);
  const zoneLruLock = new Int32Array(cfg.nodes * 3).fill(-1);
  for (const m of maps) {
    for (const z of m.zones) {
      const where = `node${m.node}/${ZONE_NAMES[z.type]}`;
      zoneLock[m.node * 3 + z.type] = addLock(`zone->lock[${where}]`, 'zone->lock', m.node);
      if (cfg.lru === '2.5-zone') zoneLruLock[m.node * 3 + z.type] = addLock(`zone->lru_lock[${where}]`, 'zone->lru_lock', m.node);
    }
  }
  const pagemapLruLock = cfg.lru === '2.5-zone' ? -1 : addLock('pagemap_lru_lock', 'pagemap_lru_lock', 0);
  const ptl = Int32Array.from({ length: topo.cpus }, (_, c) => addLock(`mm->page_table_lock[cpu${c}]`, 'mm->page_table_lock', topo.cpuNode[c]));
  const callers = {
    rmqueue: registry.caller('rmqueue'),
    free: registry.caller('__free_pages_ok'),
    lruAdd: registry.caller('lru_cache_add'),
    lruDel: registry.caller('lru_cache_del'),
    rmapAdd: registry.caller('page_add_rmap'),
    rmapDel: registry.caller('page_remove_rmap'),
    fault: registry.caller('do_anonymous_page'),
    zap: registry.caller('zap_page_range'),
  };
  registry.freeze();
  const highest: ZoneType = cfg.layout === 'x86_64' ? ZONE_NORMAL : ZONE_HIGHMEM;
  const has = (node: number, type: ZoneType) => maps[node].zones.some((z) => z.type === type);
  const zonelists: ZoneRef[][] = [];
  for (let local = 0; local < cfg.nodes; local++) {
    for (let r = 0; r < cfg.nodes; r++) zonelists.push(buildZonelist(cfg.zonelist, local, highest, cfg.distances, has, r).zones);
  }
  const shared: Shared = {
    cfg,
    topo,
    maps,
    registry,
    locks: { policy, homeNode: homes, tasLocalBias: cfg.tasLocalBias, handoff: { sameCpu: 0, sameNode: cfg.costs.lineSameNodeNs, remote: cfg.costs.lineRemoteNs } },
    zonelists,
    think: new DurationSampler(cfg.thinkNs),
    zoneLock,
    zoneLruLock,
    pagemapLruLock,
    ptl,
    callers,
  };
  const kernel = kernelFor(topo.lookaheadNs);
  const nodes: PageFaultNode[] = [];
  for (let n = 0; n < cfg.nodes; n++) {
    const lp = new PageFaultNode(kernel, n, shared);
    nodes.push(lp);
    lp.start(kernel.addLp(lp));
  }
  return {
    kernel,
    topology: topo,
    registry,
    lockStats: () => nodes.map((n) => n.client.stats),
    checkInvariants: () => nodes.forEach((n) => n.mem.checkInvariants()),
    memory: (): MemoryReport => {
      const numastat: NumaStat[] = Array.from({ length: cfg.nodes }, (_, node) => ({ node, numaHit: 0, numaMiss: 0, numaForeign: 0, localNode: 0, otherNode: 0 }));
      for (const lp of nodes) {
        for (let node = 0; node < cfg.nodes; node++) {
          const st = numastat[node];
          st.numaHit += lp.numastat[node * 5];
          st.numaMiss += lp.numastat[node * 5 + 1];
          st.numaForeign += lp.numastat[node * 5 + 2];
          st.localNode += lp.numastat[node * 5 + 3];
          st.otherNode += lp.numastat[node * 5 + 4];
        }
      }
      return {
        layout: cfg.layout,
        bytesPerFrame: BYTES_PER_FRAME,
        zones: nodes.flatMap((lp) =>
          lp.mem.zones.map((z, zi) => ({
            node: lp.node,
            zone: z.name,
            pages: z.pages,
            freePages: z.freePages,
            watermarks: { min: z.pagesMin, low: z.pagesLow, high: z.pagesHigh },
            allocations: z.allocations,
            frees: z.frees,
            lruActive: lp.mem.lru[zi].nrActive,
            lruInactive: lp.mem.lru[zi].nrInactive,
          })),
        ),
        numastat,
        kswapdWakeups: nodes.reduce((s, n) => s + n.kswapdWakeups, 0),
        zonesVisited: nodes.reduce((s, n) => s + n.zonesVisited, 0),
        kmapAtomic: nodes.reduce((s, n) => s + n.kmapAtomic, 0),
      };
    },
    result: (simulatedNs): PageFaultResult => {
      const hist = new Float64Array(HIST_BUCKETS);
      let total = 0;
      let max = 0;
      for (const lp of nodes) {
        for (let b = 0; b < HIST_BUCKETS; b++) hist[b] += lp.latencyHist[b];
        total += lp.latencyTotal;
        max = Math.max(max, lp.latencyMax);
      }
      const perNode = nodes.map((lp) => ({ node: lp.node, faults: lp.faults.reduce((a, b) => a + b, 0) }));
      const faults = perNode.reduce((a, n) => a + n.faults, 0);
      return {
        kind: 'page-fault',
        faults,
        faultsPerSecond: (faults * 1e9) / simulatedNs,
        cycles: nodes.reduce((s, n) => s + n.cycles, 0),
        allocationFailures: nodes.reduce((s, n) => s + n.allocationFailures, 0),
        faultLatencyNs: {
          mean: faults > 0 ? Math.round((total / faults) * 1000) / 1000 : 0,
          p50: histQuantile(hist, 0.5, 0, max),
          p99: histQuantile(hist, 0.99, 0, max),
          max,
        },
        perNode,
      };
    },
  };
}
