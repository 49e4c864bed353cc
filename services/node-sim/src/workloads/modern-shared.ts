/**
 * What every node LP of a modern workload reads and none writes: the configuration, the machine,
 * the locks (zone->lock per zone instance, the LRU locks, mmap_lock in thread mode), the per-CPU
 * list limits and the per-page costs of each phase.
 */
import type { ModernConfig } from '@numasim/shared';
import { Topology } from '../machine/topology.js';
import { LockRegistry } from '../locks/lock-registry.js';
import type { LockTableConfig } from '../locks/spinlock.js';
import { pcpLimits, type PcpLimits } from '../mm/pcp.js';
import { declareLruLocks } from '../mm/lruvec.js';
import { MMAP_LOCK_CLASS, mmapLockModel, PTL_MM_CLASS, PTL_SPLIT_CLASS, VMA_LOCK_CLASS, type MmapLockModel } from '../mm/mmap-lock.js';
import type { HandoffPolicy } from '../locks/spinlock.js';
import { OP_CALLERS, OP_MODES, PH_COW, PH_FAULT, PH_MMAP, PH_READ, PH_REREAD, PH_UNMAP, PH_USER } from './modern-ops.js';

export const ZONE_LOCK_CLASS = 'zone->lock';

export interface ModernShared {
  readonly cfg: ModernConfig;
  readonly topo: Topology;
  readonly registry: LockRegistry;
  readonly locks: LockTableConfig;
  /** zone->lock of node n's instance z: zoneLocks[n * zoneInstances + z]. */
  readonly zoneLocks: Int32Array;
  readonly lruLocks: Int32Array;
  /** The shared mm's mmap_lock (thread mode), or −1. */
  readonly mmapLock: number;
  /**
   * Per CPU (global id), the locks its task's faults take (−1: none): its mm's mmap_lock, its VMA's
   * lock (vmaLocks), its ptl (mm->page_table_lock or its split ptl). In thread mode mmap_lock is the
   * shared one; a lock in `privateLock` is only ever taken by its CPU (counted in bulk, mm/mmap-lock.ts).
   */
  readonly mmapOf: Int32Array;
  readonly vmaOf: Int32Array;
  readonly ptlOf: Int32Array;
  /** 1 by lock id for a lock only its own CPU takes (a process's own mmap_lock, VMA lock, ptl). */
  readonly privateLock: Uint8Array;
  /** 1 by lock id for a zone or LRU lock: taken only by its node's CPUs, through locks/local-ticket.ts (unless tas). */
  readonly nodeLocal: Uint8Array;
  readonly mmapModel: MmapLockModel;
  /** Caller id of each lock operation. */
  readonly callers: Int32Array;
  readonly pcp: PcpLimits;
  readonly buddy: { missNs: number; buddyPageNs: number; mergeMisses: number; mergeOnFree: boolean };
  /** Time per page of each phase outside any lock, ns, by phase number. */
  readonly pageNs: Float64Array;
  /** The same for a thread-mode fault (PH_FAULT, PH_COW), whose shared locks are charged through the locks. */
  readonly threadPageNs: Float64Array;
}

/** Whether the workload's tasks share one mm (thread mode). */
export function threadMode(cfg: ModernConfig): boolean {
  return (cfg.kind === 'will-it-scale' || cfg.kind === 'pft') && cfg.mode === 'thread';
}

