import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadFixture } from '../../test-support/report-fixtures.js';
import { buildReport } from './report.js';

describe('building a report', () => {
  it('gives the same bytes for the same results, however many reports the process built before', async () => {
    const a = await buildReport([loadFixture('outage-run')]);
    await buildReport([loadFixture('sample-run')]);
    const b = await buildReport([loadFixture('outage-run')]);
    assert.equal(a.html, b.html);
    assert.equal(a.markdown, b.markdown);
  });

  it('inlines every chart in the HTML with ids no other chart uses', async () => {
    const r = await buildReport([loadFixture('alg-rs256'), loadFixture('outage-run')]);
    const names = r.charts.map((c) => c.name);
    assert.deepEqual(names, ['run1-throughput', 'run1-latency', 'run1-cost', 'run2-throughput', 'run2-latency', 'run2-outage-kill', 'run2-outage-stop', 'run2-outage-flush', 'across-throughput', 'across-p99']);
    for (const c of r.charts) assert.ok(r.html.includes(c.svg), `${c.name} is inline`);
    const ids = [...r.html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, 'no id twice');
  });

  it('refuses to build a report from no result', async () => {
    await assert.rejects(buildReport([]), RangeError);
  });
});
