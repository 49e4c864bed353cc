/**
 * The per-CPU state of a node's kernel-path programs, in one place: what 2.4 keeps in `current`,
 * on the task's kernel stack and in per-CPU data while a CPU runs a fault, a read or kswapd's
 * loop. Follows no kernel source: the model runs those paths as resumable programs (docs/
 * MEMORY-MODEL.md, "Per-CPU programs"), and this is the state a program resumes from — its step,
 * the page slot it works on, and the locked operation it has under way. Left out: everything a
 * subsystem keeps for its own steps (the zonelist walk, a kmap, a scan's batch), which stays in
 * the subsystem's arrays, indexed the same way.
 *
 * Indexing: slot `i` is a CPU's index in its node (cpu − first CPU of the node); slot
 * `cpusPerNode` is the node's kswapd. Page slots are [i * pagesPerCpu + k].
 *
 * Locking rule: none — only the node's LP reads or writes these arrays, and a slot only on behalf
 * of its own CPU (or kswapd); other nodes learn of them only through events.
 */
export class CpuState {
  /** The step each CPU's program is at (its subsystems move it on). */
  readonly prog: Int32Array;
  /** Step to go on at when a shared kernel path (fault, unmap) ends. */
  readonly cont: Int32Array;
  /** Page slot the current fault or unmap works on, and what kind of fault. */
  readonly slot: Int32Array;
  readonly faultKind: Int32Array;
  /** Node and node-local frame of each page slot's page: [i * pagesPerCpu + k]; frame −1: no page. */
  readonly pageNode: Int32Array;
  readonly pageFrame: Int32Array;
  readonly faultStart: Float64Array;
  /** Times the current allocation waited for reclaim. */
  readonly reclaimWaits: Int32Array;
  // The locked operation under way (lockedOp): the lock pending or held (−1: none), who asks, the
  // operation, the node whose memory it changes, its argument, the hold, the lines the previous
  // holder dirtied, where to go on, the answer, and remote answers still awaited.
  readonly opLock: Int32Array;
  readonly opCaller: Int32Array;
  readonly opCode: Int32Array;
  readonly opNode: Int32Array;
  readonly opArg: Int32Array;
  readonly opHold: Float64Array;
  readonly opLines: Int32Array;
  readonly opNext: Int32Array;
  readonly opResult: Int32Array;
  readonly opPending: Int32Array;
  /** When the lock of a locked operation that went to another node as a message was granted: under remoteOps=direct its hold runs from here (locked-ops.ts `opReply`). */
  readonly opGrant: Float64Array;
  /** 1: the locked operation under way keeps its lock when its hold ends (a caller that nests other locks inside it drops it itself). */
  readonly opKeep: Uint8Array;
  /** Time a CPU owes its program (IPIs taken, kernel text fetched): added to its next delay outside a lock hold (MmNode.after). */
  readonly owed: Float64Array;

  constructor(
    /** Program slots: the node's CPUs, then its kswapd. */
    readonly slots: number,
    /** Page slots per CPU. */
    readonly pagesPerCpu: number,
  ) {
    const i32 = () => new Int32Array(slots);
    const f64 = () => new Float64Array(slots);
    this.prog = i32();
    this.cont = i32();
    this.slot = i32();
    this.faultKind = i32();
    this.pageNode = new Int32Array(slots * pagesPerCpu);
    this.pageFrame = new Int32Array(slots * pagesPerCpu).fill(-1);
    this.faultStart = f64();
    this.reclaimWaits = i32();
    this.opLock = i32().fill(-1);
    this.opCaller = i32();
    this.opCode = i32();
    this.opNode = i32();
    this.opArg = i32();
    this.opHold = f64();
    this.opLines = i32();
    this.opNext = i32();
    this.opResult = i32();
    this.opPending = i32();
    this.opGrant = f64();
    this.opKeep = new Uint8Array(slots);
    this.owed = f64();
  }
}
