/**
 * The LP of one node in a `mix` run: the tasks placed on its CPUs, each CPU's run queue, and the
 * kernel paths the tasks' operations take, after Linux 2.4.18:
 *
 * - `fault`: `do_anonymous_page` on the next page of the task's region (mm/memory.c, through
 *   MmNode's shared path): the pte is set under the task's `mm->page_table_lock`, which the
 *   threads of one process share and separate processes do not;
 * - `munmap`: `zap_page_range` over every page the task mapped (mm/memory.c), under the same lock
 *   page by page; a fault on a full region unmaps it first (page_fault1's loop) and counts as one;
 * - `read`: `do_generic_file_read` of a random page of the file set, through the node's
 *   `PageCache` (mm/page-cache.ts, as the process runner's reads): the lookup under
 *   `pagecache_lock`, `mark_page_accessed` (its second touch activates the page under the LRU
 *   lock), then `file_read_actor`'s kmap and copy (mm/kmap.ts);
 * - `write`: `generic_file_write` of a new page (allocate, copy, `add_to_page_cache` under
 *   `pagecache_lock`, `lru_cache_add`), kmapped around the copy; reclaim may drop it later.
 *
 * Scheduling, after 2.4's kernel/sched.c at the grain of one operation: a task sleeps its think
 * time, then joins its CPU's run queue (FIFO); a CPU runs one task's operation to its end (2.4 has
 * no kernel preemption), then the next runnable task; switching to a task other than the one it
 * ran last costs `contextSwitchNs`, and loads that task's mm: the `mm->page_table_lock` the CPU's
 * faults take is the running task's (`ptlOf`, from this node's own per-CPU table).
 *
 * A task may also run user code on its CPU before each operation (`userNs`): the CPU's other
 * tasks wait for it, as CPU-bound tasks sharing a CPU do.
 *
 * Simplified: tasks never migrate; no timeslices (a task gives its CPU up after every operation;
 * user time runs to its end, as under a timeslice longer than it); munmap sends no TLB-shootdown IPIs to the mm's
 * other CPUs; page tables are not allocated (the mms exist before the run); kernel text is
 * fetched on every kernel entry but never remapped on a switch; a file page not in the page cache
 * is read from disk (`diskReadNs`) and not cached; reclaim may drop written pages, not the file set.
 */
import type { Kernel } from '../engine/kernel.js';
import { bug } from '../errors.js';
import { HIST_BUCKETS, histBucket } from '../locks/lock-stats.js';
import { FAULT_ANON, FAULT_PAGECACHE_WRITE, MmNode } from '../mm/mm-node.js';
import { KC_FILE_READ, KC_FILE_WRITE, kmapPageId, PAGE_TAG_TREE, type KmapShared } from '../mm/highmem.js';
import type { MmShared } from '../mm/mm-shared.js';
import { PAGECACHE_PROTOCOL, PageCache } from '../mm/page-cache.js';
import { ZONE_HIGHMEM } from '../mm/zone.js';
import { MIX_FAULT, MIX_KINDS, MIX_MUNMAP, MIX_READ, MIX_WRITE, nextActiveStart, phaseAt, type MixPlan } from './mix-plan.js';

/** The mix workload's numbers, after the page cache's. */
const MIX_PROTOCOL = PAGECACHE_PROTOCOL.extend('mix', {
  steps: ['sched', 'start', 'fault done', 'unmap next', 'read copy', 'written', 'write kmap', 'op done', 'idle', 'kernel'],
  events: ['wake', 'end'],
  ops: ['written'],
});
// EV_MIX_WAKE: a task's think time ended (or a phase it runs in began). a: cpu, b: local task.
// EV_MIX_END marks the end of the run, so that a run whose tasks all sleep still lasts durationNs.
export const [EV_MIX_WAKE, EV_MIX_END] = MIX_PROTOCOL.events;
const [M_SCHED, M_START, M_FAULT_DONE, M_UNMAP_NEXT, M_READ_COPY, M_WRITTEN, M_WRITE_KMAP, M_OP_DONE, M_IDLE, M_KERNEL] =
  MIX_PROTOCOL.steps;
// OP_MIX_WRITTEN arg: frame of a page-cache page just written.
const [OP_MIX_WRITTEN] = MIX_PROTOCOL.ops;

