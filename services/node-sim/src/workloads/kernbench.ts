/**
 * `kernbench`: `make -jN bzImage` on the NUMA memory model, one LP per node.
 *
 * make's jobserver lives on node 0 (an LP's own state, reached by messages, like everything
 * shared): a CPU asks it for a compile job, runs the job's processes one after another, and asks
 * again; the build is over when the last job reports back, and that time is the build time
 * (`completionNs`). At most `parallelJobs` CPUs work at once.
 *
 * A process, after Linux 2.4.18 (kernel/fork.c, fs/exec.c, mm/memory.c, mm/filemap.c):
 * - fork and exec: `forkNs` and `execNs` of CPU time;
 * - it runs: its user CPU time cut into exponential slices, between which it takes, in random
 *   order, its anonymous faults (`do_anonymous_page`: one page in the LRU via `lru_cache_add`),
 *   its file-backed faults (`filemap_nopage`: `find_get_page` under `pagecache_lock`, then
 *   `mark_page_accessed`), its read()s (`do_generic_file_read`: the same lookup, then the copy to
 *   user space) and its writes of output pages (`generic_file_write`: a new page into the page
 *   cache under `pagecache_lock`, and onto the LRU);
 * - exit: `zap_page_range` of its anonymous memory, every page leaving the LRU (`lru_cache_del`)
 *   and going back to the buddy allocator.
 * The sources and headers are in the page cache from the start, on the inactive list, spread
 * evenly over the nodes; `mark_page_accessed`'s second touch of an inactive page activates it
 * (`activate_page` under the LRU lock).
 *
 * Page tables (mm/kmap.ts, the `pte` knob): fork copies the parent's page-table pages, exec drops
 * them and the new image allocates its own, exit frees them; exec's copy_strings, read()'s
 * file_read_actor and write's generic_file_write map highmem pages with kmap (the `kmap` knob).
 * Simplified: no COW (fork and exec are CPU time besides the page tables); file-backed faults take no
 * page_table_lock (the process is single-threaded, the lock is uncontended); make's own work and
 * the link are left out; with -jN above the CPU count the extra jobs would only wait for a CPU,
 * so a CPU runs one job at a time. Reclaim (mm/reclaim-node.ts) can drop tree pages from the page
 * cache; a later lookup reads them back from disk (`diskReadNs`) into a new page of their node.
 */
import type { KernbenchConfig, KernbenchResult } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import { invariant } from '../errors.js';
import { Topology } from '../machine/topology.js';
import { memoryMap } from '../machine/memory-map.js';
import { HIST_BUCKETS, histBucket } from '../locks/lock-stats.js';
import { FAULT_ANON, FAULT_PAGECACHE_WRITE, FIRST_WORKLOAD_EVENT, FIRST_WORKLOAD_OP, FIRST_WORKLOAD_STEP, OP_NONE } from '../mm/mm-node.js';
import { addKmapLocks, HighmemNode, KC_COPY_STRINGS, KC_FILE_READ, KC_FILE_WRITE, kmapPageId, kmapReport, mmPerCpu, PAGE_TAG_TREE, type KmapShared } from '../mm/kmap.js';
import { SWAP_CLUSTER_MAX } from '../mm/reclaim.js';
import { buildMmShared, LINES_BUDDY, LINES_LRU, LINES_PAGECACHE, type MmShared } from '../mm/mm-shared.js';
import { faultLatency, memoryReport, summarize } from '../mm/mm-report.js';
import { ZONE_HIGHMEM, type ZoneType } from '../mm/zone.js';
import { kernelTextReport } from '../mm/text-replication.js';
import { PG_lru } from '../mm/page-frames.js';
import type { Model } from './model.js';

const EV_JOB_ASK = FIRST_WORKLOAD_EVENT; // to make (node 0). a: cpu, b: 1 when the CPU finished a job
const EV_JOB_GIVE = FIRST_WORKLOAD_EVENT + 1; // to the CPU. a: cpu, b: job or −1 (no more)

