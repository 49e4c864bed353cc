/**
 * The parts of a node's locked operations (mm-node.ts `lockedOp`) that reach beyond the holding
 * CPU: the cache lines it brings over from the previous holder, the message that carries its change
 * to the node whose memory it is, and that node's answer. Follows the cross-node protocol of
 * docs/MEMORY-MODEL.md (a message sent with the lock held; under remoteOps=direct, remote-ops.ts,
 * the hold is the CPU's own accesses and the change travels meanwhile). Plain functions over the
 * node's typed arrays, so the grant handler that calls `carriedNs` stays small enough to inline.
 */
import { invariant } from '../errors.js';
import { handoffNs } from '../locks/spinlock.js';
import type { MmNode } from './mm-node.js';
import { LINES_LRU } from './mm-shared.js';
import { EV_OP, OP_LRU_DEL, OP_RMQUEUE, P_DRAIN_RELEASE, P_DRAIN_WAIT, P_OP_RELEASE, P_OP_WAIT, P_PAGE_OP_WAIT } from './mm-protocol.js';
import { OP_PT_ALLOC } from './page-tables.js';
import { EV_OP_POSTED, REMOTE_MESSAGE, REMOTE_POSTED } from './remote-ops.js';

/** Lines the previous holder of a lock just granted to CPU index `i` (at step `p`) dirtied, ns to bring them over. */
export function carriedNs(lp: MmNode, i: number, cpu: number, lock: number, prevHolder: number, p: number): number {
  const st = lp.cpuState;
  const lines = p === P_DRAIN_WAIT ? LINES_LRU : st.opLines[i];
  const lk = lp.s.locks;
  let carried = lines > 0 && prevHolder >= 0 ? lines * handoffNs(lp.s.topo, lk.handoff, prevHolder, cpu, lk.homeNode[lock], lk.remoteDirtyNs) : 0;
  // list_del after this CPU's own hold (an exit's zap loop): the near neighbour is in its cache,
  // but the far one is a miss on its struct page, which no holder has touched since it was added.
  if (prevHolder === cpu && st.opCode[i] === OP_LRU_DEL && p === P_OP_WAIT) carried += lp.structPageNs(st.opNode[i]);
  return carried;
}

/**
 * The locked operation of CPU index `i` changes another node's memory: a message there, the lock
 * held until the answer — or, with remoteOps=direct (remote-ops.ts), the hold is the CPU's own
 * accesses, the change travels to the page's node meanwhile, and an answer the CPU needs is
 * waited for after the release; an operation whose hold is known only there (a scan, a chain
 * walk) is still a message, its hold counted from the grant (`opReply`).
 */
export function sendOp(lp: MmNode, i: number, cpu: number, op: number, node: number): void {
  const st = lp.cpuState;
  const zoneBits = op === OP_RMQUEUE ? st.opArg[i] << 8 : 0;
  const kind = lp.s.directOps ? lp.remoteKinds.of(op, OP_PT_ALLOC) : REMOTE_MESSAGE;
  if (kind !== REMOTE_MESSAGE) {
    invariant(st.opHold[i] > 0, `CPU ${cpu}: a direct remote operation needs a hold longer than zero to stay ordered`);
    st.opPending[i] = kind === REMOTE_POSTED ? 0 : 1;
    lp.directOps++;
    const posted = kind === REMOTE_POSTED ? EV_OP_POSTED : 0;
    lp.kernel.send(lp.s.topo.nodeLp[node], lp.s.topo.hopNs(lp.node, node), EV_OP, cpu, op | zoneBits | posted, st.opArg[i]);
    lp.holdThenRelease(i, cpu, P_OP_RELEASE, st.opHold[i]);
    return;
  }
  st.opPending[i] = 1;
  st.opGrant[i] = lp.kernel.now;
  lp.kernel.send(lp.s.topo.nodeLp[node], lp.s.topo.hopNs(lp.node, node), EV_OP, cpu, op | zoneBits, st.opArg[i]);
}

/** The answer of another node to CPU `cpu`'s locked operation (EV_OP_REPLY). */
export function opReply(lp: MmNode, cpu: number, result: number, extraNs: number): void {
  const i = lp.idx(cpu);
  if (lp.prog[i] === P_DRAIN_WAIT) {
    if (--lp.cpuState.opPending[i] === 0) lp.holdThenRelease(i, cpu, P_DRAIN_RELEASE, lp.cpuState.opHold[i]);
    return;
  }
  lp.opResult[i] = result;
  if (lp.prog[i] === P_OP_RELEASE) {
    // remoteOps=direct: the answer came back while the CPU still holds the lock for its own accesses.
    lp.cpuState.opPending[i] = 0;
    return;
  }
  if (lp.prog[i] === P_PAGE_OP_WAIT) {
    lp.cpuState.opPending[i] = 0;
    lp.prog[i] = lp.cpuState.opNext[i];
    lp.step(cpu);
    return;
  }
  lp.cpuState.opPending[i] = 0;
  // Message mode: the round trip, then the hold. remoteOps=direct (remote-ops.ts): the CPU did the
  // work itself from the grant on; the answer only says when it is over (a scan's length).
  if (lp.s.directOps) lp.holdFromGrant(i, cpu, P_OP_RELEASE, lp.cpuState.opGrant[i], lp.cpuState.opHold[i] + extraNs);
  else lp.holdThenRelease(i, cpu, P_OP_RELEASE, lp.cpuState.opHold[i] + extraNs);
}