export function buildModernShared(cfg: ModernConfig): ModernShared {
  const topo = new Topology(cfg);
  const registry = new LockRegistry();
  const zoneLocks = new Int32Array(cfg.nodes * cfg.zoneInstances);
  for (let n = 0; n < cfg.nodes; n++) {
    for (let z = 0; z < cfg.zoneInstances; z++) {
      zoneLocks[n * cfg.zoneInstances + z] = registry.addLock(cfg.zoneInstances === 1 ? `zone->lock[node ${n} Normal]` : `zone->lock[node ${n} Normal ${z}]`, ZONE_LOCK_CLASS, n);
    }
  }
  const lruLocks = declareLruLocks(registry, cfg.lruLock, cfg.nodes, cfg.containers);
  const localCount = registry.lockCount;
  const thread = threadMode(cfg);
  const faults = cfg.kind !== 'readtwice';
  const taskCpus = !faults ? 0 : cfg.kind === 'kbuild' ? Math.min(topo.cpus, cfg.instances * cfg.makeJobs) : cfg.tasks || topo.cpus;
  const mmapOf = new Int32Array(topo.cpus).fill(-1);
  const vmaOf = new Int32Array(topo.cpus).fill(-1);
  const ptlOf = new Int32Array(topo.cpus).fill(-1);
  const priv: number[] = [];
  const privateOn = (id: number) => (priv.push(id), id);
  const mmapLock = thread ? registry.addLock('mmap_lock', MMAP_LOCK_CLASS, 0, 'rwsem') : -1;
  const regionVma = thread && cfg.vmaLocks && cfg.kind === 'pft' ? registry.addLock('vma_lock[region]', VMA_LOCK_CLASS, 0, 'rwsem') : -1;
  const mmPtl = thread && cfg.pteLocks === 'mm' ? registry.addLock('mm->page_table_lock', PTL_MM_CLASS, 0) : -1;
  for (let cpu = 0; cpu < taskCpus; cpu++) {
    const node = topo.cpuNode[cpu];
    const mm = thread ? `task ${cpu}` : `mm ${cpu}`;
    mmapOf[cpu] = thread ? mmapLock : privateOn(registry.addLock(`mmap_lock[${mm}]`, MMAP_LOCK_CLASS, node, 'rwsem'));
    if (cfg.vmaLocks) vmaOf[cpu] = regionVma >= 0 ? regionVma : thread ? registry.addLock(`vma_lock[${mm}]`, VMA_LOCK_CLASS, node, 'rwsem') : privateOn(registry.addLock(`vma_lock[${mm}]`, VMA_LOCK_CLASS, node, 'rwsem'));
    if (mmPtl >= 0) ptlOf[cpu] = mmPtl;
    else ptlOf[cpu] = privateOn(registry.addLock(cfg.pteLocks === 'mm' ? `mm->page_table_lock[${mm}]` : `ptl[${mm}]`, cfg.pteLocks === 'mm' ? PTL_MM_CLASS : PTL_SPLIT_CLASS, node));
  }
  const callers = Int32Array.from(OP_CALLERS, (name, op) => (name === '' ? -1 : registry.caller(name, OP_MODES[op])));
  registry.freeze();
  const privateLock = new Uint8Array(registry.lockCount);
  for (const id of priv) privateLock[id] = 1;
  const nodeLocal = new Uint8Array(registry.lockCount);
  nodeLocal.fill(1, 0, localCount);
  const c = cfg.costs;
  const managedPages = (cfg.memPerNodeMiB * 256) / cfg.zoneInstances;
  const pcp = pcpLimits({
    batch: cfg.pcpBatch,
    high: cfg.pcpHigh,
    era: cfg.kernelEra,
    managedPages,
    totalPages: cfg.nodes * cfg.memPerNodeMiB * 256,
    zoneCpus: Math.ceil(cfg.cpusPerNode / cfg.zoneInstances),
  });
  const pageNs = new Float64Array(8);
  // A fault: entry and exit, the page cleared (COW: copied from the page-cache page, found by a lookup that misses once), the pte set
  // under the split PTE lock (its atomic), and a private mm's mmap_read_lock atomic (thread mode takes the shared lock instead).
  pageNs[PH_FAULT] = c.pageFaultNs + c.pageClearNs + c.pteSetNs + c.lockAtomicNs * 2;
  pageNs[PH_COW] = c.pageFaultNs + c.pageCopyNs + c.memLocalNs + c.pteSetNs + c.lockAtomicNs * 2;
  // A read() of a page of a sparse file: the hole's page allocated and zeroed into the page cache (under the file's own
  // xa_lock: private, its atomic), copied out; a re-read finds it cached and copies it.
  const copy = cfg.kind === 'readtwice' ? cfg.copyNsPerPage : c.pageCopyNs;
  pageNs[PH_READ] = c.syscallNs + c.pageClearNs + copy + c.lockAtomicNs;
  pageNs[PH_REREAD] = c.syscallNs + copy;
  pageNs[PH_UNMAP] = cfg.mmCosts.zapPageNs;
  // Thread mode, a fault at a time: the shared mmap_lock's (or VMA lock's) atomics are its rwsem's, and a shared
  // page_table_lock is held for the pte set through the lock; what is left is the entry, the clearing (copy) and a private ptl.
  const ptlInline = mmPtl >= 0 ? 0 : c.pteSetNs + c.lockAtomicNs;
  const threadPageNs = new Float64Array(8);
  threadPageNs[PH_FAULT] = c.pageFaultNs + c.pageClearNs + ptlInline;
  threadPageNs[PH_COW] = c.pageFaultNs + c.pageCopyNs + c.memLocalNs + ptlInline;
  pageNs[PH_USER] = 0;
  pageNs[PH_MMAP] = 0;
  const handoff = { sameCpu: 0, sameNode: c.lineSameNodeNs, remote: c.lineRemoteNs };
  return {
    cfg,
    topo,
    registry,
    locks: {
      policy: registry.types.map((t): HandoffPolicy => (t === 'rwsem' ? 'rwsem' : cfg.spinlock)),
      homeNode: registry.homeNodes,
      tasLocalBias: 0,
      tasStorm: cfg.spinlock === 'tas',
      cnaThresholdNs: cfg.cnaThresholdNs,
      handoff,
    },
    zoneLocks,
    lruLocks,
    mmapLock,
    mmapOf,
    vmaOf,
    ptlOf,
    privateLock,
    nodeLocal,
    threadPageNs,
    mmapModel: mmapLockModel(c),
    callers,
    pcp,
    buddy: { missNs: c.memLocalNs, buddyPageNs: cfg.mmCosts.buddyPageNs, mergeMisses: cfg.mmCosts.mergeMissesPerFree, mergeOnFree: cfg.mergeOnFree },
    pageNs,
  };
}
