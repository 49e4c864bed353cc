/**
 * fork with copy-on-write, after Linux 2.4.18 kernel/fork.c (`dup_mmap`) and mm/memory.c
 * (`copy_page_range`, `do_wp_page`, `zap_page_range`), and under `lru: rmap` the reverse-map calls
 * the 2.4 -rmap patches add to them (page_add_rmap in copy_page_range and do_wp_page,
 * page_remove_rmap in do_wp_page and zap_pte_range); the `forkCow` knob (docs/MEMORY-MODEL.md).
 *
 * A subsystem of the process runner's node (workloads/process-runner.ts), whose programs call it
 * between fork and exec:
 * - `copy` — copy_page_range: with the parent's `mm->page_table_lock` held, every pte of the parent
 *   is copied into the child's page tables and its page's count raised (get_page: a write to the
 *   struct page); a private writable page's pte is write-protected in both. Under rmap each copied
 *   pte is a page_add_rmap, taking pagemap_lru_lock inside page_table_lock (rmap.ts); under
 *   2.5-zone the page's pte_chain_lock, a bit in page->flags, inside it (no lock in the table).
 * - `cow` — the child writes some of the parent's anonymous pages before it execs (its stack, a
 *   data page: `cowFaultsBeforeExec`), each a do_wp_page: a page fault, a new page from the zonelist,
 *   the old one copied into it, the pte set under page_table_lock, page_remove_rmap of the old
 *   page and page_add_rmap of the new one (rmap), lru_cache_add (the fault path, FAULT_COW).
 * - `drop` — exec's exit_mmap of the copied mm: the COW copies are unmapped and freed like any
 *   anonymous page; the other copied ptes are cleared under page_table_lock, each page's count
 *   dropped, and under rmap each a page_remove_rmap, its chain walked to the pte (rmap.ts).
 *
 * The parent: whoever forks a job's first process (make) is taken to be that process's program
 * (as the page-table copy does), the job's other processes are forked by the first (the compiler
 * driver forks cpp, cc1 and as; the `sh` of Rules.make is make's, taken to be the driver's too).
 * A parent's anonymous pages are on its node (make's on node 0); its text is the first program's.
 *
 * Programs' text (kernbench, whose file faults are text: `textFaults`): with `forkCow` a program's file faults map its own pages of the file set, the
 * j-th fault the program's j-th page (programs one after another from page 0), so every live
 * process running a program maps the same pages and their pte_chains are as long as the number
 * of such processes — the binaries' text (cc1, as, the shell, libc) shared by every process.
 *
 * Locking rule: the parent's page_table_lock outermost, pagemap_lru_lock inside it (rmap), the
 * chains' operations on the page's node under pagemap_lru_lock (rmap.ts).
 *
 * Simplified: the parent's anonymous pages are not frames of the model (a parent's page is only its
 * node and its chain of two, parent and child: the child's entry at the head, walked in one step),
 * and the parent is not simulated after the fork (its own write faults on the pages fork
 * write-protected are left out); the child's copies of text ptes are on the chains but not in the
 * page cache's map counts (reclaim's unmapping does not see them); the libraries' text is part of
 * each program's (programs share no text pages).
 */
import type { ForkReport } from '@numasim/shared';
import { invariant } from '../errors.js';
import { FAULT_COW, OP_NONE, P_FAULT, P_UNMAP } from './mm-protocol.js';
import type { Numbering } from './numbering.js';
import { LINES_LRU } from './mm-shared.js';
import type { PageCacheCore, RmapHook } from './node-services.js';
import { RmapChains } from './rmap.js';

/** What fork.ts needs to know of the runner's processes. */
export interface ForkProcess {
  anonPages: number;
  fileFaults: number;
}

/** The A default of `cowFaultsBeforeExec`: a stack page and a data page written between fork and execve. */
export const COW_FAULTS_DEFAULT = 2;

/** Steps and operations, claimed after the part fork.ts is built on (the page cache's). */
export function forkProtocol(base: Numbering): Numbering {
  return base.extend('fork.c', {
    steps: ['copy', 'copy rmap', 'copy done', 'cow', 'cow done', 'cow add', 'drop', 'drop next', 'drop ptes', 'drop rmap', 'drop done'],
    ops: ['rmap add', 'rmap del'],
  });
}

