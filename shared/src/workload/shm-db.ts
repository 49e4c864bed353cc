/**
 * `shm-db`: the database SGA case of pte-highmem (docs/SOURCES.md#pte-highmem): many processes
 * attach one large shared-memory segment and fault all of it in, so each builds page tables for
 * the whole segment — 5000 tasks × a 2 GB SGA ≈ 10 GB of PTEs, more than the 896 MB of lowmem.
 * Where those page tables come from is the `pte` knob: with `lowmem` they exhaust ZONE_NORMAL on
 * i386 (an allocation failure, the OOM outcome in the report); with `highmem` or `ukva` they come
 * from the nodes' highmem.
 */
import { Type, type TObject } from '@sinclair/typebox';
import { closedObject, nanoseconds } from './schema-kit.js';
import { machineProperties, type MachineConfig } from './machine.js';
import { commonProperties, type CommonConfig } from './common.js';
import { vmProperties, type VmConfig } from './vm.js';

export const ShmDbSpec: TObject = closedObject(
  {
    kind: Type.Literal('shm-db'),
    ...commonProperties,
    durationNs: nanoseconds({ minimum: 1, default: 120_000_000_000, description: 'simulated time limit, ns: the run ends when every process has attached, when every CPU has failed, or here' }),
    ...machineProperties,
    ...vmProperties,
    processes: Type.Integer({ minimum: 1, maximum: 100_000, default: 5000, description: 'database processes, each attaching the whole segment (the pte-highmem case: 5000)' }),
    segmentMiB: Type.Integer({ minimum: 4, maximum: 65_536, default: 2048, description: 'size of the shared segment (the SGA), MiB (the pte-highmem case: 2 GB)' }),
  },
  { description: 'Database processes sharing one big shm segment: page tables larger than lowmem.' },
);

export interface ShmDbConfig extends CommonConfig, MachineConfig, VmConfig {
  kind: 'shm-db';
  processes: number;
  segmentMiB: number;
}
