#!/usr/bin/env node
// `npm run docs:cli` (after `npm run build`): reruns the examples of docs/CLI.md and writes their
// output, and the plot they draw, back into docs/. services/cli/test/cli-doc.test.ts checks both.
import { readFileSync, writeFileSync } from 'node:fs';
import { regenerate } from './cli-examples.mjs';

const file = new URL('./CLI.md', import.meta.url);
const { markdown, figures } = await regenerate(readFileSync(file, 'utf8'));
writeFileSync(file, markdown);
for (const [name, svg] of Object.entries(figures)) writeFileSync(new URL(`./${name}`, import.meta.url), svg);
console.log(`docs/CLI.md regenerated${Object.keys(figures).length ? `, with ${Object.keys(figures).join(', ')}` : ''}`);
