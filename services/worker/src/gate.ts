/**
 * Test-only: holds a run at a simulated time until the test releases it, so a test can act on a
 * run that is certainly still running (cancel it, read its progress) without relying on how long
 * it takes in wall time. The simulation thread stops at the first progress point at or after
 * `atNs` (a slice end), reports its progress, and waits on shared memory.
 */
export interface GateHandle {
  atNs: number;
  /** [0]: 1 once released; [1]: runs held now. */
  flags: Int32Array;
}

export class RunGate {
  readonly handle: GateHandle;

  constructor(atNs: number) {
    this.handle = { atNs, flags: new Int32Array(new SharedArrayBuffer(8)) };
  }

  /** Runs waiting at the gate now. */
  get held(): number {
    return Atomics.load(this.handle.flags, 1);
  }

  /** Lets every held run go on, and every later one pass without stopping. */
  release(): void {
    Atomics.store(this.handle.flags, 0, 1);
    Atomics.notify(this.handle.flags, 0);
  }
}

/** In the simulation thread: waits while the gate is closed. Short waits, so that terminating the thread (cancel) is never held up. */
export function waitAtGate(gate: GateHandle): void {
  Atomics.add(gate.flags, 1, 1);
  try {
    while (Atomics.load(gate.flags, 0) === 0) Atomics.wait(gate.flags, 0, 0, 50);
  } finally {
    Atomics.sub(gate.flags, 1, 1);
  }
}
