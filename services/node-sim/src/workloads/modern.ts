/**
 * The modern workload kinds (will-it-scale, pft, kbuild, readtwice) as drivers of ModernNode: each
 * says what a CPU's task does next when its phase ends. Tasks sit on CPUs 0 … tasks−1 in order
 * (hwloc's order, which will-it-scale binds by: the first socket's CPUs first) and stay there;
 * task k runs in memory cgroup k mod containers (kbuild: instance i in cgroup i mod containers).
 */
import type { KbuildConfig, ModernConfig, ModernResult, PftConfig, ReadtwiceConfig, WillItScaleConfig } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import type { Model } from './model.js';
import { ModernNode, type TaskDriver } from './modern-node.js';
import { PH_COW, PH_FAULT, PH_READ, PH_REREAD, PH_UNMAP } from './modern-ops.js';
import { buildModernShared, ZONE_LOCK_CLASS, type ModernShared } from './modern-shared.js';
import { mergeLockStats } from '../run/lock-report.js';
import { LRU_LOCK_CLASS } from '../mm/lruvec.js';
import { MMAP_LOCK_CLASS, PTL_MM_CLASS, PTL_SPLIT_CLASS } from '../mm/mmap-lock.js';

const PAGES_PER_MIB = 256;

/**
 * will-it-scale page_fault1/2: mmap → write every page → munmap, in a loop. Its page_fault1.c and
 * page_fault2.c count an iteration per page written, so the score is faults per second.
 */
function willItScaleDriver(cfg: WillItScaleConfig): TaskDriver {
  return loopDriver([cfg.test === 'page_fault2' ? PH_COW : PH_FAULT, PH_UNMAP], cfg.regionMiB * PAGES_PER_MIB, true);
}

/** pft: the tasks fault their share of one region, unmap it, and again. */
function pftDriver(cfg: PftConfig, tasks: number): TaskDriver {
  return loopDriver([PH_FAULT, PH_UNMAP], Math.max(1, Math.floor((cfg.regionMiB * PAGES_PER_MIB) / tasks)), true);
}

/**
 * A loop of page phases over `pages` pages each (`phases`, the mmap first when `mmap`). A task
 * starts at a uniformly random page of its loop, as if it had been running long before the
 * simulated window: benchmarks report the steady state, and tasks all starting their first
 * mapping together would keep the free path idle for a whole first phase (half a simulated second
 * for page_fault1's 128 MB at full load).
 */
function loopDriver(phases: readonly number[], pages: number, mmap: boolean): TaskDriver {
  const n = phases.length;
  return {
    next(node, i) {
      let st = node.stage[i];
      if (st === 0) {
        const at = Math.floor(node.random() * n * pages);
        const k = Math.floor(at / pages);
        node.stage[i] = 1 + (k + 1) * 2;
        return node.begin(i, phases[k], pages - (at % pages));
      }
      // Stage 2k + 1 is the step before phase k (the mmap before the first), stage 2k + 2 phase k.
      st = node.stage[i]++;
      const k = ((st - 1) >> 1) % n;
      if ((st & 1) === 1) {
        if (mmap && k === 0) node.mmap(i);
        else node.user(i, 0);
      } else node.begin(i, phases[k], pages);
    },
  };
}

/**
 * kbuild: each CPU works through the compile jobs of the make slots placed on it. A job: fork and
 * exec, then user time with its anonymous memory faulted in four parts along the way, then exit
 * (the memory unmapped and freed).
 */
function kbuildDriver(cfg: KbuildConfig, jobsOnCpu: Int32Array, memcgOfCpu: Int32Array): TaskDriver {
  const PARTS = 4;
  const partPages = Math.max(1, Math.floor(cfg.jobAnonPages / PARTS));
  const partNs = Math.round(cfg.jobCpuNs / PARTS);
  return {
    next(node, i) {
      const cpu = node.first + i;
      const st = node.stage[i]++;
      if (st === 0) {
        node.memcg[i] = memcgOfCpu[cpu];
        node.work[i] = jobsOnCpu[cpu];
      }
      const k = st % (2 * PARTS + 2);
      if (k === 0) {
        if (st > 0) {
          node.jobsDone++;
          node.work[i]--;
          node.lastDoneNs = Math.max(node.lastDoneNs, node.now);
        }
        if (node.work[i] <= 0) return node.idle(i);
        node.user(i, cfg.execNs);
      } else if (k <= 2 * PARTS) {
        if (k % 2 === 1) node.begin(i, PH_FAULT, partPages);
        else node.user(i, partNs);
      } else node.begin(i, PH_UNMAP, partPages * PARTS);
    },
  };
}