export class ForkCow implements RmapHook {
  private readonly FK_COPY: number;
  private readonly FK_COPY_RMAP: number;
  private readonly FK_COPY_DONE: number;
  private readonly FK_COW: number;
  private readonly FK_COW_DONE: number;
  private readonly FK_COW_ADD: number;
  private readonly FK_DROP: number;
  private readonly FK_DROP_NEXT: number;
  private readonly FK_DROP_PTES: number;
  private readonly FK_DROP_RMAP: number;
  private readonly FK_DROP_DONE: number;
  readonly opAdd: number;
  readonly opDel: number;
  private readonly first: number;
  private readonly end: number;
  /** The node's pte_chains (rmap.ts), under `lru: rmap`; null otherwise. */
  readonly chains: RmapChains | null;
  /** First page of each program's text in the file set. */
  private readonly textBase: Int32Array;
  private readonly filePages: number;
  // Per CPU index: the copied mm (anonymous and text ptes of the parent, its node), the COW faults
  // taken and to take, the position of the copy or drop under way, where to go on.
  private readonly copiedAnon: Int32Array;
  private readonly copiedText: Int32Array;
  private readonly parentNode: Int32Array;
  private readonly cowLeft: Int32Array;
  private readonly cowDone: Int32Array;
  private readonly pos: Int32Array;
  private readonly next: Int32Array;
  private readonly hookNext: Int32Array;
  // Statistics (observation only).
  forks = 0;
  /** Processes started by vfork (no copy). */
  vforks = 0;
  ptesCopied = 0;
  ptesDropped = 0;
  cowFaults = 0;

  constructor(
    private readonly lp: PageCacheCore,
    protocol: Numbering,
    private readonly processes: readonly ForkProcess[],
    filePages: number,
    filePagesHere: number,
    /** Page slots per CPU: COW copies use the first ones, before exec. */
    slots: number,
    /** The programs' file faults are their text (kernbench): a parent's mapped text is copied too; otherwise (a reader's random file pages) a parent maps none. */
    private readonly textFaults: boolean,
  ) {
    [this.FK_COPY, this.FK_COPY_RMAP, this.FK_COPY_DONE, this.FK_COW, this.FK_COW_DONE, this.FK_COW_ADD, this.FK_DROP, this.FK_DROP_NEXT, this.FK_DROP_PTES, this.FK_DROP_RMAP, this.FK_DROP_DONE] = protocol.steps;
    [this.opAdd, this.opDel] = protocol.ops;
    this.first = protocol.firstStep;
    this.end = protocol.stepEnd;
    this.chains = lp.s.cfg.lru === 'rmap' ? new RmapChains(lp, filePagesHere) : null;
    this.filePages = filePages;
    this.textBase = new Int32Array(processes.length);
    for (let k = 1; k < processes.length; k++) this.textBase[k] = this.textBase[k - 1] + processes[k - 1].fileFaults;
    const c = lp.s.topo.cpusPerNode;
    this.copiedAnon = new Int32Array(c);
    this.copiedText = new Int32Array(c);
    this.parentNode = new Int32Array(c);
    this.cowLeft = new Int32Array(c);
    this.cowDone = new Int32Array(c);
    this.pos = new Int32Array(c);
    this.next = new Int32Array(c);
    this.hookNext = new Int32Array(c);
    this.maxCow = Math.max(0, Math.min(lp.s.cfg.cowFaultsBeforeExec ?? COW_FAULTS_DEFAULT, slots - 1));
  }

  private readonly maxCow: number;

  owns(p: number): boolean {
    return p >= this.first && p < this.end;
  }

  ownsOp(op: number): boolean {
    return op === this.opAdd || op === this.opDel;
  }

  /** The file page program `proc`'s j-th file fault maps: its text. */
  textPage(proc: number, j: number): number {
    return (this.textBase[proc] + j) % this.filePages;
  }

  /** Node and index of the parent's k-th text page. */
  private textNode(k: number): number {
    return this.textPage(0, k) % this.lp.s.topo.nodes;
  }

  private textIdx(k: number): number {
    return Math.floor(this.textPage(0, k) / this.lp.s.topo.nodes);
  }

  /** Whether the CPU's process still has a copied mm (exec drops it). */
  holdsCopy(i: number): boolean {
    return this.copiedAnon[i] + this.copiedText[i] > 0 || this.cowDone[i] > 0;
  }

  /** fork of process `proc` on CPU index `i`: copy_page_range from its parent, then the COW faults before exec; then `next`. */
  copy(i: number, proc: number, next: number): void {
    const parent = this.processes[0];
    this.forks++;
    this.copiedAnon[i] = parent.anonPages;
    this.copiedText[i] = this.textFaults ? parent.fileFaults : 0;
    this.parentNode[i] = proc === 0 ? 0 : this.lp.node;
    this.cowLeft[i] = Math.min(this.maxCow, parent.anonPages);
    this.cowDone[i] = 0;
    this.pos[i] = 0;
    this.next[i] = next;
    this.lp.prog[i] = this.FK_COPY;
  }

  /** exec's exit_mmap of the copied mm on CPU index `i`; then `next`. */
  drop(i: number, next: number): void {
    this.pos[i] = 0;
    this.next[i] = next;
    this.lp.prog[i] = this.FK_DROP;
  }

