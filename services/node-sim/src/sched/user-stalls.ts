/**
 * User time that depends on where memory is: a process's user CPU time is its compute plus its
 * memory stalls, and the stalls are priced by the node each of its pages lives on as seen from the
 * CPU it runs on. Follows no kernel source — it is the hardware's side: a P6 core waits out an L2
 * miss, served by local memory (`memLocalNs`) or, on NUMA-Q, across the interconnect
 * (`memRemoteNs`, interpolated by SLIT distance like the model's other miss costs).
 *
 * `cpuNs` of a process is what it takes on a machine where every miss is local (the published
 * figures it comes from are for such machines); `userStallShare` (s) of it is stalls. A slice of
 * user time `u` then costs u·(1 − s) + u·s·Σₙ wₙ·miss(cpu node, n)/memLocalNs, where wₙ is the share
 * of the process's pages on node n: its anonymous pages (where they were faulted in) and the
 * mapped file pages (its text and libraries, in the page cache where they were read).
 *
 * Simplified: every page is taken to be touched as often as every other (no hot set); the
 * interconnect's remote cache (NUMA-Q's per-quad cache of remote lines) is not in the price. A
 * process whose CPU program the scheduler moved to another node (sched-core.ts) keeps the pages it
 * had where they are; its CPU program still takes frames from its own node, but the pages it
 * faults in after the move are priced on the node it runs on, where 2.4's node-local allocation
 * would have put them (docs/MODEL.md, "The scheduler").
 */
import { lineTransferNs, type MachineConfig } from '@numasim/shared';
import type { CpuTimes } from './cpu-times.js';

export class UserStalls {
  /** Miss cost from a CPU on node a to memory on node b, over a local miss: [a * nodes + b]. */
  private readonly factor: Float64Array;
  /** Pages of each program's process on each node: [i * nodes + n]. */
  private readonly pages: Float64Array;
  private readonly total: Float64Array;
  /** Anonymous slots already counted, per program. */
  private readonly counted: Int32Array;

  constructor(
    m: MachineConfig,
    readonly share: number,
    private readonly nodes: number,
    cpusPerNode: number,
  ) {
    const mem = { ...m.costs, lineSameNodeNs: m.costs.memLocalNs, lineRemoteNs: m.costs.memRemoteNs };
    this.factor = new Float64Array(nodes * nodes);
    for (let a = 0; a < nodes; a++) for (let b = 0; b < nodes; b++) this.factor[a * nodes + b] = lineTransferNs(mem, m.distances[a][b]) / m.costs.memLocalNs;
    this.pages = new Float64Array(cpusPerNode * nodes);
    this.total = new Float64Array(cpusPerNode);
    this.counted = new Int32Array(cpusPerNode);
  }

  /** A new process image on program `i`: no pages yet. */
  reset(i: number): void {
    this.pages.fill(0, i * this.nodes, (i + 1) * this.nodes);
    this.total[i] = 0;
    this.counted[i] = 0;
  }

  /** One more page of program `i`'s process, on node `node`. */
  addPage(i: number, node: number): void {
    this.pages[i * this.nodes + node]++;
    this.total[i]++;
  }

  /**
   * Counts the anonymous pages faulted in since the last call (slots counted … used − 1 of
   * `pageNode`/`pageFrame` from `base`); `runNode`: where they count when the program runs away
   * from its node `home` (see above).
   */
  countAnon(i: number, used: number, base: number, pageNode: Int32Array, pageFrame: Int32Array, home: number, runNode: number): void {
    for (let k = this.counted[i]; k < used; k++) if (pageFrame[base + k] >= 0) this.addPage(i, runNode === home ? pageNode[base + k] : runNode);
    this.counted[i] = Math.max(this.counted[i], used);
  }

  /** A slice of `ns` user time of program `i` on a CPU of node `runNode`: its price, with its stalls counted in `times`. */
  price(i: number, ns: number, runNode: number, times: CpuTimes): number {
    const stalls = ns * this.share;
    let weighted = 1;
    let remote = 0;
    if (this.total[i] > 0) {
      weighted = 0;
      const row = runNode * this.nodes;
      for (let n = 0; n < this.nodes; n++) {
        const part = (this.pages[i * this.nodes + n] / this.total[i]) * this.factor[row + n];
        weighted += part;
        if (n !== runNode) remote += part;
      }
    }
    times.stallNs += stalls * weighted;
    times.remoteStallNs[runNode] += stalls * remote;
    return Math.round(ns - stalls + stalls * weighted);
  }
}