const OP_TREE_MARK = FIRST_WORKLOAD_OP; // arg: tree page index on its node; answers MARK_*
const OP_TREE_ACTIVATE = FIRST_WORKLOAD_OP + 1;
const OP_TREE_ALLOC = FIRST_WORKLOAD_OP + 2; // a page for a tree page read back in; answers the frame or −1
const OP_TREE_LRU_ADD = FIRST_WORKLOAD_OP + 3;

const MARK_DONE = 0;
const MARK_ACTIVATE = 1;
const MARK_MISSING = 2; // reclaim dropped the page: read it back

const K_ASK = FIRST_WORKLOAD_STEP;
const K_WAIT_JOB = FIRST_WORKLOAD_STEP + 1;
const K_FORK = FIRST_WORKLOAD_STEP + 2;
const K_EXEC = FIRST_WORKLOAD_STEP + 3;
const K_RUN_START = FIRST_WORKLOAD_STEP + 4;
const K_RUN = FIRST_WORKLOAD_STEP + 5;
const K_NEXT_OP = FIRST_WORKLOAD_STEP + 6;
const K_FILE_LOOKUP = FIRST_WORKLOAD_STEP + 7;
const K_MARK = FIRST_WORKLOAD_STEP + 8;
const K_MARKED = FIRST_WORKLOAD_STEP + 9;
const K_LOOKED_UP = FIRST_WORKLOAD_STEP + 10;
const K_WRITTEN = FIRST_WORKLOAD_STEP + 11;
const K_EXIT = FIRST_WORKLOAD_STEP + 12;
const K_EXIT_NEXT = FIRST_WORKLOAD_STEP + 13;
const K_EXITED = FIRST_WORKLOAD_STEP + 14;
const K_REFAULT = FIRST_WORKLOAD_STEP + 15;
const K_REFAULT_INSERT = FIRST_WORKLOAD_STEP + 16;
const K_REFAULT_LRU = FIRST_WORKLOAD_STEP + 17;
const K_REFAULT_ALLOC = FIRST_WORKLOAD_STEP + 18;
const K_EXEC_LOAD = FIRST_WORKLOAD_STEP + 19;
const K_FORK_PT = FIRST_WORKLOAD_STEP + 20;
const K_RUN_BODY = FIRST_WORKLOAD_STEP + 21;

// What a process does next, between slices of user time.
const DO_ANON = 0;
const DO_FILE = 1;
const DO_READ = 2;
const DO_WRITE = 3;

export class KernbenchNode extends HighmemNode {
  private readonly cfg: KernbenchConfig;
  /** The sources and headers this node caches: node-local frames by tree index on this node. */
  private readonly treeFrame: Int32Array;
  // make's jobserver (node 0 only).
  private nextJob = 0;
  private jobsReported = 0;
  completionNs: number | null = null;
  // Per CPU.
  private readonly proc: Int32Array; // process of the job being run
  private readonly left: Int32Array; // [i * 4 + DO_*]: operations still to do in this process
  private readonly cpuLeft: Float64Array; // user time still to run in this process
  private readonly anonUsed: Int32Array; // anonymous slots filled
  private readonly doing: Int32Array; // the DO_* in progress
  private readonly burst: Int32Array; // anonymous faults still to take in a row
  private readonly treeNode: Int32Array; // the tree page being looked up
  private readonly treeIdx: Int32Array;
  private readonly jobStart: Float64Array;
  private readonly finishedJob: Uint8Array;
  private readonly refaultWaits: Int32Array; // tries of the current read-back's allocation // 1 when the CPU's next request to make reports a finished job
  // Statistics.
  readonly jobsDone: Float64Array;
  processes = 0;
  lookups = 0;
  writes = 0;
  activations = 0;
  refaults = 0;
  readonly jobHist = new Float64Array(HIST_BUCKETS);
  jobTotal = 0;
  jobMax = 0;

