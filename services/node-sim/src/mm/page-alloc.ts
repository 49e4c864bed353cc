/**
 * `__alloc_pages`' zonelist walk, after Linux 2.4.18 mm/page_alloc.c, for allocations the node's
 * CPUs make one page at a time: the `low` pass over the zonelist, kswapd woken on the class zone's
 * node, the `min` pass; a zone chosen is then taken from under its `zone->lock` by the node
 * (`rmqueue`, zone.ts). The per-zone decision is alloc-passes.ts's `zoneStep`.
 *
 * Cross-node: the walk looks at this node's zones itself; at a zone of another node it sends a
 * probe there (the running minimum travels with it), the owner looks at its consecutive zones and
 * answers where the walk stands (docs/MEMORY-MODEL.md, pattern 2).
 *
 * Locking rule: the walk reads `free_pages` without `zone->lock`, as 2.4 does; only rmqueue takes it.
 * With `zonelist=round-robin` (2.4.16–2.4.18 mm/numa.c `_alloc_pages` without CONFIG_NUMA) each
 * allocation first takes the global `node_lock` (spin_lock_irqsave), reads the static `next` node
 * and advances it, and walks from that node: `next` is kernel data on node 0, so node 0's LP keeps
 * it (`nodeNext`) and the walk's start comes back as the answer of a locked operation there
 * (docs/SOURCES.md#node-lock). The kernel's list runs down pgdat_list (the last node initialised
 * first); the model's rotation runs up the node numbers, the same on a symmetric machine.
 *
 * Left out: the PF_MEMALLOC pass and the direct-reclaim retry loop (the node waits for reclaim
 * instead, vmscan.ts), orders above 0, and the atomic allocations' quarter of pages_min.
 */
import type { Kernel } from '../engine/kernel.js';
import { invariant } from '../errors.js';
import { zoneStep } from './alloc-passes.js';
import { EV_KSWAPD_WAKE, EV_PROBE, EV_PROBE_REPLY, OP_NODE_NEXT, OP_RMQUEUE, PASSES, PASS_LOW, PASS_MIN, P_FAULT_DONE, P_OP_WAIT, P_RECLAIM_WAIT, P_TAKEN, P_WALK } from './mm-protocol.js';
import { LINES_BUDDY, type MmShared } from './mm-shared.js';
import type { NodeCore } from './node-services.js';
import type { NodeMemory } from './node-memory.js';
import type { ZoneRef } from './zonelist.js';

/** What a walk step ends in: a local zone to take from, a probe sent to another node, or every pass exhausted. */
const WALK_TAKE = 0;
const WALK_PROBE = 1;
const WALK_EXHAUSTED = 2;
/** node_lock's section writes `next`, which the previous holder wrote: one line carried. */
const LINES_NODE_NEXT = 1;

export class PageAlloc {
  /** Per CPU index: position in the zonelist, pass, running minimum, and the zonelist (rotation). */
  private readonly pos: Int32Array;
  private readonly pass: Int32Array;
  private readonly runMin: Float64Array;
  private readonly rotation: Int32Array;
  /** Per CPU index: 1 while the walk's start must still be fetched under node_lock, 2 while it is fetched. */
  private readonly needNext: Uint8Array;
  /** 2.4 mm/numa.c's static `next` (node 0 only: kernel data there). */
  private next = 0;
  private readonly n: number;
  private readonly kernel: Kernel;
  private readonly node: number;
  private readonly s: MmShared;
  private readonly mem: NodeMemory;
  /** Zones the last `walk` looked at (its delay is that many zone visits). */
  private visits = 0;
  // Statistics (observation only).
  zonesVisited = 0;
  /** [node * 5]: hit, miss, foreign, local, other. */
  readonly numastat: Float64Array;

  constructor(
    private readonly lp: NodeCore,
    threads: number,
  ) {
    this.kernel = lp.kernel;
    this.node = lp.node;
    this.s = lp.s;
    this.mem = lp.mem;
    this.n = lp.s.topo.nodes;
    this.pos = new Int32Array(threads);
    this.pass = new Int32Array(threads);
    this.runMin = new Float64Array(threads);
    this.rotation = new Int32Array(threads);
    this.needNext = new Uint8Array(threads);
    this.numastat = new Float64Array(this.n * 5);
  }

  private zonelistOf(i: number): ZoneRef[] {
    return this.s.zonelists[this.node * this.n + this.rotation[i]];
  }

  /** The zone the walk of CPU index `i` stands at. */
  zoneAt(i: number): ZoneRef {
    return this.zonelistOf(i)[this.pos[i]];
  }

  /** The zone ran dry between the probe and its lock: on down the list, as the kernel's loop goes. */
  skipZone(i: number): void {
    this.pos[i]++;
  }

  /** The preferred node of the walk of CPU index `i`: its class zone's. */
  preferredNode(i: number): number {
    return this.zonelistOf(i)[0].node;
  }

