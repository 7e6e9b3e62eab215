import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from './program.js';

/**
 * Every authbench command the README (and docs/, when there is one) shows must parse: a renamed option or command
 * fails here, not in a reader's terminal. Commands are taken from code blocks and inline code that start with
 * `authbench`, `npx authbench`, `node dist/cli/index.js` or `npm run bench…` (inline code only with an option: in
 * running text `authbench report` names a command); a synopsis line keeps only its part before two spaces (the
 * description column); a line with a placeholder (`<x>`, `[x]`, `a|b`, `...`) is a synopsis, and printed output
 * (`authbench 0.1.0 · …`) is not a command: both are left out. Parsing runs commander with every action replaced by nothing: option
 * names, arguments and choices are checked, nothing is started. Every relative link of these files (and of
 * CONTRIBUTING.md) must lead to a file of the repository, and a `#anchor` to a heading of that file: moving a section
 * to another file, or renaming a heading, fails here, not in a reader's browser.
 */
const ROOT = new URL('../../', import.meta.url);
const PREFIXES = ['authbench ', 'npx authbench ', 'node dist/cli/index.js ', 'npm run bench'];

interface Found {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

function documents(): { file: string; text: string }[] {
  const files = ['README.md'];
  const docs = new URL('docs/', ROOT);
  if (existsSync(docs)) files.push(...readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`));
  return files.map((file) => ({ file, text: readFileSync(new URL(file, ROOT), 'utf8') }));
}

/** The lines of a Markdown text outside fenced code blocks, each with its number (from 1). */
function prose(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let fenced = false;
  for (const [i, raw] of text.split('\n').entries()) {
    if (raw.trimStart().startsWith('```')) fenced = !fenced;
    else if (!fenced) lines.push({ line: i + 1, text: raw });
  }
  return lines;
}

/**
 * GitHub's anchor of a heading: its text (a link's text, inline code without the backticks), lowercase, with every
 * character but letters, digits, spaces, hyphens and underscores dropped, and each space a hyphen.
 */
export function anchorOf(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown text's headings; a repeated heading gets -1, -2, … as on GitHub. */
export function anchorsIn(text: string): Set<string> {
  const anchors = new Set<string>();
  for (const { text: line } of prose(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = anchorOf(heading);
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/**
 * The relative links of a Markdown file that lead nowhere: to no file of the repository, or to an anchor that no
 * heading of the target has. `read` gives a repository file's text, or undefined when there is no such file or folder
 * ('' for a folder). Links with a scheme (https:, mailto:) and links inside code are not checked.
 */
export function brokenLinks(file: string, text: string, read: (path: string) => string | undefined): Found[] {
  const broken: Found[] = [];
  for (const { line, text: raw } of prose(text)) {
    for (const match of raw.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const link = match[1] ?? '';
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue;
      const [target = '', anchor] = link.split('#', 2);
      const path = target === '' ? file : posix.normalize(posix.join(posix.dirname(file), target));
      const content = path.startsWith('../') ? undefined : read(path.replace(/\/$/, ''));
      const ok = content !== undefined && (anchor === undefined || !path.endsWith('.md') || anchorsIn(content).has(anchor));
      if (!ok) broken.push({ file, line, text: link });
    }
  }
  return broken;
}

/** A repository file's text ('' for a folder), or undefined when it does not exist. */
function readRepositoryFile(path: string): string | undefined {
  const url = new URL(path, ROOT);
  if (!existsSync(url)) return undefined;
  try {
    return readFileSync(url, 'utf8');
  } catch {
    return '';
  }
}

/** The commands a Markdown text shows, each with its line. */
export function commandsIn(file: string, text: string): Found[] {
  const found: Found[] = [];
  let fenced = false;
  for (const [i, raw] of text.split('\n').entries()) {
    if (raw.trimStart().startsWith('```')) {
      fenced = !fenced;
      continue;
    }
    const candidates = fenced ? [raw.trim()] : [...raw.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    for (const candidate of candidates) {
      for (const part of candidate.split('&&').map((p) => p.trim())) {
        // A comment, and a synopsis's description column (two spaces or more after the command), are not the command.
        const command = (part.split(/\s#\s/)[0] ?? '').split(/\s{2,}/)[0]?.trim() ?? '';
        if (!PREFIXES.some((p) => command === p.trim() || command.startsWith(p))) continue;
        if (/[<>[\]|·]|\.\.\.|…/.test(command)) continue;
        // In running text, `authbench report` names a command; only a span with an option is one to run.
        if (!fenced && !command.startsWith('npm ') && !/\s--?\w/.test(command)) continue;
        found.push({ file, line: i + 1, text: command });
      }
    }
  }
  return found;
}

/** `npm run <script> -- args` as the authbench argv the script runs (package.json's "node dist/cli/index.js …"). */
function argvOf(command: string, scripts: Record<string, string>): string[] {
  const words = command.match(/'[^']*'|"[^"]*"|\S+/g)?.map((w) => w.replace(/^['"]|['"]$/g, '')) ?? [];
  if (words[0] === 'npm') {
    const script = scripts[words[2] ?? ''];
    assert.ok(script !== undefined, `no npm script ${words[2]}`);
    const cli = /node dist\/cli\/index\.js (.*)$/.exec(script);
    assert.ok(cli?.[1] !== undefined, `npm script ${words[2]} does not run authbench: ${script}`);
    const dashes = words.indexOf('--');
    return [...cli[1].split(/\s+/), ...(dashes < 0 ? [] : words.slice(dashes + 1))];
  }
  const start = words[0] === 'npx' ? 2 : words[0] === 'node' ? 2 : 1;
  return words.slice(start);
}

function silence(cmd: Command): void {
  cmd.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  cmd.exitOverride();
  // Parse only: no command runs.
  if (cmd.parent !== null) cmd.action(() => {});
  for (const sub of cmd.commands) silence(sub);
}

async function parses(argv: readonly string[]): Promise<string | undefined> {
  const program = await buildProgram();
  silence(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

describe('the commands the README and docs show', () => {
  const scripts = (JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const found = documents().flatMap(({ file, text }) => commandsIn(file, text));

  it('finds the commands of the README, the main one first', () => {
    assert.ok(found.length >= 20, `${found.length} commands found`);
    assert.ok(found.some((f) => f.text === 'npm run bench'), 'npm run bench');
  });

  it('parses every one of them, options and arguments', async () => {
    const failures: string[] = [];
    for (const f of found) {
      const error = await parses(argvOf(f.text, scripts));
      if (error !== undefined) failures.push(`${f.file}:${f.line}: ${f.text}\n    ${error.split('\n')[0]}`);
    }
    assert.deepEqual(failures, []);
  });

  it('would catch a renamed option or command', async () => {
    assert.match((await parses(['run', '--strategy', 'jwt'])) ?? '', /unknown option '--strategy'/);
    assert.match((await parses(['bench'])) ?? '', /unknown command 'bench'/);
    assert.equal(await parses(['run', '--strategies', 'jwt', '--scenarios', 'validate']), undefined);
  });

  it('takes a synopsis line without its description, and leaves placeholders out', () => {
    const text = [
      '```text',
      'authbench run                     scenarios × designs',
      'authbench serve <design>',
      'authbench micro 0.1.0 · 2026-12-02 · git 0446752e30',
      '```',
      'Run `npm run bench -- --quick`, `authbench report a.json [b.json]` or `authbench sweep --quick`; `authbench report` writes it.',
    ].join('\n');
    assert.deepEqual(commandsIn('x.md', text).map((f) => f.text), ['authbench run', 'npm run bench -- --quick', 'authbench sweep --quick']);
  });
});

describe('the links the README, CONTRIBUTING and docs give', () => {
  const files = [...documents(), { file: 'CONTRIBUTING.md', text: readFileSync(new URL('CONTRIBUTING.md', ROOT), 'utf8') }];

  it('lead to a file of the repository, and an anchor to a heading of that file', () => {
    const links = files.flatMap(({ file, text }) => prose(text).filter((l) => l.text.includes('](')).map(() => file));
    assert.ok(links.length >= 20, `${links.length} lines with a link found`);
    const broken = files.flatMap(({ file, text }) => brokenLinks(file, text, readRepositoryFile));
    assert.deepEqual(broken.map((b) => `${b.file}:${b.line}: ${b.text}`), []);
  });

  it('takes the anchor GitHub gives a heading', () => {
    assert.equal(anchorOf('Relative mode: `authbench ci --base <ref>`'), 'relative-mode-authbench-ci---base-ref');
    assert.equal(anchorOf('The HTTP contract (identical for every design)'), 'the-http-contract-identical-for-every-design');
    assert.equal(anchorOf('Workers: `serve --workers N`, `run --workers 1,2`'), 'workers-serve---workers-n-run---workers-12');
    assert.deepEqual([...anchorsIn('# A\n## A\n```sh\n# not a heading\n```\n### b_c')], ['a', 'a-1', 'b_c']);
  });

  it('would catch a missing file, a missing heading and a link out of the repository', () => {
    const repo: Record<string, string> = { 'README.md': '# authbench\n## Two commands', 'docs/ci-gate.md': '# CI regression gate', docs: '' };
    const text = [
      '[ok](../README.md#two-commands) [ok](ci-gate.md) [ok](#ci-regression-gate) [ok](https://x.org/#nowhere) `[code](nowhere.md)`',
      '[gone](method.md) [moved](../README.md#ci-regression-gate) [up](../../etc/passwd) [folder](../docs/)',
      '```',
      '[in a code block](nowhere.md)',
      '```',
    ].join('\n');
    const broken = brokenLinks('docs/ci-gate.md', text, (path) => repo[path]);
    assert.deepEqual(broken.map((b) => `${b.line}: ${b.text}`), ['2: method.md', '2: ../README.md#ci-regression-gate', '2: ../../etc/passwd']);
  });
});