  constructor(
    kernel: Kernel,
    node: number,
    s: MmShared,
    private readonly fillCache: CacheFill,
    km: KmapShared,
  ) {
    const cfg = s.cfg as KernbenchConfig;
    // One slot per anonymous page of the largest process, and one for the page being written.
    super(kernel, node, s, Math.max(...cfg.processes.map((p) => p.anonPages)) + 1, km);
    this.cfg = cfg;
    const c = s.topo.cpusPerNode;
    this.proc = new Int32Array(c);
    this.left = new Int32Array(c * 4);
    this.cpuLeft = new Float64Array(c);
    this.anonUsed = new Int32Array(c);
    this.doing = new Int32Array(c);
    this.burst = new Int32Array(c);
    this.treeNode = new Int32Array(c);
    this.treeIdx = new Int32Array(c);
    this.jobStart = new Float64Array(c);
    this.finishedJob = new Uint8Array(c);
    this.refaultWaits = new Int32Array(c);
    this.jobsDone = new Float64Array(c);
    this.treeFrame = this.cacheTree();
  }

  /**
   * The build's sources and headers, read before the build starts: tree page t lives on node
   * t mod nodes. `half`: at most half of the node's free memory is filled; `full`: all of it but
   * the zone's pages_high, so reclaim starts with the first misses. The rest starts on disk.
   */
  private cacheTree(): Int32Array {
    const count = this.node < this.cfg.treePages ? Math.floor((this.cfg.treePages - 1 - this.node) / this.n) + 1 : 0;
    const frames = new Int32Array(count).fill(-1);
    const type = this.treeZoneType();
    const zone = this.mem.zone(type);
    const room = this.fillCache === 'full' ? Math.max(0, zone.freePages - zone.pagesHigh - SWAP_CLUSTER_MAX) : Math.floor(zone.freePages / 2);
    const cached = Math.min(count, room);
    for (let k = 0; k < cached; k++) {
      const frame = this.mem.rmqueue(type);
      invariant(frame >= 0, `node ${this.node} has no room for its ${cached} page-cache pages`);
      this.mem.lruAdd(frame);
      this.mem.frames.index[frame] = k;
      frames[k] = frame;
    }
    return frames;
  }

  private hasHighmem(node: number): boolean {
    return this.s.maps[node].zones.some((z) => z.type === ZONE_HIGHMEM);
  }

  /** Page-cache pages come from the node's highest zone. */
  private treeZoneType(node = this.node): ZoneType {
    const zones = this.s.maps[node].zones;
    return zones[zones.length - 1].type;
  }

  start(lp: number): void {
    const cpus = Math.min(this.s.topo.cpus, this.cfg.parallelJobs);
    for (let i = 0; i < this.s.topo.cpusPerNode; i++) {
      const cpu = this.first + i;
      if (cpu < cpus) this.startCpu(lp, cpu, K_ASK, 0);
    }
  }

  protected override handleWorkloadEvent(kind: number, a: number, b: number, c: number): void {
    if (kind !== EV_JOB_ASK && kind !== EV_JOB_GIVE) {
      super.handleWorkloadEvent(kind, a, b, c);
      return;
    }
    if (kind === EV_JOB_ASK) {
      // make, on node 0: hand out the next job.
      if (b === 1 && ++this.jobsReported === this.cfg.jobs) this.completionNs = this.kernel.now;
      const job = this.nextJob < this.cfg.jobs ? this.nextJob++ : -1;
      const node = this.s.topo.cpuNode[a];
      this.kernel.send(this.s.topo.nodeLp[node], this.s.topo.hopNs(this.node, node) + this.s.cfg.costs.syscallNs, EV_JOB_GIVE, a, job, 0);
      return;
    }
    invariant(kind === EV_JOB_GIVE, `kernbench has no event kind ${kind}`);
    const i = a - this.first;
    if (b < 0) return; // no job left: the CPU goes idle
    this.jobStart[i] = this.kernel.now;
    this.proc[i] = 0;
    this.prog[i] = K_FORK;
    this.step(a);
  }

