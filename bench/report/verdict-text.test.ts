import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { everyTableResult, loadFixture } from '../../test-support/report-fixtures.js';
import { columns } from '../render/fit.js';
import type { RunResult } from '../result/schema.js';
import { computeVerdict } from './findings.js';
import { renderVerdictText, VERDICT_WIDTH } from './verdict-text.js';

/** The verdict's entries: a line that starts with its title, and the lines under it that go on with its winner. */
function entries(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    if (/^ {2}\S/.test(line)) out.push(line);
    else out[out.length - 1] = `${out.at(-1) ?? ''} ${line.trim()}`;
  }
  return out;
}

/** Each row whole: its title, then its winner and the single winner's evidence, nothing cut. */
function assertWhole(result: RunResult, text: string): void {
  const v = computeVerdict(result);
  const got = entries(text);
  assert.equal(got.length, v.rows.length);
  for (const [i, row] of v.rows.entries()) {
    const entry = got[i] ?? '';
    assert.ok(entry.trimStart().startsWith(row.title), row.title);
    const only = row.winners.length === 1 ? row.winners[0] : undefined;
    const expected = `${row.winner}${only === undefined ? '' : ` (${row.evidence[only] ?? ''})`}`;
    assert.equal(entry.slice(entry.indexOf(row.title) + row.title.length).trim(), expected.replace(/\s+/g, ' '), row.title);
  }
}

describe('the verdict in words at the end of a run', () => {
  const result = loadFixture('sample-run');
  const text = renderVerdictText(result);
  const lines = text.split('\n');

  it('gives one entry per row of the report\'s verdict table, with its winner, under a line that points to the report', () => {
    const v = computeVerdict(result);
    assert.match(lines[0] ?? '', /^verdict on this run .*report\.html/);
    assert.equal(entries(text).length, v.rows.length);
    for (const [i, row] of v.rows.entries()) assert.ok((entries(text)[i] ?? '').trimStart().startsWith(row.title), row.title);
  });

  it('adds the evidence of a single winner, and fits a 120-column terminal', () => {
    assert.match(text, /performance +redis-token \(validate: 23,473 req\/s/);
    for (const l of lines) assert.ok(columns(l) <= VERDICT_WIDTH, `${columns(l)} columns: ${l}`);
    assertWhole(result, text);
  });

  it('goes on under the winner, wrapped at spaces, when a row is longer than the terminal: nothing is cut', () => {
    const full = everyTableResult();
    const wide = renderVerdictText(full);
    for (const l of wide.split('\n')) assert.ok(columns(l) <= VERDICT_WIDTH, `${columns(l)} columns: ${l}`);
    assert.ok(wide.split('\n').length > 1 + computeVerdict(full).rows.length, 'some row went on to a second line');
    assert.doesNotMatch(wide, /…/);
    assertWhole(full, wide);
    // A row goes on under its winner: the later lines start where the winners do, after the widest title.
    const at = 2 + Math.max(...computeVerdict(full).rows.map((r) => r.title.length)) + 2;
    for (const l of wide.split('\n').slice(1).filter((x) => !/^ {2}\S/.test(x))) assert.equal(l.search(/\S/), at, l);
  });
});
