/**
 * The protocol of the memory model's node LPs (mm-node.ts and its subclasses): event kinds and
 * their arguments, operation codes a node applies to its memory, and the step numbers of the
 * per-CPU programs — which ranges belong to MmNode, to reclaim and to a workload.
 */
import { FIRST_MODEL_EVENT } from '../locks/spinlock.js';
import type { AllocPass } from './alloc-passes.js';

export const EV_STEP = FIRST_MODEL_EVENT; // a: cpu
export const EV_PROBE = FIRST_MODEL_EVENT + 1; // a: cpu, b: pos | pass << 20 | rotation << 21, c: running min
export const EV_PROBE_REPLY = FIRST_MODEL_EVENT + 2; // a: cpu, b: pos | take << 20, c: running min
export const EV_OP = FIRST_MODEL_EVENT + 3; // a: cpu, b: op | zoneType << 8, c: frame (or a workload's argument)
export const EV_OP_REPLY = FIRST_MODEL_EVENT + 4; // a: cpu, b: result
export const EV_KSWAPD_WAKE = FIRST_MODEL_EVENT + 5; // a: zone type
/** Kinds FIRST_MODEL_EVENT + 6, + 7 belong to reclaim (reclaim-node.ts). */
/** A workload's own event kinds start here. */
export const FIRST_WORKLOAD_EVENT = FIRST_MODEL_EVENT + 8;

/** Operations on a node's memory, done by its owner (here, or on request by EV_OP). */
export const OP_NONE = 0;
export const OP_RMQUEUE = 1;
export const OP_FREE = 2;
export const OP_LRU_ADD = 3;
export const OP_LRU_DEL = 4;
/** A workload's own operations start here (`doWorkloadOp`). */
export const FIRST_WORKLOAD_OP = 16;
/** Operations of reclaim (reclaim-node.ts) run from 8 to 15. */
export const FIRST_RECLAIM_OP = 8;

/** What a fault fills its page with and how it maps it. */
export const FAULT_ANON = 0;
export const FAULT_PAGECACHE_WRITE = 1;

// Steps of the shared kernel paths; a workload's own steps start at FIRST_WORKLOAD_STEP.
export const P_IDLE = 0;
export const P_FAULT = 1;
export const P_WALK = 2;
export const P_TAKEN = 3;
export const P_FILL = 4;
export const P_MAP = 5;
export const P_RMAP_ADD = 6;
export const P_LRU_ADD = 7;
export const P_FAULT_DONE = 8;
export const P_UNMAP = 9;
export const P_RMAP_DEL = 10;
export const P_LRU_DEL = 11;
export const P_FREE = 12;
export const P_LOCK = 13; // a timer ran out: ask for the pending lock now
export const P_OP_WAIT = 14; // waiting for a lock or a remote operation's answer under it
export const P_OP_RELEASE = 15;
export const P_DRAIN = 16;
export const P_DRAIN_WAIT = 17;
export const P_DRAIN_RELEASE = 18;
export const P_FREE_PV = 19;
export const P_PAGE_OP_WAIT = 20; // waiting for a lockless operation on another node
/** Steps of MmNode's subclasses: reclaim (reclaim-node.ts) from 24, a workload's own from 40. */
export const FIRST_SUBCLASS_STEP = 24;
export const FIRST_WORKLOAD_STEP = 40;
export const P_RECLAIM_WAIT = 21; // an allocation waits for its node's reclaim

export const PASS_LOW = 0;
export const PASS_MIN = 1;
export const PASSES: AllocPass[] = ['low', 'min'];
export const PAGEVEC_SIZE = 16;