  protected override doWorkloadOp(op: number, arg: number): number {
    switch (op) {
      case OP_TREE_MARK: {
        const frame = this.treeFrame[arg];
        if (frame < 0) return MARK_MISSING;
        return this.mem.lru[this.mem.zoneIndexOfFrame(frame)].markPageAccessed(frame) ? MARK_ACTIVATE : MARK_DONE;
      }
      case OP_TREE_ACTIVATE: {
        // The page may have been reclaimed since it was marked: then there is nothing to move.
        const frame = this.treeFrame[arg];
        if (frame >= 0) this.mem.lru[this.mem.zoneIndexOfFrame(frame)].activate(frame);
        return 0;
      }
      case OP_TREE_ALLOC: {
        if (this.treeFrame[arg] >= 0) return this.treeFrame[arg]; // another CPU read it back first
        // __alloc_pages on the page's own zone: below pages_low wake kswapd, below pages_min wait for it.
        const zone = this.mem.zone(this.treeZoneType());
        if (zone.freePages <= zone.pagesLow) {
          this.kswapdWakeups++;
          this.kswapdWake();
        }
        const frame = zone.freePages > zone.pagesMin ? this.mem.rmqueue(zone.type) : -1;
        if (frame < 0) return -1;
        this.treeFrame[arg] = frame;
        this.mem.frames.index[frame] = arg;
        return frame;
      }
      case OP_TREE_LRU_ADD: {
        const frame = this.treeFrame[arg];
        if (frame >= 0 && (this.mem.frames.flags[frame] & PG_lru) === 0) this.mem.lruAdd(frame);
        return 0;
      }
    }
    return super.doWorkloadOp(op, arg);
  }

  protected override canDropFromCache(frame: number): boolean {
    return this.mem.frames.index[frame] >= 0;
  }

  protected override dropFromCache(frame: number): void {
    this.treeFrame[this.mem.frames.index[frame]] = -1;
    super.dropFromCache(frame);
  }

