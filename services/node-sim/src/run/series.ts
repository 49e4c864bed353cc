/**
 * The sampled time series: per interval, the events handled and each lock's acquisitions,
 * contentions, hold and wait time; for memory workloads, each zone's free pages and LRU sizes at
 * the interval's end. Built from cumulative statistics at interval ends, so sampling reads the
 * model's state and never changes it.
 */
import type { TimeSeries, ZoneReport } from '@numasim/shared';
import type { LockRegistry } from '../locks/lock-registry.js';
import type { LockTotals } from './lock-totals.js';

/** At most this many samples per run: longer runs sample more coarsely. */
export const MAX_SAMPLES = 10_000;

export function sampleInterval(durationNs: number, sampleEveryNs: number): number {
  return Math.max(sampleEveryNs, Math.ceil(durationNs / MAX_SAMPLES));
}

export class SeriesRecorder {
  readonly series: TimeSeries;
  private readonly last: Float64Array;
  private lastEvents = 0;

  constructor(
    private readonly registry: LockRegistry,
    intervalNs: number,
    /** The model's zones now, for memory workloads. */
    private readonly zones?: () => readonly ZoneReport[],
  ) {
    this.series = {
      intervalNs,
      tNs: [],
      events: [],
      locks: registry.names.map((name, l) => ({
        name,
        class: registry.classes[l],
        homeNode: registry.homeNodes[l],
        acquisitions: [],
        contentions: [],
        holdTotalNs: [],
        waitTotalNs: [],
      })),
    };
    this.last = new Float64Array(registry.lockCount * 4);
  }

  /**
   * Records the interval ending at `tNs`, given the run's cumulative lock totals and event count
   * then (lock-totals.ts: totals, not a merge of callers and histograms, so a sample every 10
   * simulated ms stays cheap).
   */
  sample(tNs: number, events: number, totals: LockTotals): void {
    this.series.tNs.push(tNs);
    if (this.zones) this.sampleZones(this.zones());
    this.series.events.push(events - this.lastEvents);
    this.lastEvents = events;
    for (let l = 0; l < this.registry.lockCount; l++) {
      const acq = totals.acquisitions[l];
      const con = totals.contentions[l];
      const hold = totals.holdTotalNs[l];
      const wait = totals.waitTotalNs[l];
      const s = this.series.locks[l];
      const b = l * 4;
      s.acquisitions.push(acq - this.last[b]);
      s.contentions.push(con - this.last[b + 1]);
      s.holdTotalNs.push(hold - this.last[b + 2]);
      s.waitTotalNs.push(wait - this.last[b + 3]);
      this.last[b] = acq;
      this.last[b + 1] = con;
      this.last[b + 2] = hold;
      this.last[b + 3] = wait;
    }
  }

  private sampleZones(zones: readonly ZoneReport[]): void {
    this.series.zones ??= zones.map((z) => ({ node: z.node, zone: z.zone, freePages: [], lruActive: [], lruInactive: [] }));
    zones.forEach((z, k) => {
      const s = this.series.zones![k];
      s.freePages.push(z.freePages);
      s.lruActive.push(z.lruActive);
      s.lruInactive.push(z.lruInactive);
    });
  }
}