/**
 * readtwice: read the file, read it again, then the next file. The pages stay in the page cache
 * until reclaim takes them (workloads/modern-reclaim.ts): the files together exceed memory. A
 * reader starts at a uniformly random page of its two passes (as loopDriver's tasks do); its own
 * sequence, since a first read must be followed by the re-read of the same file.
 */
function readtwiceDriver(cfg: ReadtwiceConfig): TaskDriver {
  const pages = cfg.fileMiB * PAGES_PER_MIB;
  // stage: 0 not started, 1 the first read of a new file is next, 2 the re-read is next.
  return {
    next(node, i) {
      const st = node.stage[i];
      if (st === 0) {
        const at = Math.floor(node.random() * 2 * pages);
        const reread = at >= pages;
        node.stage[i] = reread ? 1 : 2;
        return node.begin(i, reread ? PH_REREAD : PH_READ, pages - (at % pages));
      }
      node.stage[i] = st === 1 ? 2 : 1;
      node.begin(i, st === 1 ? PH_READ : PH_REREAD, pages);
    },
  };
}

export function buildModern(kernelFor: (lookaheadNs: number) => Kernel, cfg: ModernConfig): Model {
  const s = buildModernShared(cfg);
  const { topo, registry } = s;
  const cpus = topo.cpus;
  const tasks = cfg.kind === 'kbuild' ? Math.min(cpus, cfg.instances * cfg.makeJobs) : cfg.tasks || cpus;
  const jobsOnCpu = new Int32Array(cpus);
  const memcgOfCpu = new Int32Array(cpus);
  let driver: TaskDriver;
  switch (cfg.kind) {
    case 'will-it-scale':
      driver = willItScaleDriver(cfg);
      break;
    case 'pft':
      driver = pftDriver(cfg, tasks);
      break;
    case 'readtwice':
      driver = readtwiceDriver(cfg);
      break;
    case 'kbuild': {
      // make slot j of instance m runs on CPU (m × makeJobs + j) mod CPUs; an instance's jobs are dealt over its slots. With more
      // slots than CPUs a CPU runs its slots' jobs one after another, in the cgroup of the last instance placed on it (simplified).
      for (let m = 0; m < cfg.instances; m++) {
        for (let j = 0; j < cfg.makeJobs; j++) {
          const cpu = (m * cfg.makeJobs + j) % cpus;
          jobsOnCpu[cpu] += Math.floor(cfg.jobsPerInstance / cfg.makeJobs) + (j < cfg.jobsPerInstance % cfg.makeJobs ? 1 : 0);
          memcgOfCpu[cpu] = m % cfg.containers;
        }
      }
      driver = kbuildDriver(cfg, jobsOnCpu, memcgOfCpu);
      break;
    }
  }
  const kernel = kernelFor(topo.lookaheadNs);
  const nodes: ModernNode[] = [];
  for (let n = 0; n < cfg.nodes; n++) {
    const lp = new ModernNode(kernel, n, s, driver);
    for (let i = 0; i < lp.cpus; i++) if (cfg.kind !== 'kbuild') lp.memcg[i] = (lp.first + i) % cfg.containers;
    const id = kernel.addLp(lp);
    nodes.push(lp);
    lp.start(id, (cpu) => (cfg.kind === 'kbuild' ? jobsOnCpu[cpu] > 0 : cpu < tasks));
  }
  const totalJobs = cfg.kind === 'kbuild' ? cfg.instances * cfg.jobsPerInstance : 0;
  const sum = (f: (n: ModernNode) => number) => nodes.reduce((a, n) => a + f(n), 0);
  return {
    kernel,
    topology: topo,
    registry,
    lockStats: () => nodes.map((n) => n.client.stats),
    checkInvariants: () => nodes.forEach((n) => n.checkInvariants()),
    ...(cfg.kind === 'kbuild' ? { progress: () => ({ unit: 'jobs' as const, done: sum((n) => n.jobsDone), total: totalJobs }) } : {}),
    result: (simulatedNs) => modernResult(cfg, s, nodes, tasks, simulatedNs, totalJobs),
  };
}

