/**
 * User time that depends on where memory is: a process's user CPU time is its compute plus its
 * memory stalls, and the stalls are priced by the node each of its pages lives on as seen from the
 * CPU it runs on. Follows no kernel source — it is the hardware's side: a P6 core waits out an L2
 * miss, served by local memory (`memLocalNs`) or, on NUMA-Q, across the interconnect (the model's
 * `memNs`, interpolated by SLIT distance like its other miss costs) — or by the quad's remote cache.
 *
 * `cpuNs` of a process is what it takes on a machine where every miss is local (the published
 * figures it comes from are for such machines); `userStallShare` (s) of it is stalls. A slice of
 * user time `u` holds u·s / memLocalNs misses, spread over the process's pages as they are spread
 * over the nodes (every page taken to be touched as often as every other: no hot set); the slice
 * costs u·(1 − s) plus the price of those misses.
 *
 * The price of a miss on a page of node n from a CPU of node r:
 * - n = r: `memLocalNs`;
 * - no remote cache (`remoteCacheMiB` absent): memNs[r, n];
 * - a mapped file page (text, a library, in the page cache where it was read): read-shared, so it
 *   is in this quad's remote cache once any CPU of the quad has used it — `RemoteCache.missNs`
 *   with WRITER_SHARED, at the quad's hit fraction;
 * - an anonymous page (left on node n when the scheduler moved the process to quad r): the first
 *   miss on each of its lines after the move goes to the home (the process wrote it there), later
 *   ones are answered by this quad's remote cache at its hit fraction. The lines still cold are
 *   counted per process and page node (64-byte SCI lines), and forgotten when the process moves.
 *
 * Capacity: the quad's remote working set is taken as the process's remote file lines (shared by
 * the quad's CPUs) plus its remote anonymous lines once for every CPU of the quad (as if each ran a
 * process like it); the hit fraction is `RemoteCache.hitFraction` of that (uniform reuse). The
 * kernel's own remote lines (struct pages, node-costs.ts) are priced apart and not counted here.
 *
 * A process whose CPU program the scheduler moved to another node (sched-core.ts) keeps the pages it
 * had where they are; its CPU program still takes frames from its own node, but the pages it
 * faults in after the move are priced on the node it runs on, where 2.4's node-local allocation
 * would have put them (docs/MODEL.md, "The scheduler").
 */
import type { RemoteCache } from '../machine/remote-cache.js';
import { RC_LINE_BYTES, WRITER_SHARED } from '../machine/remote-cache.js';
import type { CpuTimes } from './cpu-times.js';

/** Remote-cache lines in a 4 KB page. */
const LINES_PER_PAGE = 4096 / RC_LINE_BYTES;

export class UserStalls {
  /** Pages of each program's process on each node, anonymous and mapped file: [i * nodes + n]. */
  private readonly anon: Float64Array;
  private readonly file: Float64Array;
  private readonly total: Float64Array;
  /** Lines of remote anonymous pages not yet fetched since the program last moved: [i * nodes + n]. */
  private readonly cold: Float64Array;
  /** The node each program's cold lines are counted for (−1: none yet). */
  private readonly coldFor: Int32Array;
  /** Anonymous slots already counted, per program. */
  private readonly counted: Int32Array;
  private readonly localNs: number;

  constructor(
    readonly share: number,
    private readonly nodes: number,
    private readonly cpusPerNode: number,
    /** A miss by a CPU of node a on memory of node b, ns: memNs[a * nodes + b] (mm-shared.ts). */
    private readonly memNs: Float64Array,
    private readonly rc: RemoteCache,
    memLocalNs: number,
  ) {
    this.localNs = memLocalNs;
    const per = cpusPerNode * nodes;
    this.anon = new Float64Array(per);
    this.file = new Float64Array(per);
    this.cold = new Float64Array(per);
    this.total = new Float64Array(cpusPerNode);
    this.coldFor = new Int32Array(cpusPerNode).fill(-1);
    this.counted = new Int32Array(cpusPerNode);
  }