  /** Node of the parent's k-th copied pte's page (anonymous first, then text). */
  private pageNodeOf(i: number, k: number): number {
    return k < this.copiedAnon[i] ? this.parentNode[i] : this.textNode(k - this.copiedAnon[i]);
  }

  /** The page_table_lock hold over `n` ptes copied or cleared, each with its page's struct page (2.5-zone: its pte_chain_lock'd rmap inside). */
  private ptesHoldNs(i: number, n: number): number {
    const s = this.lp.s;
    const rmap25 = s.cfg.lru === '2.5-zone' ? s.cfg.costs.rmapOpNs : 0;
    let ns = 0;
    for (let k = 0; k < n; k++) ns += s.cfg.costs.pteSetNs + this.lp.structPageNs(this.pageNodeOf(i, k)) + rmap25;
    return ns + this.lp.pteAccessNs(i);
  }

  /** A reverse-map operation on the k-th copied pte's page, under pagemap_lru_lock: stored chain (text) on its node, else here. */
  private rmapOp(i: number, cpu: number, k: number, op: number, next: number): void {
    const s = this.lp.s;
    const text = k >= this.copiedAnon[i];
    const node = text ? this.textNode(k - this.copiedAnon[i]) : this.lp.node;
    const arg = text ? this.textIdx(k - this.copiedAnon[i]) + 1 : 0;
    const caller = op === this.opAdd ? s.callers.page_add_rmap : s.callers.page_remove_rmap;
    this.lp.lockedOp(i, cpu, s.pagemapLruLock, caller, op, node, arg, s.cfg.costs.rmapOpNs + this.lp.structPageNs(this.pageNodeOf(i, k)), LINES_LRU, next);
  }

  step(i: number, cpu: number, p: number): boolean {
    const lp = this.lp;
    const s = lp.s;
    const n = this.copiedAnon[i] + this.copiedText[i];
    switch (p) {
      case this.FK_COPY:
        // copy_page_range: the parent's page_table_lock over the copy; under rmap kept while each pte's page_add_rmap nests inside.
        this.ptesCopied += n;
        if (this.chains !== null) lp.cpuState.opKeep[i] = 1;
        lp.lockedOp(i, cpu, lp.ptlOf(cpu), s.callers.copy_page_range, OP_NONE, -1, 0, this.ptesHoldNs(i, n), 0, this.chains !== null ? this.FK_COPY_RMAP : this.FK_COPY_DONE);
        return false;
      case this.FK_COPY_RMAP:
        if (this.pos[i] < n) {
          this.rmapOp(i, cpu, this.pos[i]++, this.opAdd, this.FK_COPY_RMAP);
          return false;
        }
        lp.dropLock(i, cpu, lp.ptlOf(cpu));
        lp.prog[i] = this.FK_COPY_DONE;
        return true;
      case this.FK_COPY_DONE:
        lp.prog[i] = this.FK_COW;
        return true;
      case this.FK_COW:
        if (this.cowLeft[i] === 0) {
          lp.prog[i] = this.next[i];
          return true;
        }
        // do_wp_page on the next parent page the child writes: its copy goes in page slot cowDone.
        this.cowLeft[i]--;
        lp.slot[i] = this.cowDone[i];
        this.begin(i, P_FAULT, this.FK_COW_DONE);
        lp.cpuState.faultKind[i] = FAULT_COW;
        return true;
      case this.FK_COW_DONE:
        if (lp.pageFrame[i * lp.S + lp.slot[i]] >= 0) {
          this.cowDone[i]++;
          this.cowFaults++;
        }
        lp.prog[i] = this.FK_COW;
        return true;
      case this.FK_COW_ADD:
        // do_wp_page, after page_remove_rmap of the parent's page: page_add_rmap of the copy.
        lp.lockedOp(i, cpu, s.pagemapLruLock, s.callers.page_add_rmap, this.opAdd, lp.node, 0, s.cfg.costs.rmapOpNs + lp.structPageNs(lp.cpuState.pageNode[i * lp.S + lp.slot[i]]), LINES_LRU, this.hookNext[i]);
        return false;
      case this.FK_DROP:
        // The COW copies first: unmapped and freed as any anonymous page.
        if (this.pos[i] < this.cowDone[i]) {
          lp.slot[i] = this.pos[i]++;
          this.begin(i, P_UNMAP, this.FK_DROP);
          return true;
        }
        lp.prog[i] = this.FK_DROP_NEXT;
        if (lp.pagevecs.count[i] > 0) lp.pagevecs.startDrain(i, lp.pagevecs.op[i], this.FK_DROP_NEXT);
        return true;
      case this.FK_DROP_NEXT: {
        // zap_page_range of the other copied ptes (the COW'd ones now map the copies, gone above).
        const left = n - this.cowDone[i];
        this.ptesDropped += left;
        this.pos[i] = this.cowDone[i];
        if (this.chains !== null) lp.cpuState.opKeep[i] = 1;
        lp.lockedOp(i, cpu, lp.ptlOf(cpu), s.callers.zap_page_range, OP_NONE, -1, 0, this.ptesHoldNs(i, left), 0, this.chains !== null ? this.FK_DROP_RMAP : this.FK_DROP_DONE);
        return false;
      }
      case this.FK_DROP_RMAP:
        if (this.pos[i] < n) {
          this.rmapOp(i, cpu, this.pos[i]++, this.opDel, this.FK_DROP_RMAP);
          return false;
        }
        lp.dropLock(i, cpu, lp.ptlOf(cpu));
        lp.prog[i] = this.FK_DROP_DONE;
        return true;
      case this.FK_DROP_DONE:
        this.copiedAnon[i] = 0;
        this.copiedText[i] = 0;
        this.cowDone[i] = 0;
        lp.prog[i] = this.next[i];
        return true;
    }
    invariant(false, `CPU ${cpu} is at step ${p}, which is not fork.c's`);
  }

