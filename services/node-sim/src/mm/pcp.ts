/**
 * Per-CPU page lists in front of `zone->lock` (`struct per_cpu_pages`), after Linux 4.16 and 6.6
 * mm/page_alloc.c: `rmqueue_pcplist` takes an order-0 page from the CPU's list and, when the list
 * is empty, `rmqueue_bulk` refills `batch` pages from the buddy lists under `zone->lock`;
 * `free_unref_page_commit` puts a freed page on the list and, when the list reaches `high`,
 * `free_pcppages_bulk` returns `batch` pages to the buddy lists under `zone->lock`, merging each
 * with its buddies (`__free_one_page`). So zone->lock is taken once per `batch` pages each way.
 *
 * `pcpHigh: "auto"` follows Huang Ying's PCP high auto-tuning (Oct 2023,
 * <20231016053002.756205-1-ying.huang@intel.com>, in 6.7): `high` moves between `high_min` (the
 * era's default high) and `high_max` (the high that `percpu_pagelist_high_fraction` = 8 would
 * give); a refill from the zone raises it by a batch, and the periodic vmstat update
 * (`refresh_cpu_vm_stats`, once a second) lowers it by an eighth.
 *
 * Locking rule (as in the kernel): a CPU's list is its own (local_lock / IRQs off), never touched
 * by another CPU; only the buddy lists behind it need zone->lock. The model keeps counts, not pages.
 *
 * Simplified: one list per CPU (no per-migratetype or per-order lists); the 6.x batch scaling of
 * large frees and refills (`nr_pcp_free`, `nr_pcp_alloc`) is left out: every refill and drain moves
 * `batch` pages; no ZONE_BELOW_HIGH (auto-tuning does not stop rising under reclaim).
 */
import { invariant } from '../errors.js';

export type KernelEra = '4.16' | '6.6';

/** How often `refresh_cpu_vm_stats` runs (sysctl_stat_interval = HZ: once a second). */
export const VMSTAT_INTERVAL_NS = 1_000_000_000;

const roundDownPow2 = (x: number) => 2 ** Math.floor(Math.log2(x));

/**
 * `zone_batchsize()`: about a 1000th of the zone, capped (512 KiB in 4.16, 1 MiB from 5.x), divided
 * by 4, clamped to 2^n − 1 (a power of two was found to alias cache colours). 4.16: 31 for any zone
 * over 512 MiB; 6.6: 63 for any zone over 1 GiB.
 */
export function zoneBatchsize(managedPages: number, era: KernelEra): number {
  const capPages = era === '4.16' ? (512 * 1024) / 4096 : (1024 * 1024) / 4096;
  let batch = Math.min(Math.floor(managedPages / 1024), capPages);
  batch = Math.floor(batch / 4);
  if (batch < 1) batch = 1;
  // pageset_set_batch() uses max(1, batch): a zone under 8 MiB still moves a page at a time.
  return Math.max(1, roundDownPow2(batch + Math.floor(batch / 2)) - 1);
}

/**
 * The zone's low watermark, 6.6 (`calculate_min_free_kbytes`, `__setup_per_zone_wmarks`):
 * min_free_kbytes = √(16 × lowmem KiB) clamped to 128 KiB … 256 MiB, shared by the zones in
 * proportion to their size; low = min + max(min/4, managed × watermark_scale_factor (10) / 10000).
 */
export function lowWatermarkPages(managedPages: number, totalPages: number): number {
  const minFreeKiB = Math.min(262_144, Math.max(128, Math.floor(Math.sqrt(totalPages * 4 * 16))));
  const min = Math.floor(((minFreeKiB / 4) * managedPages) / totalPages);
  return min + Math.max(Math.floor(min / 4), Math.floor((managedPages * 10) / 10_000));
}

export interface PcpLimits {
  batch: number;
  /** The high mark a list starts with (high_min under auto-tuning). */
  high: number;
  /** The auto-tuning ceiling (equal to high when not auto-tuned). */
  highMax: number;
  auto: boolean;
}

/**
 * Batch and high of a zone's lists from the knobs: `batch` 0 and `high` 0 take the era's defaults —
 * 4.16 `pageset_set_batch`: high = 6 × batch; 6.6 `zone_highsize`: the low watermark shared by the
 * zone's local CPUs, at least 4 × batch. high_max (`percpu_pagelist_high_fraction` = 8): an eighth
 * of the zone shared by its CPUs.
 */
