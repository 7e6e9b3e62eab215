import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeRun, steady } from '../../test-support/compare-fixtures.js';
import { mergeConfirmation } from './gate.js';
import { bencherMetricFormat, githubActionBenchmark } from './render-export.js';
import { renderComparisonMarkdown } from './render-markdown.js';
import { renderComparisonTable } from './render-table.js';
import { compareRuns, type Comparison } from './verdict.js';
import { columnTitles, tableRows, unwrap } from '../../test-support/report-fixtures.js';
import { TERMINAL_WIDTH, widestLine } from '../render/fit.js';

/** The row of a cell and metric in the terminal table, a wrapped cell read back as one line. */
const rowOf = (text: string, scenario: string, strategy: string, metric: string): string[] | undefined =>
  tableRows(text)[0]?.find((r) => r[0] === scenario && r[1] === strategy && r[2] === metric);

const slower = (factor: number) => (s: string, t: string, r: number): number => steady(s, t, r) * (s === 'validate' && t === 'redis-token' ? factor : 1);
const regressed = (): Comparison => compareRuns(fakeRun({ rps: steady }), fakeRun({ rps: slower(0.5) }), { threshold: 0.1 });

describe('the terminal table', () => {
  it('has a row per scenario, strategy and metric with baseline, current, change, interval and verdict', () => {
    const text = renderComparisonTable(regressed());
    assert.deepEqual(columnTitles(text), ['scenario', 'strategy', 'metric', 'baseline', 'current', 'change', 'interval', 'verdict']);
    assert.deepEqual(rowOf(text, 'validate', 'redis-token', 'req/s ÷ ceiling'), ['validate', 'redis-token', 'req/s ÷ ceiling', '20.0% (8,000 req/s)', '10.0% (4,000 req/s)', '−50.0%', '−50.0% … −50.0%', 'REGRESSED']);
    assert.equal(rowOf(text, 'login', 'jwt', 'p99 × ceiling')?.[3], '160.0 (4 ms)');
    assert.ok(widestLine(text) <= TERMINAL_WIDTH, `every line within ${TERMINAL_WIDTH} columns:\n${text}`);
    assert.match(text, /threshold: throughput 10%, p99 10%/);
    assert.match(unwrap(text), /percentile bootstrap \(5000 resamples, fixed seed\)/);
  });

  it('says NOT COMPARABLE with every reason and no table when the files cannot be compared', () => {
    const text = renderComparisonTable(compareRuns(fakeRun({ rps: steady }), fakeRun({ rps: steady, flags: { connections: '50' } }), { threshold: 0.1 }));
    assert.match(text, /NOT COMPARABLE: these results cannot be compared, nothing was judged:\n {2}- load option connections: baseline 10, current 50/);
    assert.doesNotMatch(text, /┌/);
  });
});

describe('the Markdown summary', () => {
  it('leads with the verdict and lists what regressed, then a well-formed table', () => {
    const md = renderComparisonMarkdown(regressed());
    assert.match(md, /^## authbench CI regression gate: ❌ regression\n/);
    assert.match(md, /^- validate × redis-token, req\/s ÷ ceiling: \*\*regressed\*\* −50\.0% \(−50\.0% … −50\.0%\)$/m);
    const rows = md.split('\n').filter((l) => l.startsWith('|'));
    assert.equal(rows.length, 2 + 12, 'header, separator, 12 rows');
    for (const r of rows) assert.equal(r.split('|').length, 10, `9 columns: ${r}`);
    assert.match(md, /<details><summary>How this is measured<\/summary>/);
  });

  it('says no regression when there is none, and not comparable with the reasons', () => {
    assert.match(renderComparisonMarkdown(compareRuns(fakeRun({ rps: steady }), fakeRun({ rps: steady }), { threshold: 0.1 })), /^## .*: ✅ no regression/);
    const md = renderComparisonMarkdown(compareRuns(fakeRun({ rps: steady }), fakeRun({ rps: steady, environment: { cpuCount: 4 } }), { threshold: 0.1 }));
    assert.match(md, /^## .*: ⚠️ not comparable/);
    assert.match(md, /^- environment class: baseline .* 2 CPUs.*current .* 4 CPUs/m);
  });
});

describe('the exports for benchmark dashboards', () => {
  it('github-action-benchmark: throughput in customBiggerIsBetter, p99 in customSmallerIsBetter, {name, unit, value}', () => {
    const { biggerIsBetter, smallerIsBetter } = githubActionBenchmark(regressed());
    assert.equal(biggerIsBetter.length, 6);
    assert.equal(smallerIsBetter.length, 6);
    const hit = biggerIsBetter.find((e) => e.name === 'validate redis-token req/s ÷ ceiling');
    assert.deepEqual({ unit: hit?.unit, value: hit?.value, range: hit?.range }, { unit: '% of ceiling', value: 10, range: '10–10' });
    assert.match(hit?.extra ?? '', /verdict: regressed\nchange vs baseline: −50\.0%/);
    for (const e of [...biggerIsBetter, ...smallerIsBetter]) {
      assert.equal(typeof e.name, 'string');
      assert.equal(typeof e.unit, 'string');
      assert.ok(Number.isFinite(e.value), `${e.name} has a numeric value`);
    }
    assert.ok(smallerIsBetter.every((e) => / p99 × ceiling req\/s$/.test(e.name) && e.unit === 'ceiling request-times'));
  });

  it('Bencher Metric Format: benchmark → measure → {value, lower_value, upper_value}, numbers only', () => {
    const bmf = bencherMetricFormat(regressed());
    assert.deepEqual(Object.keys(bmf).sort(), ['login', 'validate'].flatMap((s) => ['jwt', 'jwt-blacklist', 'redis-token'].map((t) => `authbench/${s}/${t}`)).sort());
    assert.deepEqual(bmf['authbench/validate/redis-token'], { 'ceiling-fraction': { value: 0.1, lower_value: 0.1, upper_value: 0.1 }, 'p99-ceiling-requests': { value: 160, lower_value: 160, upper_value: 160 } });
    for (const measures of Object.values(bmf)) for (const m of Object.values(measures)) for (const v of Object.values(m)) assert.equal(typeof v, 'number');
  });
});

describe('re-measuring what regressed', () => {
  it('keeps a regression the re-measurement confirms, and notes both', () => {
    const first = regressed();
    const merged = mergeConfirmation(first, regressed());
    const r = merged.rows.find((x) => x.verdict === 'regressed');
    assert.match(r?.note ?? '', /^re-measured: first run −50\.0% \(.*\), regressed; re-measurement −50\.0% \(.*\), regressed$/);
  });

  it('drops a regression the re-measurement does not see, keeping the note', () => {
    const first = regressed();
    const again = compareRuns(fakeRun({ rps: steady }), fakeRun({ rps: steady, flags: { scenarios: 'validate', strategies: 'redis-token' } }), { threshold: 0.1, subset: true });
    const merged = mergeConfirmation(first, again);
    assert.equal(merged.rows.filter((x) => x.verdict === 'regressed').length, 0);
    assert.match(merged.rows.find((x) => x.scenario === 'validate' && x.strategy === 'redis-token' && x.metric === 'throughput')?.note ?? '', /re-measurement \+0\.0% .*, ok$/);
    assert.equal(merged.rows.length, first.rows.length);
  });
});