  start(i: number): void {
    this.pos[i] = 0;
    this.pass[i] = PASS_LOW;
    this.runMin[i] = 1; // 1 << order
    this.rotation[i] = this.node;
    this.needNext[i] = this.s.nodeLock >= 0 ? 1 : 0;
  }

  /**
   * Under node_lock on node 0: `temp = next; next = next->node_next` (wrapping). The hold is the
   * section's few instructions with interrupts off (`lockAtomicNs`, A) and the `next` line the
   * previous holder wrote (one line carried with the lock); `next->node_next` is read-mostly and cached.
   */
  nodeNext(): number {
    invariant(this.node === this.s.kernelDataNode, `node_lock's next pointer lives on node ${this.s.kernelDataNode}, not ${this.node}`);
    const r = this.next;
    this.next = (r + 1) % this.n;
    return r;
  }

  /**
   * The P_WALK step of CPU index `i`: on along the zonelist to a zone to take a page from (rmqueue
   * under its zone->lock, then P_TAKEN), a probe to another node, or, every pass exhausted, a wait
   * for reclaim or a failed allocation.
   */
  run(i: number, cpu: number): void {
    const lp = this.lp;
    if (this.needNext[i] !== 0) {
      if (this.needNext[i] === 1) {
        this.needNext[i] = 2;
        const s = this.s;
        lp.lockedOp(i, cpu, s.nodeLock, s.callers._alloc_pages, OP_NODE_NEXT, s.kernelDataNode, 0, s.cfg.costs.lockAtomicNs, LINES_NODE_NEXT, P_WALK);
        return;
      }
      this.rotation[i] = lp.opResult[i];
      this.needNext[i] = 0;
    }
    const r = this.walk(i, cpu);
    const delayNs = this.visits * this.s.cfg.costs.zoneVisitNs;
    if (r === WALK_TAKE) {
      this.rmqueue(i, cpu, this.zoneAt(i), delayNs);
      return;
    }
    if (r === WALK_PROBE) {
      lp.prog[i] = P_OP_WAIT;
      return;
    }
    if (lp.outOfMemory(cpu, this.preferredNode(i), lp.reclaimWaits[i]++)) {
      lp.prog[i] = P_RECLAIM_WAIT;
      return;
    }
    lp.allocationFailures++;
    lp.pageFrame[i * lp.S + lp.slot[i]] = -1;
    lp.prog[i] = P_FAULT_DONE;
    lp.after(cpu, delayNs);
  }

  private rmqueue(i: number, cpu: number, ref: ZoneRef, delayNs: number): void {
    const hold = this.s.cfg.costs.buddyOpNs + this.lp.structPageNs(ref.node);
    this.lp.lockedOp(i, cpu, this.s.zoneLock[ref.node * 3 + ref.type], this.s.callers.rmqueue, OP_RMQUEUE, ref.node, ref.type, hold, LINES_BUDDY, P_TAKEN, delayNs);
  }

  /** Looks at local zones in zonelist order from where the walk stands; `visits` says how many. */
  private walk(i: number, cpu: number): number {
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
        this.visits = visits;
        return WALK_EXHAUSTED;
      }
      const ref = zl[this.pos[i]];
      if (ref.node !== this.node) {
        this.zonesVisited += visits;
        const b = this.pos[i] | (this.pass[i] << 20) | (this.rotation[i] << 21);
        this.kernel.send(this.s.topo.nodeLp[ref.node], this.s.topo.hopNs(this.node, ref.node) + visits * visitNs, EV_PROBE, cpu, b, this.runMin[i]);
        this.visits = visits;
        return WALK_PROBE;
      }
      visits++;
      const st = zoneStep(this.mem.zone(ref.type), PASSES[this.pass[i]], false, this.runMin[i]);
      this.runMin[i] = st.min;
      if (st.take) {
        this.zonesVisited += visits;
        this.visits = visits;
        return WALK_TAKE;
      }
      this.pos[i]++;
    }
  }

  /** At a zone's owner: look at the consecutive zones this node owns and say where the walk stands. */
  probe(cpu: number, pos: number, pass: number, rotation: number, min: number): void {
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

  /** The probe's answer for CPU `cpu`: the walk stands at `pos`, at a zone to take from or to go on from. */
  probeReply(cpu: number, pos: number, take: boolean, min: number): void {
    const i = this.lp.idx(cpu);
    this.pos[i] = pos;
    this.runMin[i] = min;
    if (!take) {
      this.lp.prog[i] = P_WALK;
      this.lp.step(cpu);
      return;
    }
    this.rmqueue(i, cpu, this.zoneAt(i), 0);
  }

  /** numastat: a page for CPU index `i`'s walk came from `servedBy`. */
  countServed(i: number, servedBy: number): void {
    const preferred = this.preferredNode(i);
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