/** `page->index` given to written pages: a page-cache page reclaim may drop (page-frames.ts). */
const WRITTEN_INDEX = 0;

export class MixNode extends MmNode {
  /** This node's per-CPU `mm->page_table_lock` table: the running task's mm's lock (by CPU id). */
  private readonly ptl: Int32Array;
  // Tasks placed on this node's CPUs, by local index.
  private readonly tGroup: Int32Array;
  private readonly tMm: Int32Array;
  private readonly tCpu: Int32Array;
  private readonly tBase: Int32Array;
  private readonly tMapped: Int32Array;
  private readonly tOp: Int32Array;
  /** When the task last became runnable: an operation's latency starts there. */
  private readonly tWantAt: Float64Array;
  /** User time the task ran before its current operation (not part of the operation's latency). */
  private readonly tUser: Float64Array;
  // Per CPU of the node: a FIFO run queue of local tasks (ring of rqCap), the task running, the last one run.
  private readonly rqCap: number;
  private readonly rq: Int32Array;
  private readonly rqHead: Int32Array;
  private readonly rqLen: Int32Array;
  private readonly cur: Int32Array;
  private readonly last: Int32Array;
  // Per CPU: the file page a read works on, the page a write produced.
  private readonly wNode: Int32Array;
  private readonly wFrame: Int32Array;
  /** The file set's pages this node caches (page t lives on node t mod nodes), pinned: misses are read from disk, uncached. */
  readonly cache: PageCache;
  // Statistics (observation only), by [(phase * groups + group) * MIX_KINDS + kind].
  readonly done: Float64Array;
  readonly latTotal: Float64Array;
  readonly latMax: Float64Array;
  readonly latHist: (Float64Array | undefined)[];
  contextSwitches = 0;

  constructor(
    kernel: Kernel,
    node: number,
    s: MmShared,
    km: KmapShared,
    private readonly plan: MixPlan,
    /** `mm->page_table_lock` of every mm. */
    private readonly mmLock: Int32Array,
    private readonly filePages: number,
  ) {
    super(kernel, node, s, plan.slotsPerCpu, { reclaim: true, kmap: km });
    // The page_table_lock each CPU's faults take: the running task's mm's, changed at each switch.
    this.ptl = Int32Array.from(s.ptl);
    const c = s.topo.cpusPerNode;
    const here = plan.placement.tasks.flatMap((t, k) => (s.topo.cpuNode[t.cpu] === node ? [k] : []));
    const mine = here.map((k) => plan.placement.tasks[k]);
    const L = mine.length;
    this.tGroup = Int32Array.from(mine, (t) => t.group);
    this.tMm = Int32Array.from(mine, (t) => t.mm);
    this.tCpu = Int32Array.from(mine, (t) => t.cpu);
    this.tBase = Int32Array.from(here, (k) => plan.slotBase[k]);
    this.tMapped = new Int32Array(L);
    this.tOp = new Int32Array(L);
    this.tWantAt = new Float64Array(L);
    this.tUser = new Float64Array(L);
    const perCpu = new Int32Array(c);
    for (const t of mine) perCpu[t.cpu - this.first]++;
    this.rqCap = Math.max(1, ...perCpu);
    this.rq = new Int32Array(c * this.rqCap);
    this.rqHead = new Int32Array(c);
    this.rqLen = new Int32Array(c);
    this.cur = new Int32Array(c).fill(-1);
    this.last = new Int32Array(c).fill(-1);
    this.wNode = new Int32Array(c);
    this.wFrame = new Int32Array(c);
    for (let i = 0; i < c; i++) this.prog[i] = M_IDLE;
    const cells = plan.phases * plan.groups * MIX_KINDS;
    this.done = new Float64Array(cells);
    this.latTotal = new Float64Array(cells);
    this.latMax = new Float64Array(cells);
    this.latHist = new Array<Float64Array | undefined>(cells).fill(undefined);
    this.cache = new PageCache(this, filePages, 'pinned', 0);
  }

  /** Seeds every task's first wake-up (`lp`: this node's LP id). */
  start(lp: number): void {
    for (let t = 0; t < this.tGroup.length; t++) {
      const at = this.sleepFor(t, 0, 0);
      if (at >= 0) this.kernel.post(lp, lp, at, EV_MIX_WAKE, this.tCpu[t], t, 0);
    }
  }

