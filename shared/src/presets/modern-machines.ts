/**
 * Stand-ins for the modern machine presets (skylake-2s, icelake-2s, spr-2s, broadwell-2s) until the
 * machine presets with published latencies land: the same names, so the modern presets and
 * `--set machine=…` already work. TODO(merge): drop this file for the sourced machine presets.
 * Topology from the machines the calibration posts name (2 sockets, SMT on); costs are
 * x86_64-2s's (docs/SOURCES.md#costs: ~100 ns local DRAM, remote +50%), not per-generation figures.
 */
import type { MachinePreset } from './machines.js';

/** x86_64-2s's modern costs, plus the per-page costs the 2002 defaults would overstate (A: a few cache misses' worth). */
const MODERN_COSTS = {
  lineSameNodeNs: 60,
  lineRemoteNs: 130,
  memLocalNs: 100,
  memRemoteNs: 150,
  pageCopyNs: 400,
  pageClearNs: 200,
  lockAtomicNs: 10,
  ipiNs: 1000,
  pageFaultNs: 700,
  syscallNs: 100,
  contextSwitchNs: 1500,
  zoneVisitNs: 50,
  pteSetNs: 20,
};

const twoSocket = (cpusPerNode: number, memPerNodeMiB: number) => ({ nodes: 2, cpusPerNode, memPerNodeMiB, layout: 'x86_64', costs: MODERN_COSTS });

export const MODERN_MACHINE_STANDINS: readonly MachinePreset[] = [
  { name: 'skylake-2s', summary: '(stand-in) 2-socket Skylake-SP, 2 × 28 cores × 2 threads = 112 CPUs, 64 GiB per node', fields: twoSocket(56, 65_536) },
  { name: 'icelake-2s', summary: '(stand-in) 2-socket Ice Lake-SP, 2 × 32 cores × 2 threads = 128 CPUs, 64 GiB per node', fields: twoSocket(64, 65_536) },
  { name: 'spr-2s', summary: '(stand-in) 2-socket Sapphire Rapids, 2 × 56 cores × 2 threads = 224 CPUs, 64 GiB per node', fields: twoSocket(112, 65_536) },
  { name: 'broadwell-2s', summary: '(stand-in) 2-socket Broadwell-EP, 2 × 10 cores × 2 threads = 40 CPUs, 32 GiB per node', fields: twoSocket(20, 32_768) },
];
