/**
 * NUMA-Q's remote cache: each quad's IQ-Link board keeps the lines its CPUs fetched from other
 * quads' memory (32 MB per quad in STiNG, Lovett & Clapp, ISCA 1996; docs/SOURCES.md#remote-cache),
 * so a miss on such a line that is still there is answered on the quad's own bus, near the cost of
 * a local miss, instead of across the SCI ring. A line another quad wrote since is not there: it is
 * fetched from the home's memory (two hops) or, when a third quad holds it dirty, from that quad
 * after the home has named it (SCI's head-of-list lookup: more hops).
 *
 * The model does not track lines. It prices a miss by who wrote the line last, which the caller
 * knows from the data: a struct page is written by the quad whose CPUs use the page (NUMA-local
 * allocation), a page-cache page's count by whichever quad looked it up last, the hash chains and
 * kernel text are read-shared. Capacity: the quad's remote working set is the struct pages of its
 * frames in use, one line each; when it exceeds the cache, the hit fraction is cache / working set
 * (uniform reuse, an assumption), and a miss costs the expected value — no random draw, so the
 * cost is the same on every placement.
 *
 * Off (`remoteCacheMiB` absent or 0): every miss on another node's memory costs memNs, every dirty
 * line from another quad `lineRemoteNs`, as before.
 */
import type { MachineConfig } from '@numasim/shared';

/** Bytes of one remote-cache line (SCI's 64-byte coherence unit; the P6's own lines are 32). */
export const RC_LINE_BYTES = 64;

/** A miss's last writer when the line is read-shared (clean in every quad that wants it). */
export const WRITER_SHARED = -1;
/** A miss's last writer when any quad may have written it last, each as likely. */
export const WRITER_ANY = -2;

export class RemoteCache {
  readonly enabled: boolean;
  readonly capacityLines: number;
  readonly hitNs: number;
  readonly dirtyNs: number;
  private readonly n: number;

  constructor(
    cfg: MachineConfig,
    /** A miss by a CPU of node a on memory of node b served by that memory, ns: memNs[a * nodes + b]. */
    private readonly memNs: Float64Array,
  ) {
    const mib = cfg.remoteCacheMiB ?? 0;
    this.enabled = mib > 0 && cfg.nodes > 1;
    this.capacityLines = (mib * 1024 * 1024) / RC_LINE_BYTES;
    this.hitNs = cfg.costs.remoteCacheHitNs ?? cfg.costs.memLocalNs;
    this.dirtyNs = cfg.costs.remoteDirtyNs ?? 2 * cfg.costs.lineRemoteNs;
    this.n = cfg.nodes;
  }

  /** Fraction of remote-line misses the cache of a quad holding `workingLines` remote lines answers. */
  hitFraction(workingLines: number): number {
    return workingLines <= this.capacityLines ? 1 : this.capacityLines / workingLines;
  }

  /**
   * A miss by a CPU of quad `a` on a line homed on node `h` that quad `w` wrote last
   * (WRITER_SHARED: read-shared; WRITER_ANY: the expected cost over every quad as the writer);
   * `hit` is the quad's hit fraction (`hitFraction`).
   */
  missNs(a: number, h: number, w: number, hit: number): number {
    if (w === WRITER_ANY) {
      let sum = 0;
      for (let q = 0; q < this.n; q++) sum += this.missNs(a, h, q, hit);
      return sum / this.n;
    }
    const n = this.n;
    if (w === WRITER_SHARED || w === a) {
      if (a === h) return this.memNs[a * n + a];
      // In this quad's remote cache unless capacity pushed it out (then written back home).
      return hit * this.hitNs + (1 - hit) * this.memNs[a * n + h];
    }
    if (w === h) return this.memNs[a * n + h]; // the home quad has it: one round trip
    if (a === h) return this.memNs[a * n + w]; // our directory names the owner: one round trip to it
    return this.dirtyNs; // a third quad: the home first, then the owner
  }
}
