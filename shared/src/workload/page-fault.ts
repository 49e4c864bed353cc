/**
 * `page-fault`: will-it-scale's page_fault1 on the simulated kernel. Every CPU runs a process of
 * its own that loops: mmap an anonymous region, touch every page (a fault each: allocate, clear,
 * set the pte, add to the LRU), munmap it (take the ptes down, off the LRU, free), think.
 */
import { Type, type TObject } from '@sinclair/typebox';
import { closedObject } from './schema-kit.js';
import { DistributionSpec, type Distribution } from './distribution.js';
import { machineProperties, type MachineConfig } from './machine.js';
import { commonProperties, type CommonConfig } from './common.js';
import { vmProperties, type VmConfig } from './vm.js';

export const PageFaultSpec: TObject = closedObject(
  {
    kind: Type.Literal('page-fault'),
    ...commonProperties,
    ...machineProperties,
    ...vmProperties,
    pagesPerCycle: Type.Integer({ minimum: 1, maximum: 1 << 20, default: 128, description: 'pages mapped, touched and unmapped per cycle (128 = 512 KiB)' }),
    thinkNs: Type.Optional({ ...DistributionSpec, description: `${DistributionSpec.description} Time between cycles. Default: const 1000 ns.` }),
  },
  { description: 'page_fault1: per CPU, mmap → touch every page → munmap, in a loop.' },
);

export const PAGE_FAULT_DEFAULT_THINK: Distribution = { dist: 'const', value: 1000 };

export interface PageFaultConfig extends CommonConfig, MachineConfig, VmConfig {
  kind: 'page-fault';
  pagesPerCycle: number;
  thinkNs: Distribution;
}
