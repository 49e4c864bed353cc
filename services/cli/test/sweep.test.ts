import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replicateSeed, REPORT_TIMING_FIELDS } from '@numasim/shared';
import { main } from '../src/main.js';

const dir = mkdtempSync(join(tmpdir(), 'numasim-sweep-'));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stderrStream: process.stderr });
  return { code, stdout, stderr };
}

function withoutTiming(report: Record<string, unknown>) {
  const copy = JSON.parse(JSON.stringify(report));
  for (const path of REPORT_TIMING_FIELDS) {
    const [a, b] = path.split('.');
    delete copy[a][b];
  }
  delete copy.origin;
  return copy;
}

const sweepFile = join(dir, 'sw.json');

describe('numasim sweep, compare and plot', () => {
  beforeAll(async () => {
    const r = await cli('sweep', 'lockbench-8', '--grid', 'cpusPerNode=2,4', '--replicates', '3', '--set', 'durationNs=2000000', '--threads', '2', '--out', sweepFile);
    expect(r.stderr).toMatch(/sweep: 6 runs \(cpusPerNode × 2, 3 replicate\(s\)\) written to/);
    expect(r.code).toBe(0);
  });

  it('writes every grid point and replicate with the seeds the service derives, and the reports numasim run gives', async () => {
    const sweep = JSON.parse(readFileSync(sweepFile, 'utf8'));
    expect(sweep).toMatchObject({ kind: 'numasim-sweep', schemaVersion: 1, base: { input: 'lockbench-8', preset: 'lockbench-8', set: ['durationNs=2000000'] }, grid: { cpusPerNode: [2, 4] }, replicates: 3 });
    expect(sweep.runs.map((r: { params: object }) => r.params)).toEqual([0, 1, 2].map((replicate) => ({ cpusPerNode: 2, replicate })).concat([0, 1, 2].map((replicate) => ({ cpusPerNode: 4, replicate }))));
    const base = JSON.parse((await cli('run', 'lockbench-8', '--json')).stdout).run.seed;
    expect(sweep.runs.map((r: { seed: number }) => r.seed)).toEqual([0, 1, 2, 0, 1, 2].map((i) => replicateSeed(base, i)));
    expect(new Set(sweep.runs.map((r: { seed: number }) => r.seed)).size).toBe(3);
    const last = sweep.runs[5];
    expect(last.report.origin).toEqual({ preset: 'lockbench-8', overrides: { durationNs: 2000000, cpusPerNode: 4 }, label: null });
    const alone = JSON.parse((await cli('run', 'lockbench-8', '--json', '--set', 'durationNs=2000000', '--set', 'cpusPerNode=4', '--seed', String(last.seed))).stdout);
    expect(withoutTiming(last.report)).toEqual(withoutTiming(alone));
  });

  it('compare prints mean ± stddev, CV, % change and a significance mark per metric', async () => {
    const r = await cli('compare', sweepFile, '--by', 'cpusPerNode', '--metrics', 'locks.bench_lock.conPercent,locks.bench_lock.holdMeanNs');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^lockbench-8 durationNs=2000000: cpusPerNode = 2, 4; 3 replicate\(s\); baseline cpusPerNode=2$/m);
    expect(r.stdout).toMatch(/^locks\.bench_lock\.conPercent$/m);
    expect(r.stdout).toMatch(/^ {2}cpusPerNode=2\s+3\s+[\d.]+ ± [\d.]+\s+[\d.]+%\s+baseline$/m);
    expect(r.stdout).toMatch(/^ {2}cpusPerNode=4\s+3\s+[\d.]+ ± [\d.]+\s+[\d.]+%\s+\+[\d.]+% \*\s+(<0\.0001|0\.\d{4})$/m);
    const json = JSON.parse((await cli('compare', sweepFile, '--by', 'cpusPerNode', '--baseline', '4', '--metrics', 'locks.bench_lock.conPercent', '--format', 'json')).stdout);
    expect(json.tables).toHaveLength(1);
    expect(json.tables[0].baseline).toBe('cpusPerNode=4');
    const [four, two] = [json.tables[0].rows.find((x: { key: string }) => x.key === 'cpusPerNode=4'), json.tables[0].rows.find((x: { key: string }) => x.key === 'cpusPerNode=2')];
    expect(four).toMatchObject({ baseline: true, n: 3, changePercent: null });
    expect(two.changePercent).toBeCloseTo((100 * (two.mean - four.mean)) / four.mean, 9);
    expect(two.significant).toBe(true);
    const csv = (await cli('compare', sweepFile, '--metrics', 'locks.bench_lock.conPercent', '--format', 'csv')).stdout.trim().split('\n');
    expect(csv[0]).toBe('metric,group,n,mean,stddev,cv,min,max,changePercent,p,significant,baseline,cpusPerNode');
    expect(csv).toHaveLength(3);
  });

  it('compare takes reports from numasim run and groups them by a workload field', async () => {
    const files = [];
    for (const [cpus, seed] of [[2, 1], [2, 2], [4, 1], [4, 2]]) {
      const f = join(dir, `r-${cpus}-${seed}.json`);
      await cli('run', 'lockbench-8', '--set', 'durationNs=1000000', '--set', `cpusPerNode=${cpus}`, '--seed', String(seed), '--out', f, '--format', 'csv');
      files.push(f);
    }
    const r = await cli('compare', ...files, '--by', 'cpusPerNode', '--metrics', 'locks.bench_lock.conPercent');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^4 report\(s\); baseline cpusPerNode=2$/m);
    expect(r.stdout).toMatch(/^ {2}cpusPerNode=4\s+2\s/m);
  });

  it('plot writes an SVG with units, the sweep in the subtitle and error bars', async () => {
    const out = join(dir, 'p.svg');
    const r = await cli('plot', sweepFile, '--metric', 'locks.bench_lock.waitMeanNs', '--x', 'cpusPerNode', '--out', out);
    expect(r.code).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/^<svg /);
    for (const text of ['bench_lock mean wait by cpusPerNode', 'lockbench-8, durationNs=2000000', 'mean of 3 replicates per point', 'bench_lock mean wait (ns)', 'role-mark']) expect(svg).toContain(text);
    const toStdout = await cli('plot', sweepFile, '--metric', 'locks.bench_lock.waitMeanNs', '--x', 'cpusPerNode');
    expect(toStdout.stdout).toBe(svg);
    expect(toStdout.stderr).toBe('');
    const titled = join(dir, 't.svg');
    await cli('plot', sweepFile, '--metric', 'locks.bench_lock.conPercent', '--x', 'cpusPerNode', '--title', 'Contention doubles', '--xlabel', 'CPUs per node', '--ylabel', 'CON (%)', '--out', titled);
    const t = readFileSync(titled, 'utf8');
    for (const text of ['Contention doubles', 'CPUs per node', 'CON (%)']) expect(t).toContain(text);
    const ci = join(dir, 'ci.svg');
    expect((await cli('plot', sweepFile, '--metric', 'locks.bench_lock.conPercent', '--x', 'cpusPerNode', '--spread', 'ci95', '--out', ci)).code).toBe(0);
    const c = readFileSync(ci, 'utf8');
    expect(c).toContain('with the 95% confidence interval of the mean');
    expect(c).not.toContain('±1 standard deviation');
  });

  it('reads grid values against the schema as --set does: lru=2.4 is the string "2.4"', async () => {
    const out = join(dir, 'lru.json');
    const r = await cli('sweep', 'numaq-16-page-fault', '--grid', 'lru=2.4,2.5-zone', '--set', 'durationNs=200000', '--out', out);
    expect(r.code).toBe(0);
    const sweep = JSON.parse(readFileSync(out, 'utf8'));
    expect(sweep.grid).toEqual({ lru: ['2.4', '2.5-zone'] });
    expect(sweep.runs.map((x: { params: object; report: { config: { lru: string } } }) => [x.params, x.report.config.lru])).toEqual([
      [{ lru: '2.4', replicate: 0 }, '2.4'],
      [{ lru: '2.5-zone', replicate: 0 }, '2.5-zone'],
    ]);
  });

  it('with two grid keys, compare --by one gives a table per value of the other; a categorical x is plotted without lines', async () => {
    const two = join(dir, 'two.json');
    expect((await cli('sweep', 'lockbench-8', '--grid', 'cpusPerNode=1,2', '--grid', 'lock=ticket,tas', '--replicates', '2', '--set', 'durationNs=1000000', '--out', two)).code).toBe(0);
    const r = await cli('compare', two, '--by', 'lock', '--baseline', 'tas', '--metrics', 'locks.bench_lock.conPercent');
    expect(r.stdout.match(/^lockbench-8 .*; cpusPerNode=\d; baseline lock=tas$/gm)).toEqual([
      'lockbench-8 durationNs=1000000: cpusPerNode = 1, 2; lock = ticket, tas; 2 replicate(s); cpusPerNode=1; baseline lock=tas',
      'lockbench-8 durationNs=1000000: cpusPerNode = 1, 2; lock = ticket, tas; 2 replicate(s); cpusPerNode=2; baseline lock=tas',
    ]);
    expect(r.stdout.match(/^ {2}lock=ticket\s+2\s/gm)).toHaveLength(2);
    expect(r.stdout.match(/Welch's t-test/g)).toHaveLength(1);
    const out = join(dir, 'cat.svg');
    expect((await cli('plot', two, '--metric', 'locks.bench_lock.conPercent', '--x', 'lock', '--series', 'cpusPerNode', '--out', out)).code).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toContain('mark-symbol');
    expect(svg).not.toContain('mark-line');
  });

  const notSweep = join(dir, 'not-a-sweep.json');
  writeFileSync(notSweep, '{"hello": 1}');
  const errorCases: [string, string[], RegExp][] = [
    ['a sweep without --grid', ['sweep', 'lockbench-8', '--out', join(dir, 'x.json')], /NUMASIM_ERR_CLI_USAGE: sweep: at least one --grid/],
    ['a sweep without --out', ['sweep', 'lockbench-8', '--grid', 'cpusPerNode=2'], /NUMASIM_ERR_CLI_USAGE: sweep: --out FILE is required/],
    ['a malformed --grid', ['sweep', 'lockbench-8', '--grid', 'cpusPerNode', '--out', join(dir, 'x.json')], /NUMASIM_ERR_CLI_USAGE: sweep: --grid "cpusPerNode": expected key=value1,value2/],
    ['a grid on the seed', ['sweep', 'lockbench-8', '--grid', 'seed=1,2', '--out', join(dir, 'x.json')], /--grid seed: use --replicates N/],
    ['a grid value out of range', ['sweep', 'lockbench-8', '--grid', 'cpusPerNode=2,200', '--out', join(dir, 'x.json')], /NUMASIM_ERR_WORKLOAD_INVALID: sweep point cpusPerNode=200: .*cpusPerNode: must be at most 128/],
    ['too many replicates', ['sweep', 'lockbench-8', '--grid', 'cpusPerNode=2', '--replicates', '0', '--out', join(dir, 'x.json')], /--replicates must be a whole number from 1 to 100 \(got "0"\)/],
    ['a --by that is not a grid key', ['compare', sweepFile, '--by', 'nodes'], /NUMASIM_ERR_CLI_PARAMETER_NOT_FOUND: compare: --by nodes: not a parameter of the sweep \(cpusPerNode\)/],
    ['a baseline the sweep did not take', ['compare', sweepFile, '--by', 'cpusPerNode', '--baseline', '8'], /NUMASIM_ERR_CLI_PARAMETER_NOT_FOUND: compare: --baseline 8: no group has it \(values: 2, 4\)/],
    ['a misspelt metric', ['compare', sweepFile, '--metrics', 'locks.bench_lock.conPercnt'], /NUMASIM_ERR_CLI_METRIC_NOT_FOUND: compare: --metrics locks\.bench_lock\.conPercnt: no run has a number at this path; metrics of these runs include locks\.bench_lock\.conPercent/],
    ['an unknown compare format', ['compare', sweepFile, '--format', 'xml'], /NUMASIM_ERR_CLI_USAGE: compare: --format must be one of text, csv, json \(got "xml"\)/],
    ['a file that is neither sweep nor report', ['compare', notSweep], /NUMASIM_ERR_CLI_INPUT_NOT_SWEEP: compare: .*not-a-sweep\.json is neither a sweep file/],
    ['an unknown plot spread', ['plot', sweepFile, '--metric', 'machine.cpus', '--x', 'cpusPerNode', '--spread', 'iqr'], /NUMASIM_ERR_CLI_USAGE: plot: --spread must be one of stddev, ci95 \(got "iqr"\)/],
    ['a plot without --x', ['plot', sweepFile, '--metric', 'machine.cpus', '--out', join(dir, 'x.svg')], /NUMASIM_ERR_CLI_USAGE: plot: --x is required/],
    ['a plot to a folder that does not exist', ['plot', sweepFile, '--metric', 'machine.cpus', '--x', 'cpusPerNode', '--out', join(dir, 'no', 'x.svg')], /NUMASIM_ERR_CLI_OUTPUT_FAILED: plot: cannot write .*x\.svg: ENOENT/],
    ['a plot --x that is not a grid key', ['plot', sweepFile, '--metric', 'machine.cpus', '--x', 'lock', '--out', join(dir, 'x.svg')], /NUMASIM_ERR_CLI_PARAMETER_NOT_FOUND: plot: --x lock: not a parameter of the sweep \(cpusPerNode\)/],
    ['a plot of a missing metric', ['plot', sweepFile, '--metric', 'locks.nope.conPercent', '--x', 'cpusPerNode', '--out', join(dir, 'x.svg')], /NUMASIM_ERR_CLI_METRIC_NOT_FOUND: plot: --metric locks\.nope\.conPercent/],
  ];

  it.each(errorCases)('rejects %s with exit code 2 and one line naming the flag and the reason', async (_what, argv, pattern) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.split('\n')[0]).toMatch(/^numasim: NUMASIM_ERR_/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
