/**
 * The machine as the model sees it: which node each CPU sits on, which LP simulates each node,
 * and what moving a cache line between two places costs. Read-only after construction, so every
 * LP (and later every thread) may consult it freely: it is configuration, not state.
 */
import { crossNodeLatencyFloorNs, lineTransferNs, type MachineConfig } from '@numasim/shared';

export class Topology {
  readonly nodes: number;
  readonly cpusPerNode: number;
  /** SMT threads per core; a node's CPUs are numbered core by core (siblings adjacent). */
  readonly threadsPerCore: number;
  readonly cpus: number;
  /**
   * CPUs plus one kernel thread per node (kswapd): ids 0 … cpus−1 are CPUs, cpus + n is node n's
   * kswapd. Locks and their statistics are indexed by these ids.
   */
  readonly threads: number;
  /** Node of each CPU and kernel thread. */
  readonly cpuNode: Int32Array;
  /** LP simulating each node. Node i is LP i: one LP per node. */
  readonly nodeLp: Int32Array;
  /** Cache-line transfer between nodes i and j, ns: `lineNs[i * nodes + j]`; same-node on the diagonal. */
  readonly lineNs: Float64Array;
  /** Smallest cross-node latency, ns; Infinity with one node. */
  readonly lookaheadNs: number;
  readonly distances: readonly (readonly number[])[];

  constructor(m: MachineConfig) {
    this.nodes = m.nodes;
    this.cpusPerNode = m.cpusPerNode;
    this.threadsPerCore = m.threadsPerCore ?? 1;
    this.cpus = m.nodes * m.cpusPerNode;
    this.distances = m.distances;
    this.threads = this.cpus + m.nodes;
    this.cpuNode = new Int32Array(this.threads);
    for (let c = 0; c < this.cpus; c++) this.cpuNode[c] = Math.floor(c / m.cpusPerNode);
    for (let n = 0; n < m.nodes; n++) this.cpuNode[this.cpus + n] = n;
    this.nodeLp = new Int32Array(m.nodes);
    for (let n = 0; n < m.nodes; n++) this.nodeLp[n] = n;
    this.lineNs = new Float64Array(m.nodes * m.nodes);
    for (let i = 0; i < m.nodes; i++)
      for (let j = 0; j < m.nodes; j++) this.lineNs[i * m.nodes + j] = lineTransferNs(m.costs, m.distances[i][j]);
    this.lookaheadNs = m.nodes > 1 ? crossNodeLatencyFloorNs(m) : Infinity;
  }

  /** Latency of a message between two nodes' LPs, ns (0 within a node). */
  hopNs(fromNode: number, toNode: number): number {
    return fromNode === toNode ? 0 : this.lineNs[fromNode * this.nodes + toNode];
  }

  /** Id of node `node`'s kswapd thread. */
  kswapdId(node: number): number {
    return this.cpus + node;
  }

  /** True when CPUs `a` and `b` (not kernel threads) are SMT threads of one core. */
  sameCore(a: number, b: number): boolean {
    const t = this.threadsPerCore;
    return t > 1 && a < this.cpus && b < this.cpus && Math.floor(a / t) === Math.floor(b / t);
  }

  /** First CPU of a node. */
  firstCpu(node: number): number {
    return node * this.cpusPerNode;
  }
}