export function pcpLimits(opts: { batch: number; high: number | 'auto'; era: KernelEra; managedPages: number; totalPages: number; zoneCpus: number }): PcpLimits {
  const batch = opts.batch > 0 ? opts.batch : zoneBatchsize(opts.managedPages, opts.era);
  const eraHigh =
    opts.era === '4.16' ? 6 * batch : Math.max(Math.floor(lowWatermarkPages(opts.managedPages, opts.totalPages) / opts.zoneCpus), batch * 4);
  if (opts.high === 'auto') {
    const highMax = Math.max(eraHigh, Math.floor(opts.managedPages / 8 / opts.zoneCpus));
    return { batch, high: eraHigh, highMax, auto: true };
  }
  const high = opts.high > 0 ? opts.high : eraHigh;
  invariant(high >= 1, 'pcp high must be at least 1');
  return { batch, high, highMax: high, auto: false };
}

/** The per-CPU lists of the CPUs one node LP runs (index i = CPU − the node's first CPU). */
export class PerCpuPages {
  /** Pages on each CPU's list. */
  readonly count: Int32Array;
  /** Each CPU's current high mark. */
  readonly high: Int32Array;
  /** When each CPU's high was last decayed (auto-tuning), ns. */
  private readonly decayedAt: Float64Array;

  constructor(
    cpus: number,
    readonly limits: PcpLimits,
  ) {
    this.count = new Int32Array(cpus);
    this.high = new Int32Array(cpus).fill(limits.high);
    this.decayedAt = new Float64Array(cpus);
  }

  get batch(): number {
    return this.limits.batch;
  }

  /** rmqueue_bulk moved `n` pages to CPU i's list; auto-tuning raises high by a batch on every refill. */
  refilled(i: number, n: number): void {
    this.count[i] += n;
    if (this.limits.auto) this.high[i] = Math.min(this.high[i] + this.limits.batch, this.limits.highMax);
  }

  /** Pages free_pcppages_bulk should drain now (0: the list is below high). */
  toDrain(i: number, nowNs: number): number {
    if (this.limits.auto) this.decay(i, nowNs);
    return this.count[i] >= this.high[i] ? Math.min(this.limits.batch, this.count[i]) : 0;
  }

  /** The vmstat worker's decays since the last look: high −= high/8 each, down to high_min. */
  private decay(i: number, nowNs: number): void {
    let ticks = Math.floor((nowNs - this.decayedAt[i]) / VMSTAT_INTERVAL_NS);
    if (ticks <= 0) return;
    this.decayedAt[i] += ticks * VMSTAT_INTERVAL_NS;
    let h = this.high[i];
    while (ticks-- > 0 && h > this.limits.high) h = Math.max(this.limits.high, h - (h >> 3));
    this.high[i] = h;
  }

  checkInvariants(): void {
    for (let i = 0; i < this.count.length; i++) {
      invariant(this.count[i] >= 0, `pcp list of CPU index ${i} holds ${this.count[i]} pages`);
      invariant(this.high[i] >= this.limits.high && this.high[i] <= this.limits.highMax, `pcp high of CPU index ${i} out of [high_min, high_max]`);
    }
  }
}

/**
 * What `zone->lock` is held for, per order-0 page (Aaron Lu, Mar 2018: the struct page cache misses
 * are the most time-consuming part under the lock): allocation, one miss (list_del of the page off
 * the free list); free, one miss (list_add next to the list's first page) plus the buddy walk of
 * `__free_one_page` when merging is on.
 *
 * `prefetched` of the freed pages had their order-0 buddy's struct page prefetched before the lock
 * was taken (free_pcppages_bulk since Aaron Lu's "mm/free_pcppages_bulk: prefetch buddy while not
 * holding lock", v4.17 and the tree his 2018 zone->lock profile was taken on: the last pcp->batch
 * pages of a drain): the walk's first read hits, so one merge miss less each.
 */
export function buddyHoldNs(
  pages: number,
  free: boolean,
  c: { missNs: number; buddyPageNs: number; mergeMisses: number; mergeOnFree: boolean },
  prefetched = 0,
): number {
  const merge = free && c.mergeOnFree;
  const misses = merge ? 1 + c.mergeMisses : 1;
  const saved = merge ? Math.min(pages, prefetched) * Math.min(1, c.mergeMisses) : 0;
  return Math.round(pages * (misses * c.missNs + c.buddyPageNs) - saved * c.missNs);
}
