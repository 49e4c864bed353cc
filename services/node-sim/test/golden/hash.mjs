// The golden hash of a run: report and series as canonical JSON (keys sorted) without what
// depends on the machine or on where the run executed.
import { createHash } from 'node:crypto';

const canonical = (v) =>
  Array.isArray(v) || ArrayBuffer.isView(v)
    ? `[${Array.from(v, canonical).join(',')}]`
    : v !== null && typeof v === 'object'
      ? `{${Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`
      : JSON.stringify(v) ?? 'null';

// `workload.time` (user/system/idle, as `time make` prints them) is left out too: it only observes
// the run — nothing in it feeds back into the simulation, whose course the rest of the report pins
// (every lock's counts and holds, the faults, the build time) — and its own test checks that it
// adds up (process-time.test.ts).
export function goldenHash(out) {
  const workload = out.report.workload && { ...out.report.workload, time: undefined };
  const report = { ...out.report, workload, engine: { ...out.report.engine, wallSeconds: 0, eventsPerSecond: 0 }, config: { ...out.report.config, placement: undefined } };
  return createHash('sha256').update(canonical({ report, series: out.series })).digest('hex');
}

export const caseKey = (c) => `${c.preset} ${c.sets.join(' ')}`;
