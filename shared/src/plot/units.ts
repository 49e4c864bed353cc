/**
 * Units read from a metric's name (`waitMeanNs`, `conPercent`, `operationsPerSecond`) and a scale
 * that makes nanoseconds readable: a figure in the thousands of ns is labelled in µs, and so on.
 */

export interface MetricUnit {
  /** What the axis label ends with, e.g. `µs`, `%`, `/s`; empty for plain counts. */
  label: string;
  /** Multiply a raw value by this to get it in `label` units. */
  factor: number;
}

const TIME_UNITS: readonly [string, number][] = [
  ['s', 1e-9],
  ['ms', 1e-6],
  ['µs', 1e-3],
  ['ns', 1],
];

/** The metric's last path segment without its unit suffix: `locks.x.waitMeanNs` → `waitMean`. */
export function metricField(metric: string): { field: string; suffix: 'Ns' | 'Percent' | 'PerSecond' | 'Bytes' | '' } {
  const last = metric.split('.').pop() ?? metric;
  for (const suffix of ['PerSecond', 'Percent', 'Bytes', 'Ns'] as const) {
    if (last.endsWith(suffix) && last.length > suffix.length) return { field: last.slice(0, -suffix.length), suffix };
  }
  return { field: last, suffix: '' };
}

/** The unit to show a metric in, given the largest magnitude it reaches. */
export function chooseUnit(metric: string, largest: number): MetricUnit {
  const { suffix } = metricField(metric);
  const a = Math.abs(largest);
  switch (suffix) {
    case 'Ns': {
      const unit = TIME_UNITS.find(([, f]) => a * f >= 1) ?? TIME_UNITS[TIME_UNITS.length - 1];
      return { label: unit[0], factor: unit[1] };
    }
    case 'Percent':
      return { label: '%', factor: 1 };
    case 'PerSecond':
      return a >= 1e6 ? { label: 'million/s', factor: 1e-6 } : a >= 1e4 ? { label: 'thousand/s', factor: 1e-3 } : { label: '/s', factor: 1 };
    case 'Bytes':
      return a >= 2 ** 30 ? { label: 'GiB', factor: 2 ** -30 } : a >= 2 ** 20 ? { label: 'MiB', factor: 2 ** -20 } : a >= 2 ** 10 ? { label: 'KiB', factor: 2 ** -10 } : { label: 'bytes', factor: 1 };
    default:
      return { label: '', factor: 1 };
  }
}

const FIELD_WORDS: Record<string, string> = {
  con: 'contention',
  util: 'utilisation',
  spin: 'spinning',
  rject: 'trylock rejections',
  nowait: 'acquired without waiting',
  waitMean: 'mean wait',
  waitMax: 'max wait',
  waitMin: 'min wait',
  waitTotal: 'total wait',
  waitP50: 'median wait',
  waitP99: 'p99 wait',
  waitCpu: 'CPU time spent waiting',
  holdMean: 'mean hold time',
  holdMax: 'max hold time',
  holdMin: 'min hold time',
  holdTotal: 'total hold time',
  holdP50: 'median hold time',
  holdP99: 'p99 hold time',
  operations: 'operations',
  completion: 'completion time',
  faults: 'page faults',
  reads: 'page reads',
};

/** Words for a metric path: `locks.bench_lock.conPercent` → `bench_lock contention`. */
export function metricWords(metric: string): string {
  const segs = metric.split('.');
  const { field } = metricField(metric);
  const words = FIELD_WORDS[field] ?? field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  if (segs[0] === 'locks' && segs.length >= 3) return `${segs.slice(1, -1).join('.')} ${words}`;
  if (segs[0] === 'workload' && segs.length === 2) return words;
  return [...segs.slice(0, -1), words].join(' ');
}

/** `mean wait (µs)`: words and unit for an axis. */
export function axisLabel(metric: string, unit: MetricUnit): string {
  return unit.label ? `${metricWords(metric)} (${unit.label})` : metricWords(metric);
}