  protected override program(i: number, cpu: number, p: number): boolean {
    const costs = this.s.cfg.costs;
    switch (p) {
      case K_ASK:
        this.prog[i] = K_WAIT_JOB;
        this.kernel.send(this.s.topo.nodeLp[0], this.s.topo.hopNs(this.node, 0) + costs.syscallNs, EV_JOB_ASK, cpu, this.finishedJob[i], 0);
        this.finishedJob[i] = 0;
        return false;
      case K_FORK:
        // The first process of a job is forked by make (its mm uses node 0's text); the others by the previous one, here.
        this.kernelEntry(i, true);
        this.switchIn(i, this.proc[i] === 0 ? 0 : this.node);
        this.prog[i] = K_FORK_PT;
        this.after(cpu, costs.forkNs);
        return false;
      case K_FORK_PT: {
        // copy_page_range: the child gets a copy of its parent's page tables (the previous process's, or make's).
        const parent = this.proc[i] === 0 ? this.cfg.processes[0] : this.cfg.processes[this.proc[i] - 1];
        this.allocPageTables(i, this.ptPagesFor(parent.anonPages), true, K_EXEC);
        return true;
      }
      case K_EXEC: {
        // do_execve: copy_strings puts argv and envp into the new image's argument pages, one kmap per string.
        const pages = this.cfg.execArgPages ?? 1;
        this.kmapCopy(i, KC_COPY_STRINGS, this.freshPages(i, pages), pages, this.node, this.hasHighmem(this.node), this.cfg.execStringKmaps ?? 0, costs.memLocalNs, K_EXEC_LOAD);
        return true;
      }
      case K_EXEC_LOAD:
        if (this.heldPageTables(i) > 0) {
          this.freePageTables(i, K_EXEC_LOAD); // exec_mmap drops the copied mm
          return true;
        }
        this.kernelEntry(i, true);
        this.newAddressSpace(i, cpu);
        this.prog[i] = K_RUN_START;
        this.after(cpu, costs.execNs);
        return false;
      case K_RUN_START:
        // The new image's page tables, built as it faults in (pte_alloc), here all at once.
        this.allocPageTables(i, this.ptPagesFor(this.cfg.processes[this.proc[i]].anonPages), false, K_RUN_BODY);
        return true;
      case K_RUN_BODY: {
        const pr = this.cfg.processes[this.proc[i]];
        this.left[i * 4 + DO_ANON] = pr.anonPages;
        this.left[i * 4 + DO_FILE] = pr.fileFaults;
        this.left[i * 4 + DO_READ] = pr.readPages;
        this.left[i * 4 + DO_WRITE] = pr.writePages;
        this.cpuLeft[i] = pr.cpuNs;
        this.anonUsed[i] = 0;
        this.prog[i] = K_RUN;
        return true;
      }
      case K_RUN:
        return this.run(i, cpu);
      case K_NEXT_OP:
        return this.nextOp(i, cpu);
      case K_FILE_LOOKUP:
        // find_get_page: the hash chain walk and page_cache_get under the global pagecache_lock.
        this.lookups++;
        this.lockedOp(i, cpu, this.s.pagecacheLock, this.s.callers.find_get_page, OP_NONE, -1, 0, this.pagecacheHoldNs(this.treeNode[i]), LINES_PAGECACHE, K_MARK);
        return false;
      case K_MARK:
        return this.pageOp(i, cpu, this.treeNode[i], OP_TREE_MARK, this.treeIdx[i], K_MARKED);
      case K_MARKED: {
        if (this.opResult[i] === MARK_DONE) {
          this.prog[i] = K_LOOKED_UP;
          return true;
        }
        const node = this.treeNode[i];
        if (this.opResult[i] === MARK_MISSING) {
          // Reclaim dropped it: read it back from disk into a new page of its node.
          this.refaults++;
          this.prog[i] = K_REFAULT;
          this.after(cpu, costs.diskReadNs);
          return false;
        }
        // Second touch of an inactive page: activate_page under the LRU lock that guards it.
        this.activations++;
        const lock = this.s.cfg.lru === '2.5-zone' ? this.s.zoneLruLock[node * 3 + this.treeZoneType(node)] : this.s.pagemapLruLock;
        const hold = costs.lruListOpNs + this.structPageNs(node);
        this.lockedOp(i, cpu, lock, this.s.callers.activate_page, OP_TREE_ACTIVATE, node, this.treeIdx[i], hold, LINES_LRU, K_LOOKED_UP);
        return false;
      }
      case K_REFAULT:
        this.refaultWaits[i] = 0;
        this.prog[i] = K_REFAULT_ALLOC;
        return true;
      case K_REFAULT_ALLOC: {
        const node = this.treeNode[i];
        const zoneLock = this.s.zoneLock[node * 3 + this.treeZoneType(node)];
        this.lockedOp(i, cpu, zoneLock, this.s.callers.rmqueue, OP_TREE_ALLOC, node, this.treeIdx[i], costs.buddyOpNs + this.structPageNs(node), LINES_BUDDY, K_REFAULT_INSERT);
        return false;
      }
      case K_REFAULT_INSERT:
        if (this.opResult[i] < 0) {
          // No page on its node: wait for that node's reclaim, then try again; in the end the read fails.
          if (this.waitForReclaim(i, cpu, this.treeNode[i], K_REFAULT_ALLOC, this.refaultWaits[i]++ === 0)) return false;
          this.allocationFailures++;
          this.prog[i] = K_RUN;
          return true;
        }
        this.lockedOp(i, cpu, this.s.pagecacheLock, this.s.callers.add_to_page_cache, OP_NONE, -1, 0, this.pagecacheHoldNs(this.treeNode[i]), LINES_PAGECACHE, K_REFAULT_LRU);
        return false;
      case K_REFAULT_LRU: {
        const node = this.treeNode[i];
        const lock = this.s.cfg.lru === '2.5-zone' ? this.s.zoneLruLock[node * 3 + this.treeZoneType(node)] : this.s.pagemapLruLock;
        this.lockedOp(i, cpu, lock, this.s.callers.lru_cache_add, OP_TREE_LRU_ADD, node, this.treeIdx[i], costs.lruListOpNs + this.structPageNs(node), LINES_LRU, K_LOOKED_UP);
        return false;
      }
      case K_LOOKED_UP: {
        this.prog[i] = K_RUN;
        if (this.doing[i] === DO_READ) {
          // file_read_actor: kmap the page-cache page, copy it to user space, kunmap (by the CPU's next thread, if it runs several).
          this.threadSwitch(i);
          const node = this.treeNode[i];
          const page = kmapPageId(PAGE_TAG_TREE, node, this.treeIdx[i]);
          this.kmapCopy(i, KC_FILE_READ, page, 1, node, this.treeZoneType(node) === ZONE_HIGHMEM, 1, this.pageStreamNs(node, costs.pageCopyNs), K_RUN);
        }
        return true;
      }
      case K_WRITTEN: {
        // The page stays in the page cache: the slot forgets it. generic_file_write's
        // prepare_write/commit_write kmap it around the copy (whose time P_FILL charged).
        const at = i * this.S + this.S - 1;
        const node = this.pageNode[at];
        const frame = this.pageFrame[at];
        this.pageFrame[at] = -1;
        this.writes++;
        if (frame < 0) {
          this.prog[i] = K_RUN;
          return true;
        }
        this.kmapCopy(i, KC_FILE_WRITE, this.freshPages(i, 1), 1, node, this.zoneTypeOf(node, frame) === ZONE_HIGHMEM, 1, 0, K_RUN);
        return true;
      }
      case K_EXIT:
        this.kernelEntry(i, true);
        this.slot[i] = 0;
        this.beginUnmap(i, K_EXIT_NEXT);
        return true;
      case K_EXIT_NEXT:
        if (++this.slot[i] < this.anonUsed[i]) this.beginUnmap(i, K_EXIT_NEXT);
        else this.flushPagevec(i, K_EXITED);
        return true;
      case K_EXITED:
        if (this.heldPageTables(i) > 0) {
          this.freePageTables(i, K_EXITED);
          return true;
        }
        this.processes++;
        if (++this.proc[i] < this.cfg.processes.length) {
          this.prog[i] = K_FORK;
          return true;
        }
        this.jobDone(i);
        this.finishedJob[i] = 1;
        this.prog[i] = K_ASK;
        return true;
    }
    return super.program(i, cpu, p);
  }

