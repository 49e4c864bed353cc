/** @numasim/shared: what every numasim package agrees on. */
export * from './errors.js';
export * from './workload/schema-kit.js';
export * from './workload/distribution.js';
export * from './workload/machine.js';
export * from './workload/common.js';
export * from './workload/lockbench.js';
export * from './workload/vm.js';
export * from './workload/page-fault.js';
export * from './workload/kernbench.js';
export * from './workload/mem-pressure.js';
export * from './workload/set-override.js';
export * from './workload/canonical.js';
export * from './workload/resolve.js';
export * from './presets/index.js';
export * from './presets/machines.js';
export * from './report/types.js';
export * from './report/lockmeter-text.js';
