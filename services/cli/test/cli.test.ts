import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/main.js';

const bin = fileURLToPath(new URL('../bin/numasim.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'numasim-cli-'));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stderrStream: process.stderr,
  });
  return { code, stdout, stderr };
}

const small = { kind: 'lockbench', nodes: 1, cpusPerNode: 4, durationNs: 2_000_000, seed: 3 };
const smallFile = join(dir, 'small.json');
writeFileSync(smallFile, JSON.stringify(small));

describe('numasim run', () => {
  it('prints a lockmeter table', async () => {
    const r = await cli('run', smallFile);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SPINLOCKS/);
    expect(r.stdout).toMatch(/^\s+\S+%\s+\S+%.*bench_lock$/m);
    expect(r.stdout).toMatch(/^.*spin_lock$/m);
  });

  it('--json prints exactly one report document, --out writes the same', async () => {
    const out = join(dir, 'report.json');
    const r = await cli('run', smallFile, '--json', '--out', out);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ schemaVersion: 1, run: { seed: 3, kind: 'lockbench', simulatedNs: 2_000_000 } });
    expect(report.run.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(report.engine).sort()).toEqual(['events', 'eventsPerSecond', 'version', 'wallSeconds']);
    for (const f of ['name', 'class', 'acquisitions', 'contentions', 'trylockFailures', 'utilPercent', 'conPercent', 'holdMeanNs', 'holdMaxNs', 'holdTotalNs', 'waitMeanNs', 'waitMaxNs', 'waitTotalNs', 'waitCpuPercent', 'conBounces', 'acqBounces', 'callers']) {
      expect(report.locks[0]).toHaveProperty(f);
    }
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
    expect(report.origin).toEqual({ preset: null, overrides: null, label: null });
  });

  it('runs presets and takes --seed and --set', async () => {
    const a = JSON.parse((await cli('run', 'lockbench-8', '--json', '--seed', '4', '--set', 'durationNs=1000000', '--set', 'cpusPerNode=2')).stdout);
    expect(a.run.seed).toBe(4);
    expect(a.config.cpusPerNode).toBe(2);
    expect(a.machine.cpus).toBe(2);
    expect(a.origin).toEqual({ preset: 'lockbench-8', overrides: { durationNs: 1_000_000, cpusPerNode: 2, seed: 4 }, label: null });
  });

  const errorCases: [string, string[], RegExp][] = [
    ['a missing file', ['run', join(dir, 'missing.json')], /NUMASIM_ERR_CLI_INPUT_NOT_FOUND: .*missing\.json/],
    ['bad JSON', ['run', join(dir, 'bad.json')], /NUMASIM_ERR_CLI_INPUT_NOT_JSON: .*bad\.json is not valid JSON/],
    ['an unknown field', ['run', smallFile, '--set', 'cpuPerNode=2'], /NUMASIM_ERR_WORKLOAD_INVALID: .*cpuPerNode: unknown field/],
    ['an out-of-range value', ['run', smallFile, '--set', 'nodes=1000'], /NUMASIM_ERR_WORKLOAD_INVALID: .*nodes: must be at most 64 \(got 1000\)/],
    ['a wrong type', ['run', smallFile, '--set', 'lock=fifo'], /lock: must be one of "ticket", "tas", "qspinlock", "cna" \(got "fifo"\)/],
    ['a malformed --set', ['run', smallFile, '--set', 'cpusPerNode'], /NUMASIM_ERR_SET_SYNTAX/],
    ['a bad --seed', ['run', smallFile, '--seed', '1.5'], /NUMASIM_ERR_CLI_USAGE: run: --seed must be a whole number/],
    ['an unknown option', ['run', smallFile, '--fast'], /NUMASIM_ERR_CLI_USAGE: run: Unknown option '--fast'/],
    ['no workload', ['run'], /NUMASIM_ERR_CLI_USAGE: run: expected one workload/],
    ['an unknown command', ['simulate'], /NUMASIM_ERR_CLI_USAGE: unknown command "simulate"/],
    ['a bad bench option', ['bench', 'phold', '--remote', '2'], /--remote must be a number from 0 to 1 \(got "2"\)/],
  ];
  writeFileSync(join(dir, 'bad.json'), '{"kind": "lockbench",');

  it.each(errorCases)('rejects %s with exit code 2 and one line naming the problem', async (_what, argv, pattern) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.split('\n')[0]).toMatch(/^numasim: NUMASIM_ERR_/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('numasim presets and bench', () => {
  it('lists presets one per line', async () => {
    const r = await cli('presets');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(4);
    expect(r.stdout).toMatch(/^lockbench-8\s+\S/m);
  });

  it('bench phold --json prints events, rate and a checksum that depends only on the parameters', async () => {
    const args = ['bench', 'phold', '--lps', '32', '--population', '4', '--end', '50', '--json'];
    const a = JSON.parse((await cli(...args)).stdout);
    const b = JSON.parse((await cli(...args, '--queue', 'heap')).stdout);
    expect(Object.keys(a).sort()).toEqual(['checksum', 'events', 'eventsPerSecond', 'wallSeconds']);
    expect(a.events).toBeGreaterThan(1000);
    expect(b.checksum).toBe(a.checksum);
    expect(b.events).toBe(a.events);
  });
});

describe('the numasim executable', () => {
  it('exits 2 on bad input and prints nothing on stdout', () => {
    const r = spawnSync(process.execPath, [bin, 'run', 'no-such-preset'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^numasim: NUMASIM_ERR_CLI_INPUT_NOT_FOUND/);
  });

  it('prints only the JSON report on stdout when stderr is not a terminal', () => {
    const r = spawnSync(process.execPath, [bin, 'run', smallFile, '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).schemaVersion).toBe(1);
  });
});