  /**
   * When task `t`, going to sleep at `now` in phase `p`, wakes: after its think time when its group
   * runs in `p`, else at the start of the next phase in which it runs. Returns the absolute time,
   * or −1 when it never runs again.
   */
  private sleepFor(t: number, now: number, p: number): number {
    const g = this.tGroup[t];
    const at = p * this.plan.groups + g;
    if (this.plan.active[at] === 0) return nextActiveStart(this.plan, g, p);
    return now + Math.round(this.plan.think[at].sample(this.rng) / this.plan.thinkScale[at]);
  }

  private enqueue(i: number, t: number): void {
    if (this.rqLen[i] >= this.rqCap) bug(`CPU ${this.first + i}'s run queue overflows`);
    this.rq[i * this.rqCap + ((this.rqHead[i] + this.rqLen[i]++) % this.rqCap)] = t;
  }

  override ptlOf(cpu: number): number {
    return this.ptl[cpu];
  }

  protected override handleWorkloadEvent(kind: number, a: number, b: number, c: number): void {
    if (kind === EV_MIX_END) return;
    if (kind !== EV_MIX_WAKE) {
      if (PageCache.ownsEvent(kind)) this.cache.handleEvent(a);
      else super.handleWorkloadEvent(kind, a, b, c);
      return;
    }
    const now = this.kernel.now;
    const p = phaseAt(this.plan, now);
    if (this.plan.active[p * this.plan.groups + this.tGroup[b]] === 0) {
      // Its think time ran into a phase in which its group does not run.
      const at = nextActiveStart(this.plan, this.tGroup[b], p);
      if (at >= 0) this.kernel.schedule(at - now, EV_MIX_WAKE, a, b, 0);
      return;
    }
    const i = a - this.first;
    this.tWantAt[b] = now;
    this.enqueue(i, b);
    if (this.cur[i] < 0) {
      this.prog[i] = M_SCHED;
      this.step(a);
    }
  }

  protected override doWorkloadOp(op: number, arg: number): number {
    switch (op) {
      case OP_MIX_WRITTEN:
        this.mem.frames.index[arg] = WRITTEN_INDEX;
        return 0;
    }
    return PageCache.ownsOp(op) ? this.cache.applyOp(op, arg) : super.doWorkloadOp(op, arg);
  }

  protected override program(i: number, cpu: number, p: number): boolean {
    const costs = this.s.cfg.costs;
    switch (p) {
      case M_IDLE:
        return false;
      case M_SCHED:
        return this.schedule(i, cpu);
      case M_START:
        return this.runUser(i, cpu);
      case M_KERNEL:
        return this.startOp(i, cpu);
      case M_FAULT_DONE: {
        const t = this.cur[i];
        if (this.pageFrame[i * this.S + this.slot[i]] >= 0) this.tMapped[t]++;
        this.prog[i] = M_OP_DONE;
        return true;
      }
      case M_UNMAP_NEXT: {
        const t = this.cur[i];
        if (this.tMapped[t] === 0) {
          this.flushPagevec(i, M_OP_DONE); // release_pages of what the unmap batched
          return true;
        }
        this.slot[i] = this.tBase[t] + --this.tMapped[t];
        this.faults.beginUnmap(i, M_UNMAP_NEXT);
        return true;
      }
      case M_READ_COPY: {
        const node = this.cache.fileNode[i];
        const page = kmapPageId(PAGE_TAG_TREE, node, this.cache.fileIdx[i]);
        this.kmap!.copy(i, KC_FILE_READ, page, 1, node, this.cache.fileZoneType(node) === ZONE_HIGHMEM, 1, this.pageStreamNs(node, costs.pageCopyNs), M_OP_DONE);
        return true;
      }
      case M_WRITTEN: {
        const at = i * this.S + this.S - 1;
        const frame = this.pageFrame[at];
        this.pageFrame[at] = -1; // the page stays in the page cache; the slot forgets it
        if (frame < 0) {
          this.prog[i] = M_OP_DONE;
          return true;
        }
        this.wNode[i] = this.pageNode[at];
        this.wFrame[i] = frame;
        return this.pageOp(i, cpu, this.wNode[i], OP_MIX_WRITTEN, frame, M_WRITE_KMAP);
      }
      case M_WRITE_KMAP: {
        // prepare_write/commit_write kmap the page around the copy (whose time the fill charged).
        const node = this.wNode[i];
        this.kmap!.copy(i, KC_FILE_WRITE, this.kmap!.freshPages(i, 1), 1, node, this.zoneTypeOf(node, this.wFrame[i]) === ZONE_HIGHMEM, 1, 0, M_OP_DONE);
        return true;
      }
      case M_OP_DONE:
        this.opDone(i);
        return true;
    }
    return PageCache.owns(p) ? this.cache.step(i, cpu, p) : super.program(i, cpu, p);
  }

