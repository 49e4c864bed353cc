/** `numasim run` on workloads that could never end, and what its progress bar says. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { etaSeconds, progressDetail } from '../src/progress.js';

const bin = fileURLToPath(new URL('../bin/numasim.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'run', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('numasim run on a workload whose time cannot advance', () => {
  it('refuses it before running, naming the fields, with exit code 2', () => {
    const r = run('lockbench-8', '--set', 'thinkNs=0', '--set', 'holdNs=0');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^numasim: NUMASIM_ERR_WORKLOAD_ZERO_TIME: .*thinkNs.*holdNs.*handoffNs/);
  });

  it('stops it when its time stands still, in every placement, with exit code 2', () => {
    for (const placement of ['inline', 'threads']) {
      const r = run('lockbench-numaq-ticket', '--set', 'thinkNs=0', '--set', 'holdNs=0', '--set', 'cpusPerNode=1', '--set', 'handoffNs={"sameCpu":0,"sameNode":3,"remote":3}', '--set', `placement=${placement}`);
      expect(r.status, placement).toBe(2);
      expect(r.stderr, placement).toMatch(/^numasim: NUMASIM_ERR_RUN_TIME_STANDS_STILL: simulated time stood still/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('the progress bar', () => {
  it('shows the workload\'s own work where it has some, simulated time otherwise', () => {
    expect(progressDetail({ simulatedNs: 2e9, events: 10, progress: { unit: 'jobs', done: 300, total: 500, fraction: 0.6 } })).toBe('300/500 jobs, 2.000 s simulated, 10 events');
    expect(progressDetail({ simulatedNs: 2e9, events: 10, progress: { unit: 'simulated-ns', done: 2e9, total: 4e9, fraction: 0.5 } })).toBe('2.000 s simulated, 10 events');
  });

  it('estimates the time left from the fraction done', () => {
    expect(etaSeconds(0.25, 3000)).toBe(9);
    expect(etaSeconds(0, 3000)).toBeNull();
    expect(etaSeconds(1, 3000)).toBe(0);
  });
});
