import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadFixture } from '../../test-support/report-fixtures.js';
import { computeVerdict } from './findings.js';
import { renderVerdictText, VERDICT_WIDTH } from './verdict-text.js';

describe('the verdict in words at the end of a run', () => {
  const result = loadFixture('sample-run');
  const text = renderVerdictText(result);
  const lines = text.split('\n');

  it('gives one line per row of the report\'s verdict table, with its winner, under a line that points to the report', () => {
    const v = computeVerdict(result);
    assert.match(lines[0] ?? '', /^verdict on this run .*report\.html/);
    assert.equal(lines.length, 1 + v.rows.length);
    for (const [i, row] of v.rows.entries()) assert.ok((lines[i + 1] ?? '').trimStart().startsWith(row.title), row.title);
  });

  it('adds the evidence of a single winner, and fits a 120-column terminal', () => {
    assert.match(text, /performance +redis-token \(validate: 23,473 req\/s/);
    for (const l of lines) assert.ok(l.length <= VERDICT_WIDTH, `${l.length} columns: ${l}`);
  });
});
