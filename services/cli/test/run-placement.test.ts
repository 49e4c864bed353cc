import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stderrStream: process.stderr });
  return { code, stdout, stderr };
}

/** The lockmeter text without its wall-clock figures (the second line). */
const withoutWall = (text: string) => text.replace(/ in [\d.]+ s wall \([\d.]+ M events\/s\)/, '');

describe('numasim run --set placement=…', () => {
  it('prints the same report in every placement', async () => {
    const set = ['--set', 'durationNs=30000000', '--set', 'zonelist=round-robin'];
    const inline = await cli('run', 'numaq-16-kernbench', ...set, '--set', 'placement=inline');
    expect(inline.code).toBe(0);
    expect(inline.stdout).toMatch(/pagemap_lru_lock/);
    for (const placement of ['threads', 'packed:2']) {
      const r = await cli('run', 'numaq-16-kernbench', ...set, '--set', `placement=${placement}`);
      expect(r.code).toBe(0);
      expect(withoutWall(r.stdout)).toBe(withoutWall(inline.stdout));
    }
  });

  it('rejects an unknown placement with a code naming the field', async () => {
    const r = await cli('run', 'lockbench-8', '--set', 'placement=everywhere');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NUMASIM_ERR_WORKLOAD_INVALID.*placement/);
  });
});
