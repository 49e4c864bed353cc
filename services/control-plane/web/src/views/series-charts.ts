/** Charts of a run's sampled time series: lock utilisation and contention per class, zones' free pages. */
import { chart, timeSpec, type TimePoint } from '../charts.js';

export interface TimeSeriesLike {
  intervalNs: number;
  tNs: number[];
  events: number[];
  locks: { name: string; class: string; acquisitions: number[]; contentions: number[]; holdTotalNs: number[] }[];
  zones?: { node: number; zone: string; freePages: number[] }[];
}

/** Enough points for a 640-pixel chart; longer series are summed into buckets. */
const MAX_POINTS = 400;
/** Lock classes drawn: the busiest by time held. */
const TOP_CLASSES = 6;

function bucketsOf(n: number): number {
  return Math.max(1, Math.ceil(n / MAX_POINTS));
}

export function seriesCharts(s: TimeSeriesLike): HTMLElement[] {
  const n = s.tNs.length;
  const step = bucketsOf(n);
  const classes = new Map<string, { instances: number; acq: Float64Array; con: Float64Array; hold: Float64Array }>();
  for (const l of s.locks) {
    const c = classes.get(l.class) ?? { instances: 0, acq: new Float64Array(n), con: new Float64Array(n), hold: new Float64Array(n) };
    c.instances++;
    for (let i = 0; i < n; i++) {
      c.acq[i] += l.acquisitions[i];
      c.con[i] += l.contentions[i];
      c.hold[i] += l.holdTotalNs[i];
    }
    classes.set(l.class, c);
  }
  const held = (c: { hold: Float64Array }) => c.hold.reduce((x, y) => x + y, 0);
  const busiest = [...classes.entries()].filter(([, c]) => held(c) > 0).sort((a, b) => held(b[1]) - held(a[1])).slice(0, TOP_CLASSES);
  const util: TimePoint[] = [];
  const con: TimePoint[] = [];
  for (let b = 0; b < n; b += step) {
    const end = Math.min(n, b + step);
    const span = s.tNs[end - 1] - (b === 0 ? 0 : s.tNs[b - 1]);
    const tMs = s.tNs[end - 1] / 1e6;
    for (const [name, c] of busiest) {
      let hold = 0, acq = 0, cn = 0;
      for (let i = b; i < end; i++) {
        hold += c.hold[i];
        acq += c.acq[i];
        cn += c.con[i];
      }
      util.push({ tMs, value: span > 0 ? (hold / span / c.instances) * 100 : 0, series: name });
      con.push({ tMs, value: acq > 0 ? (cn / acq) * 100 : 0, series: name });
    }
  }
  const out = [
    chart(timeSpec({ title: 'Lock utilisation (UTIL %, mean over a class’s instances)', yTitle: 'UTIL %', points: util }), `busiest ${busiest.length} lock classes by time held`).figure,
    chart(timeSpec({ title: 'Contended acquisitions (%)', yTitle: 'contentions / acquisitions %', points: con })).figure,
  ];
  if (s.zones?.length) {
    const free: TimePoint[] = [];
    for (const z of s.zones) for (let i = 0; i < n; i += step) free.push({ tMs: s.tNs[i] / 1e6, value: z.freePages[i], series: `node ${z.node} ${z.zone}` });
    out.push(chart(timeSpec({ title: 'Free pages per zone', yTitle: 'free pages', points: free })).figure);
  }
  return out;
}
