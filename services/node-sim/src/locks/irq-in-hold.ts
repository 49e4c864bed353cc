/**
 * Interrupts that land inside a spinlock hold (Linux 2.4.18, i386).
 *
 * `spin_lock` leaves interrupts enabled, so an interrupt that arrives while a CPU holds a lock
 * taken that way runs its handler — and, on the way out of do_IRQ, any pending softirqs — before
 * the CPU gets back to its critical section: the hold grows by the handler's time. 2.4 takes
 * `pagemap_lru_lock`, `pagecache_lock`, `mm->page_table_lock`, `kmap_lock` and `mmlist_lock` with
 * plain `spin_lock`; `zone->lock` is taken with `spin_lock_irqsave` (mm/page_alloc.c, rmqueue and
 * __free_pages_ok), and 2.5's `zone->lru_lock` with `spin_lock_irq`/`irqsave` (mm/swap.c,
 * mm/vmscan.c), so an interrupt waits until those are dropped (`irqsafe` locks: no stretch).
 *
 * Arrivals, per CPU, deterministic (the same on every placement):
 * - the local APIC timer at `irqHz`, its phase staggered as 2.4's setup_APIC_timer did: CPU c's
 *   timer starts (c + 1) / (cpus + 1) of a period after the boot CPU's (arch/i386/kernel/apic.c
 *   2.4.18, "interrupt skew to spread out timer events"; removed in 2.5 by Ingo Molnar, Oct 2002);
 * - device interrupts (disk completions, IPIs) as a Poisson stream of `irqDevicePerSec`, drawn
 *   from a generator of this node's own (seeded from the run's seed and the node), so turning the
 *   knob on changes no other draw.
 *
 * Simplified: interrupts that arrive while a CPU spins, or outside holds, cost nothing here (they
 * delay the CPU, not a lock's holder); an interrupt inside an irqsafe hold is not replayed after
 * its release; nested holds are stretched through their innermost section's lock only.
 */
import { Rng } from '../engine/rng.js';

/** 2.4's default tick, HZ=100 on i386 (include/asm-i386/param.h). */
export const HZ_24 = 100;
/** Timer interrupt with its softirq work, default (docs/SOURCES.md#interrupts: derived from a published ISR residency). */
export const TIMER_IRQ_NS_DEFAULT = 10_000;
/** Device interrupt with its bottom half, default (docs/SOURCES.md#interrupts: assumption). */
export const DEVICE_IRQ_NS_DEFAULT = 10_000;

/** Generator streams of the device interrupts: one per node, far from the LPs' own ids. */
const IRQ_STREAM_BASE = 0x1_0000;

export interface IrqConfig {
  readonly irqHz?: number;
  readonly irqDevicePerSec?: number;
  readonly timerIrqNs?: number;
  readonly deviceIrqNs?: number;
}

export class IrqInHold {
  readonly enabled: boolean;
  private readonly periodNs: number;
  private readonly timerNs: number;
  private readonly deviceNs: number;
  private readonly deviceMeanNs: number;
  /** Time of each CPU's first tick (its stagger), ns. */
  private readonly phase: Float64Array;
  /** Time of each CPU's next device interrupt, ns. */
  private readonly nextDevice: Float64Array;
  private readonly rng: Rng;
  /** Timer ticks and device interrupts that landed inside holds, holds they lengthened, ns added. */
  timerInHold = 0;
  deviceInHold = 0;
  holdsHit = 0;
  addedNs = 0;

  /** `first`…`first + count − 1`: the CPUs of this node, of `cpus` in the machine. */
  constructor(cfg: IrqConfig, first: number, count: number, cpus: number, seed: number, node: number) {
    const hz = cfg.irqHz ?? 0;
    this.enabled = hz > 0;
    this.periodNs = hz > 0 ? 1e9 / hz : Infinity;
    this.timerNs = cfg.timerIrqNs ?? TIMER_IRQ_NS_DEFAULT;
    this.deviceNs = cfg.deviceIrqNs ?? DEVICE_IRQ_NS_DEFAULT;
    const rate = cfg.irqDevicePerSec ?? 0;
    this.deviceMeanNs = rate > 0 ? 1e9 / rate : Infinity;
    this.phase = Float64Array.from({ length: count }, (_, i) => ((first + i + 1) * this.periodNs) / (cpus + 1));
    this.rng = new Rng(seed, IRQ_STREAM_BASE + node);
    this.nextDevice = Float64Array.from({ length: count }, () => this.draw());
  }

  private draw(): number {
    return this.deviceMeanNs === Infinity ? Infinity : -Math.log(1 - this.rng.nextDouble()) * this.deviceMeanNs;
  }

  /**
   * How much longer a hold of `holdNs` starting at `nowNs` on CPU index `i` runs, with the
   * interrupts that arrive in it (those that arrive in the added time too).
   */
  stretchNs(i: number, nowNs: number, holdNs: number): number {
    if (!this.enabled) return 0;
    while (this.nextDevice[i] < nowNs) this.nextDevice[i] += this.draw();
    const p = this.periodNs;
    let tick = this.phase[i] + Math.ceil(Math.max(0, nowNs - this.phase[i]) / p) * p;
    let end = nowNs + holdNs;
    let added = 0;
    for (;;) {
      if (tick < end && tick <= this.nextDevice[i]) {
        this.timerInHold++;
        added += this.timerNs;
        end += this.timerNs;
        tick += p;
      } else if (this.nextDevice[i] < end) {
        this.deviceInHold++;
        added += this.deviceNs;
        end += this.deviceNs;
        this.nextDevice[i] += this.draw();
      } else break;
    }
    if (added > 0) {
      this.holdsHit++;
      this.addedNs += added;
    }
    return Math.round(added);
  }
}
