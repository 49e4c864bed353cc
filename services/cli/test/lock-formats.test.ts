import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stderrStream: process.stderr });
  return { code, stdout, stderr };
}

// Three bench_lock instances: collapsed into one class by default, three rows with --instances.
const small = ['lockbench-8', '--set', 'durationNs=1000000', '--set', 'locks=3'];

describe('numasim run --format', () => {
  it('lockmeter (the default): heading, CPUs and elapsed time, the *TOTAL* line, classes, the workload figures', async () => {
    const r = await cli('run', ...small);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^numasim \S+ {2}lockbench {2}seed 1 /);
    expect(r.stdout).toMatch(/^simulated 0\.001000 s \(last event [\d.]+ s\), \d+ events in /m);
    expect(r.stdout).toMatch(/^All \(8\) CPUs$/m);
    expect(r.stdout).toMatch(/^Delta Time: 0\.001000 sec \(simulated\)$/m);
    expect(r.stdout).toMatch(/\*TOTAL\*$/m);
    expect(r.stdout).toMatch(/ bench_lock {2}\(3 instances\)$/m);
    expect(r.stdout).toMatch(/^lockbench: \d+ operations/m);
    const only = await cli('run', ...small, '--format', 'lockmeter', '--instances');
    expect(only.stdout).not.toMatch(/^numasim /);
    expect(only.stdout).not.toMatch(/^lockbench:/m);
    expect(only.stdout.match(/ bench_lock\[\d\]$/gm)).toHaveLength(3);
  });

  it('lock_stat: the /proc/lock_stat header and one class line with its contention point', async () => {
    const r = await cli('run', ...small, '--format', 'lock_stat');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('lock_stat version 0.4');
    expect(lines[2]).toMatch(/^\s+class name\s+con-bounces\s+contentions\s+waittime-min\s+waittime-max waittime-total\s+waittime-avg\s+acq-bounces\s+acquisitions\s+holdtime-min\s+holdtime-max holdtime-total\s+holdtime-avg$/);
    expect(lines.filter((l) => /^\s+bench_lock:(\s+[\d.]+){12}$/.test(l))).toHaveLength(1);
    expect(r.stdout).toMatch(/^\s+bench_lock\s+\d+\s+spin_lock$/m);
  });

  it('perf-lock: perf lock contention columns, and its separated form with --field-separator', async () => {
    const r = await cli('run', ...small, '--format', 'perf-lock', '--instances');
    expect(r.stdout.split('\n')[0]).toMatch(/^\s+contended\s+total wait\s+max wait\s+avg wait\s+type\s+caller$/);
    expect(r.stdout.match(/^\s+\d+\s+[\d.]+ [mun]?s\s+[\d.]+ [mun]?s\s+[\d.]+ [mun]?s\s+spinlock\s+spin_lock \(bench_lock\[\d\]\)$/gm)).toHaveLength(3);
    const x = await cli('run', ...small, '--format', 'perf-lock', '--field-separator', ',');
    const rows = x.stdout.trim().split('\n');
    expect(rows[0]).toBe('# output: contended,total wait,max wait,avg wait,type,caller');
    expect(rows[1]).toMatch(/^\d+,\d+,\d+,\d+,spinlock,spin_lock \(bench_lock\)$/);
  });

  it('csv and json agree with the JSON report; --top and --lock pick locks', async () => {
    const report = JSON.parse((await cli('run', ...small, '--json')).stdout);
    expect(report.origin).toEqual({ preset: 'lockbench-8', overrides: { durationNs: 1000000, locks: 3 }, label: null });
    const sum = (f: string) => report.locks.reduce((s: number, l: Record<string, number>) => s + l[f], 0);
    const json = JSON.parse((await cli('run', ...small, '--format', 'json')).stdout);
    expect(json.locks).toHaveLength(1);
    expect(json.locks[0]).toMatchObject({ name: 'bench_lock', instances: 3, acquisitions: sum('acquisitions'), contentions: sum('contentions'), waitTotalNs: sum('waitTotalNs') });
    const csv = (await cli('run', ...small, '--format', 'csv', '--instances', '--top', '2')).stdout.trim().split('\n');
    const lockRows = csv.slice(1).filter((l) => l.split(',')[2] === '');
    expect(lockRows).toHaveLength(2);
    const mostContended = [...report.locks].sort((a, b) => b.contentions - a.contentions).slice(0, 2).map((l: { name: string }) => l.name).sort();
    expect(lockRows.map((l) => l.split(',')[0]).sort()).toEqual(mostContended);
    const one = JSON.parse((await cli('run', ...small, '--format', 'json', '--instances', '--lock', 'lock[1]')).stdout);
    expect(one.locks.map((l: { name: string }) => l.name)).toEqual(['bench_lock[1]']);
  });

  const errorCases: [string, string[], RegExp][] = [
    ['an unknown format', ['run', 'lockbench-8', '--format', 'oprofile'], /NUMASIM_ERR_CLI_USAGE: run: --format must be one of lockmeter, lock_stat, perf-lock, perf-cycles, csv, json \(got "oprofile"\)/],
    ['--format with --json', ['run', 'lockbench-8', '--format', 'csv', '--json'], /NUMASIM_ERR_CLI_USAGE: run: --json prints the whole report; give either --json or --format/],
    ['a separator without perf-lock', ['run', 'lockbench-8', '--field-separator', ','], /NUMASIM_ERR_CLI_USAGE: run: --field-separator .* goes with --format perf-lock/],
    ['a bad --top', ['run', 'lockbench-8', '--top', '0'], /NUMASIM_ERR_CLI_USAGE: run: --top must be a whole number from 1 to 1000000 \(got "0"\)/],
  ];
  it.each(errorCases)('rejects %s before running', async (_what, argv, pattern) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(pattern);
  });
});
