import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeRun, noise, steady } from '../../test-support/compare-fixtures.js';
import { loadCellOf } from '../result/schema.js';
import { cellSeries } from './series.js';
import { compareRuns, exitCodeOf, type Comparison, type MetricComparison } from './verdict.js';

const T = { threshold: 0.1 };
const row = (c: Comparison, scenario: string, strategy: string, metric: 'throughput' | 'p99'): MetricComparison => {
  const r = c.rows.find((x) => x.scenario === scenario && x.strategy === strategy && x.metric === metric);
  assert.ok(r, `${scenario} × ${strategy} ${metric} missing`);
  return r;
};
const noisy = (amplitude: number, salt: string) => (scenario: string, strategy: string, rep: number): number => steady(scenario, strategy, rep) * (1 + noise(amplitude, salt, scenario, strategy, rep));

describe('comparing two runs cell by cell', () => {
  it('finds nothing when the current run is the baseline, and exits 0', () => {
    const run = fakeRun({ rps: noisy(0.1, 'a') });
    const c = compareRuns(run, run, T);
    assert.equal(c.comparable, true);
    assert.equal(c.rows.length, 2 * 3 * 2, 'two metrics per scenario × strategy, the ceiling not among them');
    for (const r of c.rows) {
      assert.equal(r.verdict, 'ok', `${r.scenario} × ${r.strategy} ${r.metric}`);
      assert.equal(r.change, 0);
      assert.ok((r.low ?? 1) <= 0 && (r.high ?? -1) >= 0);
    }
    assert.equal(exitCodeOf(c), 0);
  });

  it('flags a 30% drop of one cell and only that cell, and exits 1', () => {
    const base = fakeRun({ rps: noisy(0.05, 'b') });
    const slower = fakeRun({ rps: (s, t, r) => noisy(0.05, 'c')(s, t, r) * (s === 'validate' && t === 'redis-token' ? 0.7 : 1) });
    const c = compareRuns(base, slower, T);
    const hit = row(c, 'validate', 'redis-token', 'throughput');
    assert.equal(hit.verdict, 'regressed');
    assert.ok(Math.abs((hit.change ?? 0) + 0.3) < 0.08, `change ${hit.change}`);
    assert.deepEqual(c.rows.filter((r) => r.verdict !== 'ok').map((r) => `${r.scenario}|${r.strategy}|${r.metric}`), ['validate|redis-token|throughput']);
    assert.equal(exitCodeOf(c), 1);
  });

  it('ignores a machine twice as slow: every cell and its ceiling halve together', () => {
    const base = fakeRun({ rps: noisy(0.05, 'd') });
    const halfSpeed = fakeRun({ rps: (s, t, r) => noisy(0.05, 'e')(s, t, r) / 2, p99: () => 8 });
    const c = compareRuns(base, halfSpeed, T);
    for (const r of c.rows) assert.equal(r.verdict, 'ok', `${r.scenario} × ${r.strategy} ${r.metric}: ${r.change}`);
    assert.ok(Math.abs((c.ceilingShift ?? 0) + 0.5) < 0.06, `the ceiling itself halved, and the report says so: ${c.ceilingShift}`);
  });

  it('estimates the smallest drop the noise would have let it flag', () => {
    const quiet = compareRuns(fakeRun({ rps: noisy(0.05, 'q1') }), fakeRun({ rps: noisy(0.05, 'q2') }), T);
    const loud = compareRuns(fakeRun({ rps: noisy(0.6, 'l1') }), fakeRun({ rps: noisy(0.6, 'l2') }), T);
    assert.ok((quiet.detectableDrop ?? 1) < 0.25, `quiet: ${quiet.detectableDrop}`);
    assert.ok((loud.detectableDrop ?? 0) > 0.5, `loud: ${loud.detectableDrop}`);
  });

  it('pairs each repetition with the ceiling of the same repetition', () => {
    const run = fakeRun({ rps: (s, _t, rep) => (s === 'ceiling' ? 10_000 * (rep + 1) : 1_000 * (rep + 1)), p99: (s, _t, rep) => (s === 'ceiling' ? 1 : rep + 2) });
    const cell = loadCellOf(run, 'validate', 'jwt');
    assert.ok(cell);
    const series = cellSeries(run, cell);
    assert.deepEqual(series.repetitions.map((r) => r.throughput), [0.1, 0.1, 0.1, 0.1, 0.1]);
    assert.deepEqual(series.repetitions.map((r) => Math.round(r.p99)), [20, 60, 120, 200, 300], 'p99 (s) × the same repetition\'s ceiling req/s');
  });

  it('pairs a server of several workers with its own ceiling, and judges each worker count apart', () => {
    const rps = (s: string, t: string, r: number, w: number): number => steady(s, t, r) * w;
    const base = fakeRun({ rps, flags: { workers: '1,2' } });
    const cur = fakeRun({ rps: (s, t, r, w) => rps(s, t, r, w) * (s === 'validate' && t === 'jwt' && w === 2 ? 0.6 : 1), flags: { workers: '1,2' } });
    const c = compareRuns(base, cur, T);
    assert.equal(c.rows.length, 2 * 3 * 2 * 2);
    assert.deepEqual(c.rows.filter((r) => r.verdict !== 'ok').map((r) => [r.scenario, r.strategy, r.workers, r.metric]), [['validate', 'jwt', 2, 'throughput']]);
    assert.ok(c.rows.every((r) => r.workers === 2 || r.workers === undefined));
    assert.equal(row(c, 'login', 'jwt', 'throughput').baseline, 0.3, 'jwt ×2 workers divided by the ×2 ceiling');
  });

  it('does not blame the code when the baseline met a busy machine: its ceiling was far lower than the cells', () => {
    // Measured on this machine: another job on the cores cut the ceiling by two thirds and validate × jwt by a third.
    const busy = fakeRun({ rps: (s, t, r) => steady(s, t, r) * (s === 'ceiling' ? 0.33 : 0.66) });
    const c = compareRuns(busy, fakeRun({ rps: steady }), T);
    const r = row(c, 'validate', 'jwt', 'throughput');
    assert.equal(r.verdict, 'not comparable');
    assert.match(r.note ?? '', /would be a regression \(-50%\), but not once allowing for the jwt ceiling is \+203% above the baseline's \(the baseline met a busier machine/);
    assert.equal(exitCodeOf(c), 2);
  });

  it('still flags a drop larger than a busier baseline could explain', () => {
    const busy = fakeRun({ rps: (s, t, r) => steady(s, t, r) * (s === 'ceiling' ? 0.6 : 0.8) });
    const slowRedis = fakeRun({ rps: (s, t, r) => steady(s, t, r) * (s === 'validate' && t === 'redis-token' ? 0.25 : 1) });
    const c = compareRuns(busy, slowRedis, T);
    const r = row(c, 'validate', 'redis-token', 'throughput');
    assert.equal(r.verdict, 'regressed');
    assert.match(r.note ?? '', /regressed even allowing for the redis-token ceiling is \+67% above the baseline's/);
  });

  it('keeps a regression seen through a busier current run, whose ratios are inflated if anything', () => {
    const busyAndSlower = fakeRun({ rps: (s, t, r) => steady(s, t, r) * (s === 'ceiling' ? 0.5 : t === 'redis-token' ? 0.25 : 0.6) });
    const c = compareRuns(fakeRun({ rps: steady }), busyAndSlower, T);
    assert.equal(row(c, 'validate', 'redis-token', 'throughput').verdict, 'regressed');
    assert.equal(row(c, 'validate', 'jwt', 'throughput').verdict, 'improved', 'the inflation itself');
  });

  it('flags a p99 that grew by half while throughput and ceiling stayed', () => {
    const base = fakeRun({ rps: noisy(0.05, 'f'), p99: () => 6 });
    const slowTail = fakeRun({ rps: noisy(0.05, 'g'), p99: (s, t) => (s === 'login' && t === 'jwt' ? 9 : 6) });
    const c = compareRuns(base, slowTail, T);
    assert.equal(row(c, 'login', 'jwt', 'p99').verdict, 'regressed');
    assert.equal(row(c, 'login', 'jwt', 'throughput').verdict, 'ok');
    assert.equal(row(c, 'login', 'jwt-blacklist', 'p99').verdict, 'ok');
  });

  it('calls a faster cell improved, which passes', () => {
    const base = fakeRun({ rps: steady });
    const faster = fakeRun({ rps: (s, t, r) => steady(s, t, r) * (s === 'login' ? 1.5 : 1) });
    const c = compareRuns(base, faster, T);
    assert.equal(row(c, 'login', 'jwt', 'throughput').verdict, 'improved');
    assert.equal(exitCodeOf(c), 0);
  });

  it('does not judge a cell with an errored repetition, says why, and exits 2', () => {
    const base = fakeRun({ rps: steady });
    const crashed = fakeRun({ rps: steady, errored: ['validate|jwt|2'] });
    const c = compareRuns(base, crashed, T);
    const r = row(c, 'validate', 'jwt', 'throughput');
    assert.equal(r.verdict, 'not comparable');
    assert.match(r.note ?? '', /current repetition 3 errored: server jwt exited/);
    assert.equal(exitCodeOf(c), 2);
  });

  it('does not judge a repetition whose ceiling failed', () => {
    const c = compareRuns(fakeRun({ rps: steady }), fakeRun({ rps: steady, errored: ['ceiling|redis-token|0'] }), T);
    assert.match(row(c, 'login', 'redis-token', 'throughput').note ?? '', /repetition 1 has no ceiling to divide by/);
    assert.equal(row(c, 'login', 'redis-token', 'throughput').verdict, 'not comparable');
  });

  it('needs three repetitions on each side', () => {
    const c = compareRuns(fakeRun({ rps: steady }), fakeRun({ rps: steady, repeat: 2 }), T);
    assert.ok(c.rows.every((r) => r.verdict === 'not comparable' && /needs 3 repetitions/.test(r.note ?? '')));
  });

  it('does not judge a p99 under a millisecond, below autocannon\'s resolution', () => {
    const c = compareRuns(fakeRun({ rps: steady, p99: () => 0 }), fakeRun({ rps: steady, p99: () => 0 }), T);
    const r = row(c, 'validate', 'jwt', 'p99');
    assert.equal(r.verdict, 'not comparable');
    assert.match(r.note ?? '', /under 1 ms/);
  });

  it('exits 1 rather than 2 when one cell regressed and another could not be judged', () => {
    const base = fakeRun({ rps: steady });
    const cur = fakeRun({ rps: (s, t, r) => steady(s, t, r) * (s === 'validate' && t === 'jwt' ? 0.5 : 1), errored: ['login|jwt|0'] });
    assert.equal(exitCodeOf(compareRuns(base, cur, T)), 1);
  });

  it('uses its own threshold for p99 when given one', () => {
    const c = compareRuns(fakeRun({ rps: steady, p99: () => 6 }), fakeRun({ rps: steady, p99: () => 7 }), { threshold: 0.1, latencyThreshold: 0.25 });
    assert.equal(row(c, 'validate', 'jwt', 'p99').verdict, 'ok', '+17% is inside a 25% threshold');
    assert.equal(row(c, 'validate', 'jwt', 'p99').threshold, 0.25);
  });
});
