/**
 * PHOLD, the standard benchmark of discrete-event engines (ROSS models/phold, ROOT-Sim, SST):
 * N LPs each start with P events; handling one draws u ~ U(0,1), picks a uniformly random
 * destination LP with probability `remote` (else the LP itself) and schedules exactly one new
 * event `lookahead + Exp(mean)` later. The population stays constant, so the pending set holds
 * N × P events throughout.
 *
 * Times are whole ns here (the CLI takes µs). Each LP draws from its own stream, so the event
 * sequence, and the checksum over it, depend only on the parameters and the seed.
 */
import { Kernel, type LogicalProcess, type QueueKind } from '../engine/kernel.js';
import { Rng } from '../engine/rng.js';

export interface PholdParams {
  lps: number;
  population: number;
  /** Simulated end time, ns. */
  endNs: number;
  remote: number;
  lookaheadNs: number;
  meanNs: number;
  seed: number;
  queue?: QueueKind;
}

export interface PholdResult {
  events: number;
  wallSeconds: number;
  eventsPerSecond: number;
  /** FNV-1a-style hash over (time, LP) of every event handled, in order. */
  checksum: string;
  lastEventNs: number;
}

const EV_PHOLD = 1;

/** Running hash of the event sequence. Observes the run from outside the LPs; not model state. */
class SequenceHash {
  h = 0x811c9dc5 | 0;
  add(time: number, lp: number): void {
    let h = this.h;
    h = Math.imul(h ^ (time | 0), 0x01000193); // low 32 bits (ToInt32 wraps modulo 2^32)
    h = Math.imul(h ^ ((time / 0x100000000) | 0), 0x01000193);
    h = Math.imul(h ^ lp, 0x01000193);
    this.h = h;
  }
}

class PholdLp implements LogicalProcess {
  private readonly rng: Rng;
  private readonly lookaheadNs: number;
  private readonly meanNs: number;
  private readonly remote: number;
  private readonly lps: number;

  constructor(
    private readonly kernel: Kernel,
    private readonly id: number,
    p: PholdParams,
    private readonly hash: SequenceHash,
  ) {
    this.rng = new Rng(p.seed, id);
    this.lookaheadNs = p.lookaheadNs;
    this.meanNs = p.meanNs;
    this.remote = p.remote;
    this.lps = p.lps;
  }

  /** Delay of a new event: lookahead + Exp(mean), whole ns. */
  delay(): number {
    return this.lookaheadNs + Math.round(this.meanNs * this.rng.nextExp());
  }

  handle(): void {
    const k = this.kernel;
    this.hash.add(k.now, this.id);
    const rng = this.rng;
    const dst = rng.nextDouble() < this.remote ? rng.nextInt(this.lps) : this.id;
    k.send(dst, this.delay(), EV_PHOLD, 0, 0, 0);
  }
}

export function runPhold(p: PholdParams): PholdResult {
  const kernel = new Kernel({ lookaheadNs: p.lookaheadNs, queue: p.queue });
  const hash = new SequenceHash();
  const lps: PholdLp[] = [];
  for (let i = 0; i < p.lps; i++) {
    const lp = new PholdLp(kernel, i, p, hash);
    lps.push(lp);
    kernel.addLp(lp);
  }
  for (let i = 0; i < p.lps; i++) for (let j = 0; j < p.population; j++) kernel.post(i, i, lps[i].delay(), EV_PHOLD, 0, 0, 0);
  const start = process.hrtime.bigint();
  kernel.runUntil(p.endNs);
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    events: kernel.eventsHandled,
    wallSeconds,
    eventsPerSecond: kernel.eventsHandled / wallSeconds,
    checksum: (hash.h >>> 0).toString(16).padStart(8, '0'),
    lastEventNs: kernel.lastEventNs,
  };
}
