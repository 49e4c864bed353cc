/**
 * `page-fault`: will-it-scale's page_fault1 on the NUMA memory model, one LP per node.
 *
 * Each CPU runs its own process (its own mm and `mm->page_table_lock`) that loops: fault every
 * page of an anonymous region (`do_anonymous_page`, mm/mm-node.ts), then unmap it
 * (`zap_page_range`), then think. Follows Linux 2.4 mm/memory.c through the shared kernel paths
 * of MmNode; with `pagevec` the batch is drained after the faults and after the unmaps.
 *
 * Simplified: no reclaim (page_fault1 frees what it faults; an allocation that fails every pass
 * is counted, and the CPU goes on); kswapd is woken (counted) but does not run.
 */
import type { PageFaultConfig, PageFaultResult } from '@numasim/shared';
import type { Kernel } from '../engine/kernel.js';
import { DurationSampler } from '../engine/distributions.js';
import { Topology } from '../machine/topology.js';
import { memoryMap } from '../machine/memory-map.js';
import { FAULT_ANON, MM_PROTOCOL, MmNode } from '../mm/mm-node.js';
import { buildMmShared, type MmShared } from '../mm/mm-shared.js';
import { faultLatency, memoryReport, zoneReports } from '../mm/mm-report.js';
import type { Model } from './model.js';

/** page_fault1's numbers, after the node's own. */
const PAGE_FAULT_PROTOCOL = MM_PROTOCOL.extend('page-fault', { steps: ['cycle', 'fault next', 'faults done', 'unmap next', 'cycle done'] });
const [P_CYCLE, P_FAULT_NEXT, P_FAULTS_DONE, P_UNMAP_NEXT, P_CYCLE_DONE] = PAGE_FAULT_PROTOCOL.steps;

class PageFaultNode extends MmNode {
  cycles = 0;

  constructor(
    kernel: Kernel,
    node: number,
    s: MmShared,
    private readonly think: DurationSampler,
  ) {
    super(kernel, node, s, (s.cfg as PageFaultConfig).pagesPerCycle);
  }

  start(lp: number): void {
    for (let i = 0; i < this.s.topo.cpusPerNode; i++) this.startCpu(lp, this.first + i, P_CYCLE, this.think.sample(this.rng));
  }

  protected override program(i: number, cpu: number, p: number): boolean {
    switch (p) {
      case P_CYCLE:
        this.slot[i] = 0;
        this.faults.begin(i, FAULT_ANON, P_FAULT_NEXT);
        return true;
      case P_FAULT_NEXT:
        if (++this.slot[i] < this.S) this.faults.begin(i, FAULT_ANON, P_FAULT_NEXT);
        else this.flushPagevec(i, P_FAULTS_DONE);
        return true;
      case P_FAULTS_DONE:
        this.slot[i] = 0;
        this.faults.beginUnmap(i, P_UNMAP_NEXT);
        return true;
      case P_UNMAP_NEXT:
        if (++this.slot[i] < this.S) this.faults.beginUnmap(i, P_UNMAP_NEXT);
        else this.flushPagevec(i, P_CYCLE_DONE);
        return true;
      case P_CYCLE_DONE:
        this.cycles++;
        this.prog[i] = P_CYCLE;
        this.after(cpu, this.think.sample(this.rng));
        return false;
    }
    return super.program(i, cpu, p);
  }
}

export function buildPageFault(kernelFor: (lookaheadNs: number) => Kernel, cfg: PageFaultConfig): Model {
  const topo = new Topology(cfg);
  const shared = buildMmShared(cfg, topo, memoryMap(cfg.layout, cfg.nodes, cfg.memPerNodeMiB, cfg.lowmemMiB));
  const think = new DurationSampler(cfg.thinkNs);
  const kernel = kernelFor(topo.lookaheadNs);
  const nodes: PageFaultNode[] = [];
  for (let n = 0; n < cfg.nodes; n++) {
    const lp = new PageFaultNode(kernel, n, shared, think);
    nodes.push(lp);
    lp.start(kernel.addLp(lp));
  }
  return {
    kernel,
    topology: topo,
    registry: shared.registry,
    lockStats: () => nodes.map((n) => n.client.stats),
    checkInvariants: () => nodes.forEach((n) => n.mem.checkInvariants()),
    memory: () => memoryReport(cfg, nodes),
    zones: () => zoneReports(nodes),
    result: (simulatedNs): PageFaultResult => {
      const { faults, latency } = faultLatency(nodes);
      return {
        kind: 'page-fault',
        faults,
        faultsPerSecond: (faults * 1e9) / simulatedNs,
        cycles: nodes.reduce((s, n) => s + n.cycles, 0),
        allocationFailures: nodes.reduce((s, n) => s + n.allocationFailures, 0),
        faultLatencyNs: latency,
        perNode: nodes.map((lp) => ({ node: lp.node, faults: lp.faults.anonFaults.reduce((a, b) => a + b, 0) })),
      };
    },
  };
}
