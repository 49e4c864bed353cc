/**
 * Reclaim on a modern node LP (mm/vmscan-modern.ts is the kernel side: lists, watermarks): which
 * CPU reclaims, what it does next and what each lru_lock hold moves, after Linux 6.6
 * mm/page_alloc.c (__alloc_pages_slowpath) and mm/vmscan.c (balance_pgdat, try_to_free_pages,
 * shrink_node_memcgs, shrink_lruvec, shrink_active_list, shrink_inactive_list).
 *
 * kswapd: the model has no scheduler, so the node's kswapd runs on the CPU that woke it, ahead of
 * that CPU's task (the waker's CPU, as a wake-affine placement would pick when every CPU is busy;
 * assumption) until the zone is above its high watermark or a pass frees nothing. Direct reclaim
 * runs on the allocating CPU until it has freed SWAP_CLUSTER_MAX pages (whole passes: 6.6 walks
 * every memcg per shrink_node) or a pass frees nothing (then the allocation goes ahead: no OOM).
 * The pages it frees go to the reclaiming CPU's per-CPU list (free_unref_page_list), drained to
 * the zone under zone->lock when the list reaches high.
 *
 * Per-CPU state belongs to the CPU's own events; the node's lists and free count to the node LP.
 */
import { invariant } from '../errors.js';
import { GEN_DONE, inactiveIsLow, NodeLru, SWAP_CLUSTER_MAX, watermarks } from '../mm/vmscan-modern.js';
import { OP_SHRINK_ACTIVE, OP_SHRINK_ACTIVE_PUT, OP_SHRINK_INACTIVE, OP_SHRINK_INACTIVE_PUT } from './modern-ops.js';

export const RK_NONE = 0;
export const RK_KSWAPD = 1;
export const RK_DIRECT = 2;

/** Where a reclaiming CPU is in its lruvec (`rst`). */
const R_NEXT = 0; // pick the next lruvec of the walk
const R_ACTIVE_PUT = 1; // active folios isolated and checked: put them on the inactive list
const R_INACTIVE = 2; // isolate from the inactive list
const R_FREED = 3; // shrink_folio_list done: free the folios, take lru_lock for the putback
const R_DRAIN = 4; // putback done: drain the per-CPU list while it is at high

/** What a reclaiming CPU does next: a lock operation on a memcg's lruvec, or the end of its reclaim. */
export interface ReclaimOp {
  op: number;
  memcg: number;
}

export class ModernReclaim {
  readonly lists: NodeLru;
  /** Free pages in the node's zone (NR_FREE_PAGES: per-CPU lists not counted). */
  free: number;
  readonly wm: { min: number; low: number; high: number };
  /** The CPU index running kswapd, −1 while it sleeps. */
  kswapdCpu = -1;
  /** Per CPU index: reclaim kind (RK_*), state, memcg of the walk, folios of the op, freed this reclaim / this pass. */
  readonly rk: Uint8Array;
  private readonly rst: Uint8Array;
  private readonly rm: Int32Array;
  private readonly rn: Int32Array;
  private readonly got: Float64Array;
  private readonly passGot: Float64Array;
  /** Skip the watermark check at the next refill (a direct reclaim just ended). */
  private readonly skip: Uint8Array;
  /** Per reader (CPU index): its file's generation, the first page not evicted, the pages re-read this generation. */
  readonly gen: Int32Array;
  readonly evictedTo: Int32Array;
  readonly rereadPos: Int32Array;
  /** 1 when the reader's current file had its first read here (else its pages were never cached). */
  readonly readFirst: Uint8Array;
  /** vmstat. */
  pgscanKswapd = 0;
  pgscanDirect = 0;
  pgstealKswapd = 0;
  pgstealDirect = 0;
  pgrefill = 0;
  pgdeactivate = 0;
  allocstall = 0;
  kswapdWakes = 0;