  /** The CPU takes the next runnable task, or idles. */
  private schedule(i: number, cpu: number): boolean {
    if (this.rqLen[i] === 0) {
      this.cur[i] = -1;
      this.prog[i] = M_IDLE;
      return false;
    }
    const t = this.rq[i * this.rqCap + this.rqHead[i]];
    this.rqHead[i] = (this.rqHead[i] + 1) % this.rqCap;
    this.rqLen[i]--;
    this.cur[i] = t;
    this.prog[i] = M_START;
    if (this.last[i] === t) return true;
    this.ptl[cpu] = this.mmLock[this.tMm[t]];
    const switched = this.last[i] >= 0;
    this.last[i] = t;
    if (!switched) return true;
    this.contextSwitches++;
    this.after(cpu, this.s.cfg.costs.contextSwitchNs);
    return false;
  }

  /** The running task's user time before its operation, on the CPU (`userNs`; none by default). */
  private runUser(i: number, cpu: number): boolean {
    const t = this.cur[i];
    const user = this.plan.user[this.tGroup[t]];
    const ns = user === null ? 0 : user.sample(this.rng);
    this.tUser[t] = ns;
    this.prog[i] = M_KERNEL;
    if (ns === 0) return true;
    this.after(cpu, ns);
    return false;
  }

  /** The running task draws its operation from its group's mix in the current phase and enters the kernel. */
  private startOp(i: number, cpu: number): boolean {
    const t = this.cur[i];
    const g = this.tGroup[t];
    const at = (phaseAt(this.plan, this.kernel.now) * this.plan.groups + g) * MIX_KINDS;
    const w = this.plan.cumWeight;
    const r = this.rng.nextDouble() * w[at + MIX_KINDS - 1];
    let op = 0;
    while (op < MIX_KINDS - 1 && r >= w[at + op]) op++;
    if (op === MIX_FAULT && this.tMapped[t] === this.plan.regionPages[g]) op = MIX_MUNMAP;
    this.tOp[t] = op;
    this.kernelEntry(i);
    const costs = this.s.cfg.costs;
    switch (op) {
      case MIX_FAULT:
        this.slot[i] = this.tBase[t] + this.tMapped[t];
        this.faults.begin(i, FAULT_ANON, M_FAULT_DONE);
        return true;
      case MIX_MUNMAP:
        this.prog[i] = M_UNMAP_NEXT;
        break;
      case MIX_READ: {
        // A miss (a page outside the cached file set) is read from disk and ends the read.
        this.cache.lookupPage(i, this.rng.nextInt(this.filePages), false, M_READ_COPY, M_OP_DONE);
        break;
      }
      case MIX_WRITE:
        this.slot[i] = this.S - 1;
        this.faults.begin(i, FAULT_PAGECACHE_WRITE, M_WRITTEN);
        break;
    }
    this.after(cpu, costs.syscallNs);
    return false;
  }

  /** The operation ended: count it in the phase it ended in, put the task to sleep, run the next. */
  private opDone(i: number): void {
    const t = this.cur[i];
    const now = this.kernel.now;
    const p = phaseAt(this.plan, now);
    const q = (p * this.plan.groups + this.tGroup[t]) * MIX_KINDS + this.tOp[t];
    const lat = now - this.tWantAt[t] - this.tUser[t];
    this.done[q]++;
    this.latTotal[q] += lat;
    if (lat > this.latMax[q]) this.latMax[q] = lat;
    (this.latHist[q] ??= new Float64Array(HIST_BUCKETS))[histBucket(lat)]++;
    const wake = this.sleepFor(t, now, p);
    if (wake === now) {
      this.tWantAt[t] = now;
      this.enqueue(i, t);
    } else if (wake > now) this.kernel.schedule(wake - now, EV_MIX_WAKE, this.tCpu[t], t, 0);
    this.prog[i] = M_SCHED;
  }
}
