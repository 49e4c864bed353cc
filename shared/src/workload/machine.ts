/**
 * The simulated machine every workload runs on: nodes, CPUs, the SLIT distance matrix and the
 * cost model. Fields sit at the top level of a workload (`nodes`, `cpusPerNode`) so the knobs users
 * sweep most are flat `--set` keys; the cost model lives under `costs`.
 *
 * Cost defaults and where they come from (../shared/VM-REFERENCE.md §5, §7; "assumption" marks a
 * figure no source pins down, kept as a parameter on purpose):
 * - lineSameNodeNs 180: a dirty cache line moving between two CPUs of one node. On a P6 quad the
 *   line crosses the shared front-side bus, about one memory access: lmbench's 181 ns on a PIII.
 *   (assumption: transfer ≈ memory latency)
 * - lineRemoteNs 600: the same across the interconnect at SLIT distance 20. Sequent's own figure
 *   for NUMA-Q is remote = 3–4× local; 600 ns ≈ 3.3 × 181 ns. (assumption within a vendor range)
 * Costs at other distances are interpolated linearly in the SLIT value: distance 10 costs
 * lineSameNodeNs (fake NUMA nodes share memory), 20 costs lineRemoteNs, 30 extrapolates.
 */
import { Type } from '@sinclair/typebox';
import { closedObject, nanoseconds } from './schema-kit.js';
import type { FieldIssue } from '../errors.js';

export const MAX_NODES = 64;
export const MAX_CPUS_PER_NODE = 64;
export const SLIT_LOCAL = 10;
export const SLIT_REMOTE_DEFAULT = 20;

export const CostsSpec = closedObject(
  {
    lineSameNodeNs: nanoseconds({
      maximum: 1e7,
      default: 180,
      description: 'cache-line transfer between two CPUs of one node, ns',
    }),
    lineRemoteNs: nanoseconds({
      maximum: 1e7,
      default: 600,
      description: 'cache-line transfer between nodes at SLIT distance 20, ns (other distances interpolate)',
    }),
  },
  { default: {}, description: 'The cost model: every cost the simulation charges, ns.' },
);

export const machineProperties = {
  nodes: Type.Integer({ minimum: 1, maximum: MAX_NODES, default: 1, description: 'NUMA nodes' }),
  cpusPerNode: Type.Integer({ minimum: 1, maximum: MAX_CPUS_PER_NODE, default: 4, description: 'CPUs on each node' }),
  distances: Type.Optional(
    Type.Array(Type.Array(Type.Integer({ minimum: SLIT_LOCAL, maximum: 254 }), { maxItems: MAX_NODES }), {
      maxItems: MAX_NODES,
      description: 'SLIT distance matrix, nodes × nodes; default 10 on the diagonal and 20 elsewhere',
    }),
  ),
  costs: CostsSpec,
};

export interface Costs {
  lineSameNodeNs: number;
  lineRemoteNs: number;
}

export interface MachineConfig {
  nodes: number;
  cpusPerNode: number;
  distances: number[][];
  costs: Costs;
}

export function defaultDistances(nodes: number): number[][] {
  return Array.from({ length: nodes }, (_, i) =>
    Array.from({ length: nodes }, (_, j) => (i === j ? SLIT_LOCAL : SLIT_REMOTE_DEFAULT)),
  );
}

/** Checks what the schema cannot: the matrix's shape and diagonal, and positive cross-node latency. */
export function machineIssues(m: MachineConfig): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (m.distances.length !== m.nodes) {
    issues.push({ path: 'distances', reason: `must have ${m.nodes} rows, one per node (got ${m.distances.length})` });
    return issues;
  }
  m.distances.forEach((row, i) => {
    if (row.length !== m.nodes) issues.push({ path: `distances.${i}`, reason: `must have ${m.nodes} entries (got ${row.length})` });
    else if (row[i] !== SLIT_LOCAL) issues.push({ path: `distances.${i}.${i}`, reason: `a node's distance to itself must be ${SLIT_LOCAL} (got ${row[i]})` });
  });
  if (issues.length === 0 && m.nodes > 1 && crossNodeLatencyFloorNs(m) < 1) {
    issues.push({
      path: 'costs.lineSameNodeNs',
      reason: 'cross-node messages need a latency of at least 1 ns; raise the line-transfer costs',
    });
  }
  return issues;
}

/** Cost of moving a cache line between nodes at SLIT distance `d`, ns (whole). */
export function lineTransferNs(costs: Costs, d: number): number {
  const perTen = costs.lineRemoteNs - costs.lineSameNodeNs;
  return Math.max(0, Math.round(costs.lineSameNodeNs + (perTen * (d - SLIT_LOCAL)) / (SLIT_REMOTE_DEFAULT - SLIT_LOCAL)));
}

/** The smallest cross-node latency: the lookahead of conservative parallel execution. */
export function crossNodeLatencyFloorNs(m: MachineConfig): number {
  let floor = Infinity;
  for (let i = 0; i < m.nodes; i++)
    for (let j = 0; j < m.nodes; j++) if (i !== j) floor = Math.min(floor, lineTransferNs(m.costs, m.distances[i][j]));
  return floor;
}