  /** User time until the next kernel operation, or exit when the process has none left. */
  private run(i: number, cpu: number): boolean {
    const b = i * 4;
    const ops = this.left[b] + this.left[b + 1] + this.left[b + 2] + this.left[b + 3];
    if (this.burst[i] > 0) {
      // Touching a fresh stretch of memory: the next anonymous fault at once.
      this.burst[i]--;
      this.left[b + DO_ANON]--;
      this.doing[i] = DO_ANON;
      this.slot[i] = this.anonUsed[i]++;
      this.kernelEntry(i);
      this.beginFault(i, FAULT_ANON, K_RUN);
      return true;
    }
    if (ops === 0) {
      this.prog[i] = K_EXIT;
      if (this.cpuLeft[i] > 0) {
        this.after(cpu, this.cpuLeft[i]);
        this.cpuLeft[i] = 0;
        return false;
      }
      return true;
    }
    // The remaining user time is spread over the remaining operations (and the stretch after the last).
    const slice = Math.min(this.cpuLeft[i], Math.round(this.rng.nextExp() * (this.cpuLeft[i] / (ops + 1))));
    this.cpuLeft[i] -= slice;
    this.prog[i] = K_NEXT_OP;
    if (slice > 0) {
      this.after(cpu, slice);
      return false;
    }
    return true;
  }

  /** Picks the next operation at random among those left and starts it. */
  private nextOp(i: number, cpu: number): boolean {
    const b = i * 4;
    const ops = this.left[b] + this.left[b + 1] + this.left[b + 2] + this.left[b + 3];
    let k = this.rng.nextInt(ops);
    let what = 0;
    while (k >= this.left[b + what]) k -= this.left[b + what++];
    this.left[b + what]--;
    this.doing[i] = what;
    this.kernelEntry(i); // the fault or system call that starts the operation
    const costs = this.s.cfg.costs;
    switch (what) {
      case DO_ANON:
        this.burst[i] = Math.min(this.cfg.faultBurst, this.left[b + DO_ANON] + 1) - 1;
        this.slot[i] = this.anonUsed[i]++;
        this.beginFault(i, FAULT_ANON, K_RUN);
        return true;
      case DO_WRITE:
        this.slot[i] = this.S - 1;
        this.beginFault(i, FAULT_PAGECACHE_WRITE, K_WRITTEN);
        this.after(cpu, costs.syscallNs);
        return false;
      default: {
        const t = this.rng.nextInt(this.cfg.treePages);
        this.treeNode[i] = t % this.n;
        this.treeIdx[i] = Math.floor(t / this.n);
        this.prog[i] = K_FILE_LOOKUP;
        this.after(cpu, what === DO_FILE ? costs.pageFaultNs : costs.syscallNs);
        return false;
      }
    }
  }

