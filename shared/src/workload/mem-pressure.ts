/**
 * `mem-pressure`: a working set larger than memory. Every CPU runs reader processes that read
 * pages of a file set bigger than RAM at random (a scan-heavy database or file server), so the page
 * cache is always full and every miss needs reclaim: kswapd, shrink_cache and refill_inactive under
 * the LRU lock, and pages read back from disk. Built on the kernbench machinery (a process forks,
 * execs, faults in a little anonymous memory, reads, exits).
 */
import { Type, type TObject } from '@sinclair/typebox';
import { closedObject, nanoseconds } from './schema-kit.js';
import { machineProperties, type MachineConfig } from './machine.js';
import { commonProperties, type CommonConfig } from './common.js';
import { vmProperties, type VmConfig } from './vm.js';
import { schedProperties, type SchedConfig } from './sched.js';

export const MemPressureSpec: TObject = closedObject(
  {
    kind: Type.Literal('mem-pressure'),
    ...commonProperties,
    durationNs: nanoseconds({ minimum: 1, default: 2_000_000_000, description: 'simulated time to run, ns' }),
    ...machineProperties,
    ...vmProperties,
    ...schedProperties,
    filePages: Type.Integer({ minimum: 1, maximum: 1 << 26, default: 1_572_864, description: 'pages of the files the readers read at random (default 6 GiB: 1.5× numaq-16\'s memory)' }),
    readsPerProcess: Type.Integer({ minimum: 1, maximum: 1 << 20, default: 256, description: 'pages each reader process reads before it exits and the next starts' }),
    userNsPerRead: nanoseconds({ maximum: 1e9, default: 20_000, description: 'user time per page read, ns' }),
    anonPages: Type.Integer({ minimum: 0, maximum: 1 << 16, default: 64, description: 'anonymous pages each reader process faults in' }),
    access: Type.Union([Type.Literal('read'), Type.Literal('mmap')], {
      default: 'read',
      description:
        '"read": each page is read() (copied out, never mapped); "mmap": each is a file fault that maps the page until the reader exits, ' +
        'so reclaim meets mapped pages (unmapped through their reverse maps under rmap and 2.5-zone, by swap_out\'s page-table scan under 2.4)',
    }),
  },
  { description: 'A working set larger than memory: readers of a file set bigger than RAM; reclaim-bound.' },
);

export interface MemPressureConfig extends CommonConfig, MachineConfig, VmConfig, SchedConfig {
  kind: 'mem-pressure';
  filePages: number;
  readsPerProcess: number;
  userNsPerRead: number;
  anonPages: number;
  access: 'read' | 'mmap';
}
