// What the VALIDATION.md section generators share: a runner that times each preset run and keeps
// the wall times for the section's footer, the number formats, and one lock row folded over every
// lock of a name or class.
import { readFileSync, writeFileSync } from 'node:fs';
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

/** A section's footer: how many runs and their wall time. */
export const runsFooter = (runs) => `_Runs: ${runs.length}; wall time ${runs.reduce((s, w) => s + w, 0).toFixed(0)} s on the machine that generated this section; times are simulated._`;

/**
 * Rewrites one section of `file` in place: from `title` to the next top-level heading (or the end).
 * A section not there yet goes in front of the heading `before` when the file has it, else at the end.
 */
export function rewriteSection(file, title, lines, before) {
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(title);
  let head;
  let tail;
  if (at >= 0) {
    const end = text.indexOf('\n# ', at + title.length);
    head = text.slice(0, at);
    tail = end < 0 ? '' : text.slice(end + 1);
  } else {
    const t = before === undefined ? -1 : text.indexOf(`\n${before}`);
    head = t < 0 ? `${text.replace(/\n*$/, '')}\n\n` : text.slice(0, t + 1);
    tail = t < 0 ? '' : text.slice(t + 1);
  }
  writeFileSync(file, head + lines.join('\n') + (tail ? `\n${tail}` : ''));
}
