/**
 * The repository stands alone: no file refers to design notes kept outside it. Facts the model
 * relies on are restated in docs/SOURCES.md, and comments point there.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

// Built from pieces so that this file does not name them itself.
const outsideNotes = [
  ['VM', 'REFERENCE'].join('-'),
  ['ENGINE', 'NOTES'].join('-'),
  ['lse', 'minutes'].join('-'),
  ['MISSION', 'md'].join('.'),
  ['STYLE', 'md'].join('.'),
  ['..', 'shared', ''].join('/'),
];

// Pages the README links to that other branches of this session write (the service's API and
// lifecycle, the command line, the web page). Once a page exists it must leave this list.
const awaitingOtherBranches = new Set<string>();

const skippedDirs = new Set(['.git', 'node_modules', 'dist', 'data', 'coverage', 'results']);
const binary = /\.(png|jpe?g|gif|ico|sqlite|wasm|node|gz|tgz|zip|woff2?)$/i;

/** The files git tracks; a walk of the tree (build output and data left out) where git is absent. */
function repositoryFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\0')
      .filter((f) => f !== '');
  } catch {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          if (!skippedDirs.has(name)) walk(path);
        } else files.push(relative(root, path));
      }
    };
    walk(root);
    return files;
  }
}

describe('the repository stands alone', () => {
  it('names no design note kept outside it', () => {
    const files = repositoryFiles().filter((f) => !binary.test(f) && f !== 'package-lock.json');
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(join(root, file), 'utf8');
      } catch {
        continue; // listed by git but deleted in the work tree
      }
      text.split('\n').forEach((line, i) => {
        for (const name of outsideNotes) if (line.includes(name)) found.push(`${file}:${i + 1}: ${name}`);
      });
    }
    expect(found).toEqual([]);
  });

  it('gives docs/SOURCES.md the anchors code comments point at', () => {
    const sources = readFileSync(join(root, 'docs/SOURCES.md'), 'utf8');
    const anchors = new Set([...sources.matchAll(/<a id="([a-z0-9-]+)"><\/a>/g)].map((m) => m[1]));
    const cited = new Set<string>();
    for (const file of repositoryFiles().filter((f) => /\.(ts|mjs|js|md)$/.test(f))) {
      let text: string;
      try {
        text = readFileSync(join(root, file), 'utf8');
      } catch {
        continue;
      }
      // "SOURCES.md#kmap, #pte-highmem": the first anchor and the ones listed after it.
      for (const m of text.matchAll(/SOURCES\.md#([a-z0-9-]+)((?:,? (?:and )?#[a-z0-9-]+)*)/g)) {
        cited.add(m[1]);
        for (const more of m[2].matchAll(/#([a-z0-9-]+)/g)) cited.add(more[1]);
      }
    }
    expect(cited.size).toBeGreaterThan(5);
    expect([...cited].filter((a) => !anchors.has(a))).toEqual([]);
  });

  it('links only to files that exist', () => {
    const broken: string[] = [];
    for (const file of repositoryFiles().filter((f) => f.endsWith('.md'))) {
      let text: string;
      try {
        text = readFileSync(join(root, file), 'utf8');
      } catch {
        continue;
      }
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(m[1])) continue; // http:, mailto:
        const target = relative(root, join(root, dirname(file), m[1]));
        if (existsSync(join(root, target))) continue;
        if (!awaitingOtherBranches.has(target)) broken.push(`${file}: ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
    expect([...awaitingOtherBranches].filter((f) => existsSync(join(root, f)))).toEqual([]);
  });
});
