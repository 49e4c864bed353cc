/**
 * `file-read`: a read-heavy server. Every CPU runs a reader — its own process, or with
 * `cpusPerMm` > 1 a thread of a process whose threads run on that many consecutive CPUs — that
 * read()s pages of a file set held in the page cache (highmem on i386), with user time between the
 * reads. Each read is `do_generic_file_read`: the lookup under `pagecache_lock`, then `file_read_actor`: kmap the page,
 * copy it to user space, kunmap. The file set fits in memory: no reclaim, so what moves the
 * figures is the kmap mode (issue #4: kmap under a read-heavy workload). Built on the kernbench
 * machinery, as mem-pressure is.
 */
import { Type, type TObject } from '@sinclair/typebox';
import { closedObject, nanoseconds } from './schema-kit.js';
import { machineProperties, type MachineConfig } from './machine.js';
import { commonProperties, type CommonConfig } from './common.js';
import { vmProperties, type VmConfig } from './vm.js';
import { schedProperties, type SchedConfig } from './sched.js';

export const FileReadSpec: TObject = closedObject(
  {
    kind: Type.Literal('file-read'),
    ...commonProperties,
    durationNs: nanoseconds({ minimum: 1, default: 200_000_000, description: 'simulated time to run, ns' }),
    ...machineProperties,
    ...vmProperties,
    ...schedProperties,
    filePages: Type.Integer({ minimum: 1, maximum: 1 << 22, default: 16_384, description: 'pages of the file set, all in the page cache (default 64 MiB), spread over the nodes' }),
    userNsPerRead: nanoseconds({ maximum: 1e9, default: 100_000, description: 'user time between two reads of a page, ns (assumption: a server\'s work per 4 KiB served on a 700 MHz PIII)' }),
    cpusPerMm: Type.Integer({ minimum: 1, maximum: 4096, default: 1, description: 'CPUs whose readers are threads of one process (one mm); 1: a process per CPU' }),
    threadsPerCpu: Type.Integer({ minimum: 1, maximum: 64, default: 1, description: 'threads of the CPU\'s process it runs in turn, switching after every read (a context switch each; per-task kmap windows also reload cr3)' }),
  },
  { description: 'A read-heavy server: readers copy page-cache pages to user space, through kmap on highmem.' },
);

export interface FileReadConfig extends CommonConfig, MachineConfig, VmConfig, SchedConfig {
  kind: 'file-read';
  filePages: number;
  userNsPerRead: number;
  cpusPerMm: number;
  threadsPerCpu: number;
}