  /** A new process image on program `i`: no pages yet. */
  reset(i: number): void {
    const b = i * this.nodes;
    this.anon.fill(0, b, b + this.nodes);
    this.file.fill(0, b, b + this.nodes);
    this.cold.fill(0, b, b + this.nodes);
    this.total[i] = 0;
    this.counted[i] = 0;
    this.coldFor[i] = -1;
  }

  /** One more mapped file page of program `i`'s process, on node `node`. */
  addFilePage(i: number, node: number): void {
    this.file[i * this.nodes + node]++;
    this.total[i]++;
  }

  /**
   * Counts the anonymous pages faulted in since the last call (slots counted … used − 1 of
   * `pageNode`/`pageFrame` from `base`); `runNode`: where they count when the program runs away
   * from its node `home` (see above).
   */
  countAnon(i: number, used: number, base: number, pageNode: Int32Array, pageFrame: Int32Array, home: number, runNode: number): void {
    for (let k = this.counted[i]; k < used; k++) {
      if (pageFrame[base + k] < 0) continue;
      const n = runNode === home ? pageNode[base + k] : runNode;
      this.anon[i * this.nodes + n]++;
      this.total[i]++;
      // Faulted in from where it runs: its lines are in this quad's caches, not cold.
    }
    this.counted[i] = Math.max(this.counted[i], used);
  }

  /** A slice of `ns` user time of program `i` on a CPU of node `runNode`: its price, with its stalls counted in `times`. */
  price(i: number, ns: number, runNode: number, times: CpuTimes): number {
    const stalls = ns * this.share;
    if (this.total[i] === 0) {
      times.stallNs += stalls;
      return Math.round(ns);
    }
    const nodes = this.nodes;
    const b = i * nodes;
    if (this.coldFor[i] !== runNode) {
      // Its first slice: what it has so far it faulted in from here. Later: a move.
      if (this.coldFor[i] < 0) this.coldFor[i] = runNode;
      else this.moved(i, runNode);
    }
    const hit = this.rc.enabled ? this.rc.hitFraction(this.remoteLines(i, runNode)) : 0;
    const misses = stalls / this.localNs;
    let cost = 0;
    let remote = 0;
    let fromCache = 0;
    for (let n = 0; n < nodes; n++) {
      const pages = this.anon[b + n] + this.file[b + n];
      if (pages === 0) continue;
      const m = (misses * pages) / this.total[i];
      if (n === runNode) {
        cost += m * this.localNs;
        continue;
      }
      const far = this.memNs[runNode * nodes + n];
      let priced: number;
      if (!this.rc.enabled) priced = m * far;
      else {
        const mFile = (m * this.file[b + n]) / pages;
        const mAnon = m - mFile;
        const coldMisses = Math.min(mAnon, this.cold[b + n]);
        this.cold[b + n] -= coldMisses;
        const warm = mFile + mAnon - coldMisses;
        // Warm lines: this quad's cache holds them (read-shared or written by this quad), as missNs prices them.
        const warmNs = warm * this.rc.missNs(runNode, n, WRITER_SHARED, hit);
        fromCache += warm * hit * this.rc.hitNs;
        priced = coldMisses * far + warmNs;
      }
      cost += priced;
      remote += priced;
    }
    times.stallNs += cost;
    times.remoteStallNs[runNode] += remote;
    times.remoteCacheStallNs += fromCache;
    return Math.round(ns - stalls + cost);
  }

  /** Program `i` now runs on `runNode`: the lines of its anonymous pages elsewhere are cold there. */
  private moved(i: number, runNode: number): void {
    const b = i * this.nodes;
    for (let n = 0; n < this.nodes; n++) this.cold[b + n] = n === runNode ? 0 : this.anon[b + n] * LINES_PER_PAGE;
    this.coldFor[i] = runNode;
  }

  /** The quad's remote working set for program `i` on `runNode`, in remote-cache lines (see above). */
  private remoteLines(i: number, runNode: number): number {
    const b = i * this.nodes;
    let file = 0;
    let anon = 0;
    for (let n = 0; n < this.nodes; n++) {
      if (n === runNode) continue;
      file += this.file[b + n];
      anon += this.anon[b + n];
    }
    return (file + anon * this.cpusPerNode) * LINES_PER_PAGE;
  }
}
