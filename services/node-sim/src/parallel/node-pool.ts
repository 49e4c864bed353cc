/**
 * The piscina pool that runs node workers. A parallel run needs all of its K workers running at
 * once (they meet at barriers), so a run first reserves K threads and waits while other runs hold
 * them: two runs can never each hold half of what they need.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { NumasimError } from '@numasim/shared';
import { EngineErrors } from '../errors.js';

export interface NodePoolOptions {
  /** Threads the pool may run at once; a run of more threads than this is refused. Default 64. */
  maxThreads?: number;
  /** Heap cap of each node worker, MiB (typed arrays of the model are outside it). Default 2048. */
  heapMb?: number;
  /** How long an idle thread is kept warm, ms. Default 30 000. */
  idleTimeoutMs?: number;
}

export class NodePool {
  readonly maxThreads: number;
  readonly piscina: Piscina;
  private inUse = 0;
  private readonly waiting: { k: number; go: () => void }[] = [];

  constructor(opts: NodePoolOptions = {}) {
    this.maxThreads = opts.maxThreads ?? 64;
    this.piscina = new Piscina({
      filename: fileURLToPath(new URL('./node-worker-entry.cjs', import.meta.url)),
      minThreads: 0,
      maxThreads: this.maxThreads,
      idleTimeout: opts.idleTimeoutMs ?? 30_000,
      resourceLimits: { maxOldGenerationSizeMb: opts.heapMb ?? 2048 },
    });
  }

  /** Waits until `k` threads are free and takes them. */
  async reserve(k: number): Promise<void> {
    if (k > this.maxThreads) {
      throw new NumasimError(EngineErrors.NODE_THREADS, `the placement needs ${k} threads at once; the node pool has ${this.maxThreads}`);
    }
    if (this.waiting.length === 0 && this.inUse + k <= this.maxThreads) {
      this.inUse += k;
      return;
    }
    await new Promise<void>((go) => this.waiting.push({ k, go }));
  }

  release(k: number): void {
    this.inUse -= k;
    // First come, first served: a large run is not overtaken for ever by small ones.
    while (this.waiting.length > 0 && this.inUse + this.waiting[0].k <= this.maxThreads) {
      const w = this.waiting.shift()!;
      this.inUse += w.k;
      w.go();
    }
  }

  close(): Promise<void> {
    return this.piscina.close({ force: true });
  }
}

let shared: NodePool | null = null;

/** The process's node pool, created on first use (heap cap from NUMASIM_NODE_WORKER_HEAP_MB). */
export function defaultNodePool(): NodePool {
  if (!shared) {
    const heap = Number(process.env.NUMASIM_NODE_WORKER_HEAP_MB ?? '');
    shared = new NodePool(Number.isInteger(heap) && heap > 0 ? { heapMb: heap } : {});
  }
  return shared;
}

/** Stops the process's node pool (a CLI run is over); the next parallel run creates a new one. */
export async function closeDefaultNodePool(): Promise<void> {
  const p = shared;
  shared = null;
  await p?.close();
}
