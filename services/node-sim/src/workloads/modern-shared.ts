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
import { MMAP_LOCK_CLASS, mmapLockModel, type MmapLockModel } from '../mm/mmap-lock.js';
import { OP_CALLERS, PH_COW, PH_FAULT, PH_MMAP, PH_READ, PH_REREAD, PH_UNMAP, PH_USER } from './modern-node.js';

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
  readonly mmapModel: MmapLockModel;
  /** Caller id of each lock operation. */
  readonly callers: Int32Array;
  readonly pcp: PcpLimits;
  readonly buddy: { missNs: number; buddyPageNs: number; mergeMisses: number; mergeOnFree: boolean };
  /** Time per page of each phase outside any lock, ns, by phase number. */
  readonly pageNs: Float64Array;
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
  const mmapLock = threadMode(cfg) ? registry.addLock('mmap_lock', MMAP_LOCK_CLASS, 0) : -1;
  const callers = Int32Array.from(OP_CALLERS, (name) => (name === '' ? -1 : registry.caller(name)));
  registry.freeze();
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
  pageNs[PH_USER] = 0;
  pageNs[PH_MMAP] = 0;
  const handoff = { sameCpu: 0, sameNode: c.lineSameNodeNs, remote: c.lineRemoteNs };
  return {
    cfg,
    topo,
    registry,
    locks: { policy: registry.names.map(() => cfg.spinlock), homeNode: registry.homeNodes, tasLocalBias: 0, tasStorm: cfg.spinlock === 'tas', handoff },
    zoneLocks,
    lruLocks,
    mmapLock,
    mmapModel: mmapLockModel(c),
    callers,
    pcp,
    buddy: { missNs: c.memLocalNs, buddyPageNs: cfg.mmCosts.buddyPageNs, mergeMisses: cfg.mmCosts.mergeMissesPerFree, mergeOnFree: cfg.mergeOnFree },
    pageNs,
  };
}
