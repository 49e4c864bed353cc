// What the VALIDATION.md section generators share: a runner that times each preset run and keeps
// the wall times for the section's footer, the number formats, and one lock row folded over every
// lock of a name or class.
import { getPreset, resolveWorkload } from '@numasim/shared';
import { runWorkload } from '@numasim/node-sim';

/** `go(preset, sets)` runs a preset with `--set`-style overrides; `runs` holds each run's wall seconds. */
export function presetRunner() {
  const runs = [];
  const go = (preset, sets) => {
    const started = Date.now();
    const r = runWorkload(resolveWorkload(getPreset(preset).workload, sets));
    const wallS = (Date.now() - started) / 1000;
    runs.push(wallS);
    process.stderr.write(`${preset} ${sets.join(' ')}: ${wallS.toFixed(1)} s wall\n`);
    return r;
  };
  return { go, runs };
}

export const pct = (v) => `${v.toFixed(1)}%`;
export const num = (v) => Math.round(v).toLocaleString('en-US');

/** The locks named `name`, or of class `name`, as one row: UTIL of the busiest, CON and mean wait over all. */
export function lockOf(r, name) {
  const ls = r.locks.filter((l) => l.name === name || l.class === name);
  const acq = ls.reduce((s, l) => s + l.acquisitions, 0);
  const con = ls.reduce((s, l) => s + l.contentions, 0);
  return {
    n: ls.length,
    acq,
    util: ls.reduce((m, l) => Math.max(m, l.utilPercent), 0),
    con: acq > 0 ? (100 * con) / acq : 0,
    waitUs: con > 0 ? ls.reduce((s, l) => s + l.waitTotalNs, 0) / con / 1000 : 0,
    waitTotalNs: ls.reduce((s, l) => s + l.waitTotalNs, 0),
  };
}
