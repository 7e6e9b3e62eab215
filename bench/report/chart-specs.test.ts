import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadFixture } from '../../test-support/report-fixtures.js';
import { loadCellOf, outageCellsOf } from '../result/schema.js';
import { acrossRunsCharts } from './chart-across.js';
import { RESPONSE_CLASSES, costChart, latencyChart, outageCharts, percentileX, throughputChart } from './chart-specs.js';
import { design as outageDesign } from '../render/outage-table.js';

type Row = Record<string, unknown>;
/** The inline data of a spec (every chart carries its data in `data.values`). */
const dataOf = (spec: unknown): Row[] => ((spec as { data: { values: Row[] } }).data.values);

describe('chart specifications', () => {
  it('plots the median req/s of every scenario and design with its min–max range', () => {
    const chart = throughputChart(loadFixture('sample-run'));
    assert.ok(chart);
    const values = dataOf(chart.spec);
    assert.equal(values.length, 18);
    const v = values.find((x) => x['scenario'] === 'validate' && x['strategy'] === 'redis-token');
    assert.equal(Math.round(v?.['median'] as number), 23473);
    assert.equal(Math.round(v?.['min'] as number), 19107);
    assert.equal(Math.round(v?.['max'] as number), 24422);
  });

  it('places percentiles at 1/(1-p) on a log axis, the max at the slowest of all responses', () => {
    assert.equal(percentileX(0.5), 2);
    assert.equal(Math.round(percentileX(0.999)), 1000);
    const result = loadFixture('sample-run');
    const chart = latencyChart(result);
    assert.ok(chart);
    const points = dataOf(chart.spec).filter((x) => x['scenario'] === 'validate' && x['strategy'] === 'jwt');
    assert.deepEqual(points.map((p) => p['p']), ['50%', '90%', '99%', '99.9%', 'max']);
    assert.deepEqual(points.map((p) => p['ms']), [4, 6, 9, 27, 88]);
    const responses = loadCellOf(result, 'validate', 'jwt')?.summary?.responses;
    assert.equal(points[4]?.['x'], responses);
    assert.equal((chart.spec as { spec: { encoding: { x: { scale: { type: string } } } } }).spec.encoding.x.scale.type, 'log');
  });

  it('draws one outage timeline per fault, with a panel per design and the fault window from the timeline', () => {
    const charts = outageCharts(loadFixture('outage-run'));
    assert.deepEqual(charts.map((c) => c.name), ['outage-kill', 'outage-stop', 'outage-flush']);
    const values = dataOf(charts[0]?.spec);
    assert.deepEqual([...new Set(values.map((v) => v['design']))], ['jwt', 'jwt-blacklist (closed)', 'jwt-blacklist (open)', 'redis-token (closed)']);
    const windows = values.filter((v) => v['kind'] === 'fault');
    assert.equal(windows.length, 4);
    for (const w of windows) assert.ok((w['start'] as number) < (w['end'] as number));
    const first = values.filter((v) => v['kind'] === 'bucket' && v['design'] === 'jwt' && v['start'] === 0);
    assert.deepEqual(first.map((v) => v['cls']), ['2xx', '2xx for a revoked token', '401', '503', 'other status', 'error or timeout']);
  });

  it('gives a 2xx for a revoked token its own colour, out of the 2xx, so a band of accepted revoked tokens never reads as health', () => {
    const result = loadFixture('outage-run');
    const cell = outageCellsOf(result).find((c) => c.fault === 'kill' && c.strategy === 'jwt-blacklist' && c.outage !== undefined);
    assert.ok(cell?.outage);
    const bucket = cell.outage.timeline[0] as (typeof cell.outage.timeline)[number];
    (cell.outage.timeline as unknown as Record<string, unknown>[])[0] = { ...bucket, ok2xx: 10, revoked2xx: 4 };
    const values = dataOf(outageCharts(result)[0]?.spec).filter((v) => v['kind'] === 'bucket' && v['start'] === 0 && v['design'] === outageDesign(cell));
    assert.deepEqual(values.slice(0, 2).map((v) => [v['cls'], v['n']]), [['2xx', 6], ['2xx for a revoked token', 4]]);
    const colours = new Map(RESPONSE_CLASSES.map(([cls, colour]) => [cls, colour]));
    assert.notEqual(colours.get('2xx for a revoked token'), colours.get('2xx'));
  });

  it('has no outage chart for a run without outage cells', () => {
    assert.deepEqual(outageCharts(loadFixture('sample-run')), []);
  });

  it('stacks server and Redis CPU per request when the run measured cost, and has no cost chart otherwise', () => {
    assert.equal(costChart(loadFixture('sample-run')), undefined);
    const chart = costChart(loadFixture('alg-rs256'));
    assert.ok(chart);
    const parts = dataOf(chart.spec).filter((v) => v['scenario'] === 'validate' && v['strategy'] === 'redis-token');
    assert.deepEqual(parts.map((p) => p['part']), ['server CPU', 'Redis CPU']);
  });

  it('stacks the validate decomposition by part when the result has one', () => {
    const result = loadFixture('alg-rs256');
    // The shape bench/measure/decomposition.ts writes: a row per design, parts as <part>Us, the rest possibly negative.
    (result as unknown as { decomposition: unknown }).decomposition = {
      scenario: 'validate',
      rows: [
        { strategy: 'jwt', measuredUs: 118, frameworkUs: 20, cryptoUs: 90, redisUs: null, restUs: 8, redisRoundTripUs: null },
        { strategy: 'redis-token', measuredUs: 38, frameworkUs: 20, cryptoUs: null, redisUs: 25, restUs: -7, redisRoundTripUs: 90, note: 'the parts exceed' },
      ],
    };
    const chart = costChart(result);
    assert.equal(chart?.title, 'Validate: where the time goes');
    assert.deepEqual(dataOf(chart?.spec).map((v) => `${v['strategy']}: ${v['part']} ${v['us']}`), [
      'jwt: framework (GET /health) 20',
      'jwt: JWT verify 90',
      'jwt: rest 8',
      'redis-token: framework (GET /health) 20',
      'redis-token: Redis command 25',
    ]);
  });

  it('stacks the decomposition a real run measured: framework, the JWT library, Redis command, rest', () => {
    const chart = costChart(loadFixture('validate-eddsa'));
    assert.equal(chart?.title, 'Validate: where the time goes');
    const parts = (s: string) => dataOf(chart?.spec).filter((v) => v['strategy'] === s).map((v) => v['part']);
    // A version 1 run could not split the verify: its whole cost is the library part.
    assert.deepEqual(parts('jwt'), ['framework (GET /health)', 'JWT library', 'rest']);
    assert.deepEqual(parts('redis-token'), ['framework (GET /health)', 'Redis command', 'rest']);
  });

  it('charts several runs side by side, and nothing across a single run', () => {
    assert.deepEqual(acrossRunsCharts([loadFixture('alg-rs256')], ['RS256']), []);
    const charts = acrossRunsCharts([loadFixture('alg-rs256'), loadFixture('alg-es256')], ['RS256', 'ES256']);
    assert.deepEqual(charts.map((c) => c.name), ['across-throughput', 'across-p99']);
    const runs = new Set(dataOf(charts[0]?.spec).map((v) => v['run']));
    assert.deepEqual([...runs], ['RS256', 'ES256']);
  });
});