  constructor(cpus: number, memcgs: number, managedPages: number, totalPages: number) {
    this.lists = new NodeLru(memcgs);
    this.free = managedPages;
    this.wm = watermarks(managedPages, totalPages);
    this.rk = new Uint8Array(cpus);
    this.rst = new Uint8Array(cpus);
    this.rm = new Int32Array(cpus);
    this.rn = new Int32Array(cpus);
    this.got = new Float64Array(cpus);
    this.passGot = new Float64Array(cpus);
    this.skip = new Uint8Array(cpus);
    this.gen = new Int32Array(cpus);
    this.evictedTo = new Int32Array(cpus);
    this.rereadPos = new Int32Array(cpus);
    this.readFirst = new Uint8Array(cpus);
  }

  /**
   * A read pass of reader i over its file of `filePages` starts, `pages` from its end. The first
   * read of a file is a new file (the previous one's pages stay cached until reclaim takes them);
   * a first read starting mid-file (a task's random start) never had the pages before it cached,
   * and a re-read with no first read here finds nothing cached.
   */
  beginFile(i: number, firstRead: boolean, pages: number, filePages: number): void {
    if (firstRead) {
      this.gen[i]++;
      this.readFirst[i] = 1;
      this.rereadPos[i] = 0;
      this.evictedTo[i] = filePages - pages;
      return;
    }
    if (this.readFirst[i] === 0) {
      this.gen[i]++;
      this.evictedTo[i] = filePages;
    }
    this.readFirst[i] = 0;
    this.rereadPos[i] = filePages - pages;
  }

  /** Whether anything on the node's lists could be reclaimed (anonymous memory cannot: no swap). */
  private reclaimable(): boolean {
    const l = this.lists;
    for (let m = 0; m < l.lruvecs; m++) if (l.nrInactive[m] + l.nrActive[m] > 0) return true;
    return false;
  }

  /**
   * CPU index i needs a per-CPU list refill: the watermark check of get_page_from_freelist and the
   * slow path. True when the CPU now reclaims (kswapd woken onto it, or direct reclaim).
   */
  allocCheck(i: number): boolean {
    if (this.skip[i] === 1) {
      this.skip[i] = 0;
      return false;
    }
    if (this.free > this.wm.low || !this.reclaimable()) return false;
    if (this.kswapdCpu < 0) {
      this.kswapdCpu = i;
      this.kswapdWakes++;
      this.begin(i, RK_KSWAPD);
      return true;
    }
    if (this.free > this.wm.min) return false;
    this.allocstall++;
    this.begin(i, RK_DIRECT);
    return true;
  }

  private begin(i: number, kind: number): void {
    this.rk[i] = kind;
    this.rst[i] = R_NEXT;
    this.rm[i] = 0;
    this.got[i] = 0;
    this.passGot[i] = 0;
  }

  /**
   * The next lock operation of reclaiming CPU i (`pcpDrain`: pages its per-CPU list should drain
   * now), or null when its reclaim is over (the CPU goes back to its task). May also return
   * the folios just freed to the list, through `freed`.
   */
  next(i: number, pcpDrain: () => number, freed: (n: number) => void): ReclaimOp | number | null {
    const l = this.lists;
    for (;;) {
      const m = this.rm[i];
      switch (this.rst[i]) {
        case R_NEXT:
          if (m >= l.lruvecs) {
            const enough = this.rk[i] === RK_KSWAPD ? this.free > this.wm.high : this.got[i] >= SWAP_CLUSTER_MAX;
            if (enough || this.passGot[i] === 0) return this.end(i);
            this.rm[i] = 0;
            this.passGot[i] = 0;
            continue;
          }
          if (l.nrInactive[m] + l.nrActive[m] === 0) {
            this.rm[i]++;
            continue;
          }
          if (l.nrActive[m] > 0 && inactiveIsLow(l.nrInactive[m], l.nrActive[m])) {
            this.rst[i] = R_ACTIVE_PUT;
            return { op: OP_SHRINK_ACTIVE, memcg: m };
          }
          this.rst[i] = R_INACTIVE;
          continue;
        case R_ACTIVE_PUT:
          this.rst[i] = R_INACTIVE;
          return { op: OP_SHRINK_ACTIVE_PUT, memcg: m };
        case R_INACTIVE:
          if (l.nrInactive[m] === 0) {
            this.rst[i] = R_NEXT;
            this.rm[i]++;
            continue;
          }
          this.rst[i] = R_FREED;
          return { op: OP_SHRINK_INACTIVE, memcg: m };
        case R_FREED: {
          const n = this.rn[i];
          if (n === 0) {
            // Nothing isolated: shrink_inactive_list returns before shrink_folio_list and the second lock.
            this.rst[i] = R_NEXT;
            this.rm[i]++;
            continue;
          }
          freed(n);
          this.got[i] += n;
          this.passGot[i] += n;
          if (this.rk[i] === RK_KSWAPD) this.pgstealKswapd += n;
          else this.pgstealDirect += n;
          this.rst[i] = R_DRAIN;
          return { op: OP_SHRINK_INACTIVE_PUT, memcg: m };
        }
        case R_DRAIN: {
          const d = pcpDrain();
          if (d > 0) return d;
          this.rst[i] = R_NEXT;
          this.rm[i]++;
          continue;
        }
      }
    }
  }

