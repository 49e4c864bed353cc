/**
 * The protocol of the memory model's node LPs (mm-node.ts and its subclasses): event kinds and
 * their arguments, operation codes a node applies to its memory, and the step numbers of the
 * per-CPU programs, as claimed from numbering.ts.
 */
import { FIRST_MODEL_EVENT } from '../locks/spinlock.js';
import type { AllocPass } from './alloc-passes.js';
import { Numbering } from './numbering.js';

/**
 * The node's own numbers (mm-node.ts): the shared kernel paths' steps, the events every memory
 * workload's nodes exchange, and the basic operations on a node's memory, done by its owner
 * (here, or on request by EV_OP). Reclaim, highmem, the page cache and the workloads claim theirs
 * after these (numbering.ts).
 */
export const MM_PROTOCOL = Numbering.root('mm-node', FIRST_MODEL_EVENT, {
  steps: [
    'idle', 'fault', 'zonelist walk', 'page taken', 'fill', 'map', 'rmap add', 'lru add', 'fault done', 'unmap', 'rmap del', 'lru del', 'free',
    'lock', 'op wait', 'op release', 'drain', 'drain wait', 'drain release', 'free pagevec', 'page op wait', 'reclaim wait',
  ],
  events: ['step', 'probe', 'probe reply', 'op', 'op reply', 'kswapd wake'],
  ops: ['none', 'rmqueue', 'free', 'lru add', 'lru del', 'node next'],
});

// Events. EV_STEP a: cpu. EV_PROBE a: cpu, b: pos | pass << 20 | rotation << 21, c: running min.
// EV_PROBE_REPLY a: cpu, b: pos | take << 20, c: running min. EV_OP a: cpu, b: op | zoneType << 8,
// c: frame (or a part's own argument). EV_OP_REPLY a: cpu, b: result. EV_KSWAPD_WAKE a: zone type.
export const [EV_STEP, EV_PROBE, EV_PROBE_REPLY, EV_OP, EV_OP_REPLY, EV_KSWAPD_WAKE] = MM_PROTOCOL.events;

export const [OP_NONE, OP_RMQUEUE, OP_FREE, OP_LRU_ADD, OP_LRU_DEL, OP_NODE_NEXT] = MM_PROTOCOL.ops;

/** What a fault fills its page with and how it maps it. */
export const FAULT_ANON = 0;
export const FAULT_PAGECACHE_WRITE = 1;
/** A write to a page fork shared (mm/memory.c do_wp_page): a new page, copied from the old one (fork.ts). */
export const FAULT_COW = 2;

// P_LOCK: a timer ran out, ask for the pending lock now. P_OP_WAIT: waiting for a lock or a remote
// operation's answer under it. P_PAGE_OP_WAIT: waiting for a lockless operation on another node.
// P_RECLAIM_WAIT: an allocation waits for its node's reclaim.
export const [
  P_IDLE, P_FAULT, P_WALK, P_TAKEN, P_FILL, P_MAP, P_RMAP_ADD, P_LRU_ADD, P_FAULT_DONE, P_UNMAP, P_RMAP_DEL, P_LRU_DEL, P_FREE,
  P_LOCK, P_OP_WAIT, P_OP_RELEASE, P_DRAIN, P_DRAIN_WAIT, P_DRAIN_RELEASE, P_FREE_PV, P_PAGE_OP_WAIT, P_RECLAIM_WAIT,
] = MM_PROTOCOL.steps;
/** Steps from here belong to the parts built on the node (their `program`). */
export const MM_STEP_END = MM_PROTOCOL.stepEnd;

export const PASS_LOW = 0;
export const PASS_MIN = 1;
export const PASSES: AllocPass[] = ['low', 'min'];
export const PAGEVEC_SIZE = 16;
