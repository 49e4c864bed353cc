/** docs/CLI.md shows what the CLI prints: its examples rerun give the same output and charts. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';

const docs = new URL('../../../docs/', import.meta.url);

describe('docs/CLI.md', () => {
  it('is current: every example prints what the file shows (npm run docs:cli regenerates it)', async () => {
    // @ts-expect-error: a plain ES module of docs/, without types
    const { regenerate } = (await import('../../../docs/cli-examples.mjs')) as { regenerate: (md: string) => Promise<{ markdown: string; figures: Record<string, string> }> };
    const current = readFileSync(new URL('CLI.md', docs), 'utf8');
    const { markdown, figures } = await regenerate(current);
    expect(markdown).toBe(current);
    expect(Object.keys(figures).sort()).toEqual(['cli-plot-think.svg', 'cli-plot.svg']);
    for (const [name, svg] of Object.entries(figures)) expect(svg, `docs/${name}`).toBe(readFileSync(new URL(name, docs), 'utf8'));
  }, 180_000);
});