function modernResult(cfg: ModernConfig, s: ModernShared, nodes: ModernNode[], tasks: number, simulatedNs: number, totalJobs: number): ModernResult {
  const { registry } = s;
  const stats = mergeLockStats(registry, nodes.map((n) => n.client.stats));
  const nc = registry.callerCount;
  const cycles = s.topo.cpus * simulatedNs;
  const share = (ns: number) => Math.round((1e5 * ns) / cycles) / 1000;
  const waitOf = (cls: string, caller?: string) => {
    let t = 0;
    for (let l = 0; l < registry.lockCount; l++) {
      if (registry.classes[l] !== cls) continue;
      for (let c = 0; c < nc; c++) if (caller === undefined || registry.callers[c] === caller) t += stats.waitTotal[l * nc + c];
    }
    return t;
  };
  const acquisitionsOf = (cls: string) => {
    let t = 0;
    for (let l = 0; l < registry.lockCount; l++) if (registry.classes[l] === cls) for (let c = 0; c < nc; c++) t += stats.acquisitions[l * nc + c];
    return t;
  };
  const sum = (f: (n: ModernNode) => number) => nodes.reduce((a, n) => a + f(n), 0);
  const alloc = share(waitOf(ZONE_LOCK_CLASS, 'rmqueue_bulk'));
  const free = share(waitOf(ZONE_LOCK_CLASS, 'free_pcppages_bulk'));
  const seconds = simulatedNs / 1e9;
  const iterations = sum((n) => n.pgfault);
  const pgfault = sum((n) => n.pgfault);
  const out: ModernResult = {
    kind: cfg.kind,
    tasks,
    zoneLockSpin: { allocPercent: alloc, freePercent: free, totalPercent: share(waitOf(ZONE_LOCK_CLASS)) },
    lruLockSpinPercent: share(waitOf(LRU_LOCK_CLASS)),
    mmapLockSpinPercent: share(waitOf(MMAP_LOCK_CLASS)),
    ptlSpinPercent: share(waitOf(PTL_MM_CLASS) + waitOf(PTL_SPLIT_CLASS)),
    pcp: { batch: s.pcp.batch, high: nodes[0].pcp.high[0] },
    vmstat: {
      pgalloc: sum((n) => n.pgalloc),
      pgfree: sum((n) => n.pgfree),
      pgfault,
      pgactivate: sum((n) => n.pgactivate),
      zoneLockAcquisitions: acquisitionsOf(ZONE_LOCK_CLASS),
      lruLockAcquisitions: acquisitionsOf(LRU_LOCK_CLASS),
      mmapLockAcquisitions: acquisitionsOf(MMAP_LOCK_CLASS),
      vmaLockRetry: sum((n) => n.vmaFallbacks),
    },
  };
  if (cfg.kind === 'will-it-scale') {
    out.iterations = iterations;
    out.score = Math.round((iterations / seconds) * 1000) / 1000;
  } else if (cfg.kind === 'pft') out.faultsPerSecond = Math.round(pgfault / seconds);
  else if (cfg.kind === 'kbuild') {
    const done = sum((n) => n.jobsDone);
    out.jobsDone = done;
    out.completionNs = done === totalJobs ? Math.max(...nodes.map((n) => n.lastDoneNs)) : simulatedNs;
  } else {
    out.throughputMBps = Math.round(((sum((n) => n.pagesRead) * 4096) / 1e6 / seconds) * 1000) / 1000;
    const r = (f: (x: ModernNode['reclaim']) => number) => sum((n) => f(n.reclaim));
    out.reclaim = {
      pgscanKswapd: r((x) => x.pgscanKswapd),
      pgscanDirect: r((x) => x.pgscanDirect),
      pgstealKswapd: r((x) => x.pgstealKswapd),
      pgstealDirect: r((x) => x.pgstealDirect),
      pgrefill: r((x) => x.pgrefill),
      pgdeactivate: r((x) => x.pgdeactivate),
      allocstall: r((x) => x.allocstall),
      kswapdWakes: r((x) => x.kswapdWakes),
      lruLockSpinPercent: {
        lruAdd: share(waitOf(LRU_LOCK_CLASS, 'lru_add')),
        folioActivate: share(waitOf(LRU_LOCK_CLASS, 'folio_activate')),
        shrinkInactiveList: share(waitOf(LRU_LOCK_CLASS, 'shrink_inactive_list')),
        shrinkActiveList: share(waitOf(LRU_LOCK_CLASS, 'shrink_active_list')),
      },
    };
  }
  return out;
}
