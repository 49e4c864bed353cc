/**
 * `mix`: task groups on the NUMA memory model (shared/src/workload/mix.ts), one LP per node
 * (mix-node.ts). Processes of several threads share one mm and so one `mm->page_table_lock`:
 * will-it-scale's page_fault1 in threads mode contends on it, in processes mode it does not. The
 * kernel paths are those of Linux 2.4.18 that MmNode and the highmem layer model (mm/memory.c,
 * mm/filemap.c, mm/highmem.c); phases change which groups run and how fast (mix-plan.ts).
 *
 * Simplified: see mix-node.ts (no migration, no timeslices, no munmap TLB shootdown, no page-table
 * allocation, no refault of the file set).
 */
import type { MixConfig, MixResult } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import { Topology } from '../machine/topology.js';
import { memoryMap } from '../machine/memory-map.js';
import { addKmapLocks, type KmapShared } from '../mm/highmem.js';
import { buildMmShared } from '../mm/mm-shared.js';
import { buildMixPlan } from './mix-plan.js';
import { EV_MIX_END, MixNode } from './mix-node.js';
import { mixResult } from './mix-report.js';
import type { Model } from './model.js';
import { highmemModelParts, startNodes } from '../mm/highmem-model.js';

export function buildMix(kernelFor: (lookaheadNs: number) => Kernel, cfg: MixConfig): Model {
  const topo = new Topology(cfg);
  const plan = buildMixPlan(cfg);
  const { tasks, mms } = plan.placement;
  // The address space a CPU's kmap pools belong to: its tasks' (one mm per CPU where pools are
  // per mm, as the resolver checks), or one of its own for a CPU without tasks.
  const mmOfCpu = new Int32Array(topo.cpus).fill(-1);
  for (const t of tasks) if (mmOfCpu[t.cpu] < 0) mmOfCpu[t.cpu] = t.mm;
  let spare = mms;
  for (let c = 0; c < topo.cpus; c++) if (mmOfCpu[c] < 0) mmOfCpu[c] = spare++;
  const mmLock = new Int32Array(mms);
  let km: KmapShared | undefined;
  const shared = buildMmShared(cfg, topo, memoryMap(cfg.layout, cfg.nodes, cfg.memPerNodeMiB, cfg.lowmemMiB), (add) => {
    // An mm's page_table_lock lives with the mm_struct, allocated on the node of its first task.
    const seen = new Uint8Array(mms);
    for (const t of tasks) {
      if (seen[t.mm] === 1) continue;
      seen[t.mm] = 1;
      mmLock[t.mm] = add(`mm->page_table_lock[${cfg.groups[t.group].name}/p${t.process}]`, 'mm->page_table_lock', topo.cpuNode[t.cpu]);
    }
    km = addKmapLocks(cfg, topo, mmOfCpu, add);
  });
  const kernel = kernelFor(topo.lookaheadNs);
  const nodes = startNodes(kernel, cfg.nodes, (n) => new MixNode(kernel, n, shared, km!, plan, mmLock, cfg.filePages));
  kernel.post(0, 0, cfg.durationNs, EV_MIX_END, 0, 0, 0);
  return {
    ...highmemModelParts(cfg, kernel, topo, shared, km!, nodes),
    result: (simulatedNs): MixResult => mixResult(cfg, plan, nodes, simulatedNs),
  };
}
