import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outageRow } from '../render/outage-table.js';
import { scenarioRow } from '../render/tables.js';
import { loadFixture } from '../../test-support/report-fixtures.js';
import { buildDocument, type Block, type RunSection } from './document.js';
import type { RenderedChart } from './svg.js';
import { renderHtml } from './html.js';
import { mdText, renderMarkdown } from './markdown.js';
import { loadCellsOf, outageCellsOf, type RunResult } from '../result/schema.js';

const section = (result: RunResult, label = 'HS256'): RunSection => ({ label, result, charts: new Map() });
const tables = (blocks: Block[]) => blocks.flatMap((b) => (b.kind === 'table' ? [b] : []));
const headingIndex = (blocks: Block[], text: string): number => blocks.findIndex((b) => b.kind === 'heading' && b.text === text);

describe('report document', () => {
  const sample = loadFixture('sample-run');
  const blocks = buildDocument([section(sample)], []);

  it('leads with the answer: the verdict, then the charts, then the tables, and the method and its caveats last', () => {
    const chart: RenderedChart = { name: 'throughput', title: 'throughput', svg: '<svg/>', spec: {} } as unknown as RenderedChart;
    const withCharts = buildDocument([{ ...section(sample), charts: new Map([['throughput', chart]]) }], []);
    const order = ['Verdict on this run', 'Charts', 'Scenarios: throughput (closed loop)', 'Cost per request', 'Method and environment', 'What these numbers do not mean'].map((t) => headingIndex(withCharts, t));
    assert.ok(order.every((i) => i > 0), String(order));
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    assert.equal(withCharts.findIndex((b) => b.kind === 'chart'), headingIndex(withCharts, 'Charts') + 1, 'the charts right under their heading');
    assert.equal(headingIndex(blocks, 'Charts'), -1, 'no Charts heading without charts');
  });

  it('shows every scenario table with exactly the rows of the terminal table', () => {
    for (const scenario of ['ceiling', 'login', 'validate', 'logout', 'revocation', 'session']) {
      const t = tables(blocks).find((x) => x.caption === scenario);
      assert.ok(t, scenario);
      const expected = loadCellsOf(sample).filter((c) => c.scenario === scenario).map((c) => scenarioRow(c, scenario === 'revocation'));
      assert.deepEqual(t.rows, expected, scenario);
    }
  });

  it('shows the validate figures of the sample run as the terminal shows them', () => {
    const t = tables(blocks).find((x) => x.caption === 'validate');
    // The sample predates the limits: its limit column is empty. Latencies print three significant digits.
    assert.deepEqual(t?.rows[2], ['redis-token', '23,473', '19,107–24,422', '45%', '2.00', '2.00', '5.00', '7.00', '21.0', '0', '0/0', '0', '', '']);
  });

  it('shows the outage table with the rows of the terminal table, and the rate it ran at', () => {
    const outage = loadFixture('outage-run');
    const t = tables(buildDocument([section(outage)], [])).find((x) => x.caption.startsWith('outage'));
    assert.ok(t);
    assert.equal(t.caption, 'outage (open loop at 200 req/s: --rate)');
    assert.deepEqual(t.rows, outageCellsOf(outage).map(outageRow));
    assert.deepEqual(t.rows[1]?.slice(0, 5), ['kill', 'jwt-blacklist (closed)', '0.0%', '11', '26']);
  });

  it('says the cost was not measured when the cells have no summary.cost, and shows the cost table when they have', () => {
    assert.ok(blocks.some((b) => b.kind === 'paragraph' && b.text.includes('not measured in this run')));
    const withCost = tables(buildDocument([section(loadFixture('alg-rs256'))], [])).find((t) => t.caption.startsWith('cost per request'));
    assert.deepEqual(withCost?.rows.find((r) => r[0] === 'validate' && r[1] === 'redis-token')?.slice(2, 3), ['1.00']);
  });

  it('shows the validate decomposition table with the terminal\'s rows when the run has one', () => {
    const result = loadFixture('validate-eddsa');
    const t = tables(buildDocument([section(result)], [])).find((x) => x.caption.startsWith("where a validate request's server CPU goes"));
    assert.ok(t);
    assert.deepEqual(t.head.slice(0, 6), ['strategy', 'measured µs/req', 'framework', 'EdDSA floor', 'thread-pool hop', 'JWT library']);
    // A version 1 file verified with jose: the rows name it.
    assert.deepEqual(t.rows.map((r) => r[0]), ['jwt (jose)', 'jwt-blacklist (jose)', 'redis-token']);
    assert.equal(t.rows[2]?.[5], '–', 'redis-token verifies no JWT');
  });

  it('lists the method lines and the options of the run, not where its files went', () => {
    const lists = blocks.flatMap((b) => (b.kind === 'list' ? b.items : []));
    for (const line of sample.method) assert.ok(lists.includes(line), line);
    const options = tables(blocks).find((t) => t.caption === 'Options of the run');
    assert.ok(options?.rows.some((r) => r[0] === 'serverArgs' && r[1]?.includes('--jwt-alg HS256')));
    assert.ok(!options?.rows.some((r) => r[0] === 'outDir'));
  });

  it('gives each run its own section and adds the runs side by side when there are several', () => {
    const several = buildDocument([section(loadFixture('alg-rs256'), 'RS256'), section(loadFixture('alg-es256'), 'ES256')], []);
    assert.ok(headingIndex(several, 'Run RS256') < headingIndex(several, 'Run ES256'));
    const across = tables(several).find((t) => t.caption.startsWith('validate per run'));
    assert.deepEqual(across?.rows.map((r) => r[0]), ['RS256', 'ES256']);
    assert.match(across?.rows[0]?.[3] ?? '', /^20,265 req\/s, p99 3.00 ms$/);
  });
});