  /** Starts the fault path (fault-path.ts) at `p`, going on at `next` when it ends. */
  private begin(i: number, p: number, next: number): void {
    this.lp.cpuState.cont[i] = next;
    this.lp.prog[i] = p;
  }

  // The fault path's reverse-map calls (RmapHook), under rmap.

  faultAdd(i: number, cpu: number, next: number): void {
    const s = this.lp.s;
    this.hookNext[i] = next;
    if (this.lp.cpuState.faultKind[i] === FAULT_COW) {
      // do_wp_page: page_remove_rmap of the parent's page (the child's entry, at its chain's head), then the copy's page_add_rmap.
      this.lp.lockedOp(i, cpu, s.pagemapLruLock, s.callers.page_remove_rmap, this.opDel, this.lp.node, 0, s.cfg.costs.rmapOpNs + this.lp.structPageNs(this.parentNode[i]), LINES_LRU, this.FK_COW_ADD);
      return;
    }
    this.lp.lockedOp(i, cpu, s.pagemapLruLock, s.callers.page_add_rmap, this.opAdd, this.lp.node, 0, s.cfg.costs.rmapOpNs + this.lp.structPageNs(this.lp.cpuState.pageNode[i * this.lp.S + this.lp.slot[i]]), LINES_LRU, next);
  }

  unmapRemove(i: number, cpu: number, next: number): void {
    const s = this.lp.s;
    this.lp.lockedOp(i, cpu, s.pagemapLruLock, s.callers.page_remove_rmap, this.opDel, this.lp.node, 0, s.cfg.costs.rmapOpNs + this.lp.structPageNs(this.lp.cpuState.pageNode[i * this.lp.S + this.lp.slot[i]]), LINES_LRU, next);
  }

  /** The chain operations, on the page's node under pagemap_lru_lock: arg is the file page's index + 1, or 0 for a page without a stored chain. */
  applyOp(op: number, arg: number): number {
    const chains = this.chains;
    invariant(chains !== null, 'a reverse-map operation without pte_chains');
    this.lp.opExtraNs += op === this.opAdd ? chains.add(arg - 1, this.lp.opCpu) : chains.remove(arg - 1, this.lp.opCpu);
    return 0;
  }
}

/** fork's counters and the pte_chains' over the nodes (`forkCow`; nothing when it is off). */
export function forkReport(forks: readonly (ForkCow | null)[]): { fork?: ForkReport } {
  if (forks.length === 0 || forks[0] === null) return {};
  const all = forks as readonly ForkCow[];
  const sum = (g: (x: ForkCow) => number) => all.reduce((s, x) => s + g(x), 0);
  const chains = (g: (r: RmapChains) => number) => sum((x) => (x.chains === null ? 0 : g(x.chains)));
  const removes = chains((r) => r.removes);
  return {
    fork: {
      forks: sum((x) => x.forks),
      vforks: sum((x) => x.vforks),
      ptesCopied: sum((x) => x.ptesCopied),
      ptesDropped: sum((x) => x.ptesDropped),
      cowFaults: sum((x) => x.cowFaults),
      rmapAdds: chains((r) => r.adds),
      rmapRemoves: removes,
      chainWalkMean: removes === 0 ? 0 : Math.round((1000 * chains((r) => r.walked)) / removes) / 1000,
      chainWalkMax: Math.max(0, ...all.map((x) => x.chains?.walkMax ?? 0)),
      freelistRefills: chains((r) => r.refills),
    },
  };
}