  private jobDone(i: number): void {
    const lat = this.kernel.now - this.jobStart[i];
    this.jobHist[histBucket(lat)]++;
    this.jobTotal += lat;
    if (lat > this.jobMax) this.jobMax = lat;
    this.jobsDone[i]++;
  }
}

/** How much of memory the page cache fills before the run: kernbench half, mem-pressure all of it. */
export type CacheFill = 'half' | 'full';

/**
 * `mmOfCpu`: the address space each CPU's processes run in; by default one per CPU (single-threaded
 * processes); file-read groups CPUs into the threads of one process, and may run `threadsPerCpu`
 * threads of it on each CPU, taking turns read by read.
 */
export function buildKernbench(kernelFor: (lookaheadNs: number) => Kernel, cfg: KernbenchConfig, fillCache: CacheFill = 'half', mmOfCpu?: Int32Array, threadsPerCpu = 1): Model {
  const topo = new Topology(cfg);
  let km: KmapShared | undefined;
  const shared = buildMmShared(cfg, topo, memoryMap(cfg.layout, cfg.nodes, cfg.memPerNodeMiB), (add) => {
    km = addKmapLocks(cfg, topo, mmOfCpu ?? mmPerCpu(topo), add, threadsPerCpu);
  });
  const kernel = kernelFor(topo.lookaheadNs);
  const nodes: KernbenchNode[] = [];
  for (let n = 0; n < cfg.nodes; n++) {
    const lp = new KernbenchNode(kernel, n, shared, fillCache, km!);
    nodes.push(lp);
    lp.start(kernel.addLp(lp));
  }
  const sum = (f: (n: KernbenchNode) => number) => nodes.reduce((s, n) => s + f(n), 0);
  return {
    kernel,
    topology: topo,
    registry: shared.registry,
    lockStats: () => nodes.map((n) => n.client.stats),
    checkInvariants: () =>
      nodes.forEach((n) => {
        n.mem.checkInvariants();
        n.checkKmapInvariants();
      }),
    memory: () => ({
      ...memoryReport(cfg, nodes),
      kmap: kmapReport(km!, nodes),
      text: kernelTextReport(shared, nodes.map((n) => n.text)),
      pageTables: { placement: cfg.pte, pagesAllocated: sum((n) => n.ptePagesAllocated), allocationsFailed: sum((n) => n.ptePagesFailed) },
    }),
    result: (): KernbenchResult => {
      const hist = new Float64Array(HIST_BUCKETS);
      for (const lp of nodes) for (let b = 0; b < HIST_BUCKETS; b++) hist[b] += lp.jobHist[b];
      const jobsCompleted = sum((n) => n.jobsDone.reduce((a, b) => a + b, 0));
      const { faults, latency } = faultLatency(nodes);
      return {
        kind: 'kernbench',
        completionNs: nodes[0].completionNs,
        jobs: cfg.jobs,
        jobsCompleted,
        processes: sum((n) => n.processes),
        anonFaults: faults,
        pageCacheLookups: sum((n) => n.lookups),
        pageCacheWrites: sum((n) => n.writes),
        activations: sum((n) => n.activations),
        refaults: sum((n) => n.refaults),
        allocationFailures: sum((n) => n.allocationFailures),
        faultLatencyNs: latency,
        jobLatencyNs: summarize(hist, sum((n) => n.jobTotal), jobsCompleted, Math.max(...nodes.map((n) => n.jobMax))),
        perNode: nodes.map((lp) => ({ node: lp.node, jobs: lp.jobsDone.reduce((a, b) => a + b, 0), anonFaults: lp.anonFaults.reduce((a, b) => a + b, 0) })),
      };
    },
  };
}