describe('report of a run with several JWT libraries', () => {
  /** The alg-rs256 run as if each JWT design had also run with jose: its cells copied, at half the throughput and twice the CPU. */
  function twoLibraries(): RunResult {
    const r = loadFixture('alg-rs256');
    const jwtDesign = (c: { strategy: string }) => r.designs[c.strategy]?.traits.verifiesJwt === true;
    const jose = loadCellsOf(r).filter(jwtDesign).map((c) => {
      const s = c.summary;
      const cost = s?.cost === undefined ? {} : { cost: { ...s.cost, serverCpuUsPerRequest: s.cost.serverCpuUsPerRequest * 2 } };
      return { ...c, jwtImpl: 'jose', ...(s === undefined ? {} : { summary: { ...s, requestsPerSec: { ...s.requestsPerSec, median: s.requestsPerSec.median / 2 }, ...cost } }) };
    });
    const cells = [...r.cells.map((c) => (jwtDesign(c) && c.kind !== 'outage' ? { ...c, jwtImpl: 'fast-jwt' } : c)), ...jose];
    return { ...r, config: { ...r.config, jwtImpls: ['fast-jwt', 'jose'] }, cells };
  }

  it('puts each library of a JWT design side by side, with its ratio to the first library', () => {
    const blocks = buildDocument([section(twoLibraries())], []);
    const t = tables(blocks).find((x) => x.caption.startsWith('JWT designs per library'));
    assert.ok(t, 'a JWT libraries table');
    const row = (label: string) => t.rows.find((r) => r[0] === 'validate' && r[1] === label);
    assert.equal(row('jwt (fast-jwt)')?.[5], '–');
    assert.equal(row('jwt (jose)')?.[5], '50% req/s, 200% CPU');
    assert.ok(tables(blocks).some((x) => x.caption.includes('(the JWT designs with fast-jwt)')), 'the verdict says which library it used');
  });

  it('has no such table for a run of one library', () => {
    assert.equal(tables(buildDocument([section(loadFixture('alg-rs256'))], [])).find((x) => x.caption.startsWith('JWT designs per library')), undefined);
  });
});

describe('report formats', () => {
  const blocks = buildDocument([section(loadFixture('sample-run'))], []);

  it('escapes Markdown table separators and formatting characters', () => {
    assert.equal(mdText('a|b *c* <1 [x]'), 'a\\|b \\*c\\* \\<1 \\[x\\]');
  });

  it('writes each Markdown table with a header separator and a line per row', () => {
    const md = renderMarkdown(blocks);
    assert.match(md, /\*\*validate\*\*\n\n\| strategy \| req\/s \| range .*\|\n\|---\|---\|/);
    assert.match(md, /\| redis-token \| 23,473 \| 19,107–24,422 \| 45% \|/);
  });

  it('links each chart of the Markdown to its SVG file beside it', () => {
    const chart = { name: 'throughput', title: 'Throughput', caption: 'c', svg: '<svg></svg>' };
    assert.match(renderMarkdown([{ kind: 'chart', chart }]), /!\[Throughput\]\(throughput\.svg\)/);
  });

  it('makes an HTML page that fetches nothing: no script, no link, no external reference, a CSP that forbids it', () => {
    const html = renderHtml(blocks);
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|src=|href="http|url\(http/i);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/);
    assert.match(html, /<td>23,473<\/td>/);
  });

  it('escapes HTML in the text it shows', () => {
    const html = renderHtml([{ kind: 'paragraph', text: '<b>&"' }]);
    assert.match(html, /<p>&lt;b&gt;&amp;&quot;<\/p>/);
  });
});
