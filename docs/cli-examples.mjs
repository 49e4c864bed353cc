// Runs the example commands of docs/CLI.md and puts their output back in the file, so every
// figure there is one the CLI printed. Each ```console block holds `$ numasim ...` lines; the
// output under each is replaced. Files the commands name (sw.json, *.svg) live in a scratch
// folder; an SVG they write is returned so docs/ can keep a copy to show.
// Used by docs/gen-cli.mjs (writes) and services/cli/test/cli-doc.test.ts (checks).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const { main } = await import('../services/cli/dist/main.js');

/** Splits a command line on spaces, keeping "double-quoted words" together. */
function words(line) {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

const isFile = (w) => /\.(json|svg)$/.test(w);

async function runLine(line, scratch, figures) {
  const argv = words(line).slice(1).map((w) => (isFile(w) ? join(scratch, w) : w));
  let out = '';
  const io = { stdout: (t) => (out += t), stderr: (t) => (out += t), stderrStream: { isTTY: false } };
  const code = await main(argv, io);
  if (code !== 0) throw new Error(`docs/CLI.md example failed (exit ${code}): ${line}\n${out}`);
  for (const w of argv) if (w.endsWith('.svg')) figures[basename(w)] = readFileSync(w, 'utf8');
  return out.split(`${scratch}/`).join('');
}

/** The markdown with every console block's output regenerated, and the SVG files written. */
export async function regenerate(markdown) {
  const scratch = mkdtempSync(join(tmpdir(), 'numasim-cli-doc-'));
  const figures = {};
  try {
    const parts = markdown.split(/(```console\n[\s\S]*?```)/);
    for (let i = 1; i < parts.length; i += 2) {
      const lines = parts[i].split('\n').filter((l) => l.startsWith('$ numasim '));
      let body = '';
      for (const line of lines) body += `${line}\n${await runLine(line.slice(2), scratch, figures)}`;
      parts[i] = `\`\`\`console\n${body.endsWith('\n') ? body : `${body}\n`}\`\`\``;
    }
    return { markdown: parts.join(''), figures };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
