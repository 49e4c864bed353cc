// The golden hash of a run: report and series as canonical JSON (keys sorted) without what
// depends on the machine or on where the run executed.
import { createHash } from 'node:crypto';

const canonical = (v) =>
  Array.isArray(v) || ArrayBuffer.isView(v)
    ? `[${Array.from(v, canonical).join(',')}]`
    : v !== null && typeof v === 'object'
      ? `{${Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`
      : JSON.stringify(v) ?? 'null';

export function goldenHash(out) {
  const report = { ...out.report, engine: { ...out.report.engine, wallSeconds: 0, eventsPerSecond: 0 }, config: { ...out.report.config, placement: undefined } };
  return createHash('sha256').update(canonical({ report, series: out.series })).digest('hex');
}

export const caseKey = (c) => `${c.preset} ${c.sets.join(' ')}`;
