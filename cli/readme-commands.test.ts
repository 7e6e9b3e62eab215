import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
 * names, arguments and choices are checked, nothing is started.
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
  const program = buildProgram();
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