  private end(i: number): null {
    if (this.rk[i] === RK_KSWAPD) this.kswapdCpu = -1;
    else this.skip[i] = 1;
    this.rk[i] = RK_NONE;
    return null;
  }

  /** CPU i holds memcg's lru_lock for `op`: move the folios; returns how many (for the hold). */
  acquired(i: number, op: number, memcg: number): number {
    const l = this.lists;
    let n = 0;
    if (op === OP_SHRINK_ACTIVE) {
      n = Math.min(SWAP_CLUSTER_MAX, l.nrActive[memcg]);
      l.nrActive[memcg] -= n;
      this.pgrefill += n;
    } else if (op === OP_SHRINK_ACTIVE_PUT) {
      n = this.rn[i];
      l.nrInactive[memcg] += n;
      if (n > 0) l.inactive[memcg].push(-1, GEN_DONE, 0, n);
      this.pgdeactivate += n;
    } else if (op === OP_SHRINK_INACTIVE) {
      n = this.isolate(memcg, SWAP_CLUSTER_MAX);
      if (this.rk[i] === RK_KSWAPD) this.pgscanKswapd += n;
      else this.pgscanDirect += n;
    } else if (op === OP_SHRINK_INACTIVE_PUT) return 0;
    this.rn[i] = n;
    return n;
  }

  /**
   * isolate_lru_folios from the inactive tail: up to `want` folios. A reader's first-read run is
   * still on the list from the reader's re-read position and first unevicted page on; what it
   * re-read (activated) or lost before is skipped without a scan.
   */
  private isolate(memcg: number, want: number): number {
    const list = this.lists.inactive[memcg];
    let got = 0;
    while (got < want && list.runs > 0) {
      const cpu = list.tail(0);
      const gen = list.tail(1);
      const start = list.tail(2);
      const count = list.tail(3);
      if (gen === GEN_DONE) {
        const k = Math.min(count, want - got);
        list.take(k);
        got += k;
        continue;
      }
      if (gen !== this.gen[cpu]) {
        list.take(count);
        continue;
      }
      const lo = Math.max(start, this.rereadPos[cpu], this.evictedTo[cpu]);
      if (lo >= start + count) {
        list.take(count);
        continue;
      }
      if (lo > start) {
        list.take(lo - start);
        continue;
      }
      const k = Math.min(count, want - got);
      list.take(k);
      got += k;
      this.evictedTo[cpu] = start + k;
    }
    this.lists.nrInactive[memcg] -= got;
    return got;
  }

  /** Folios moved by CPU i's last operation. */
  folios(i: number): number {
    return this.rn[i];
  }

  /** Each inactive list's count is what its runs still hold (the runs' pages not yet re-read or evicted). */
  checkInvariants(): void {
    const l = this.lists;
    l.checkInvariants();
    for (let m = 0; m < l.lruvecs; m++) {
      let held = 0;
      l.inactive[m].forEach((cpu, gen, start, count) => {
        if (gen === GEN_DONE) held += count;
        else if (gen === this.gen[cpu]) held += Math.max(0, start + count - Math.max(start, this.rereadPos[cpu], this.evictedTo[cpu]));
      });
      invariant(held === l.nrInactive[m], `lruvec of memcg ${m}: ${l.nrInactive[m]} inactive folios counted, ${held} on the list`);
    }
  }
}
