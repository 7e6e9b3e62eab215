import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crossoverInterval, crossoverOf, crossoverOfMedians } from './crossover.js';

const pts = (...xy: [number, number][]) => xy.map(([x, value]) => ({ x, value }));

describe('crossover of a design that validates locally with a Redis design', () => {
  it('interpolates linearly between the two points around the change of sign (throughput: higher is better)', () => {
    // a(1) = 3000, a(2) = -3000: the sign changes half way.
    assert.deepEqual(crossoverOf(pts([0.1, 20000], [1, 14000], [2, 8000]), 11000, 'throughput'), { verdict: 'crosses', atMs: 1.5 });
  });

  it('reads p99 the other way round: the Redis design is ahead while its p99 is lower', () => {
    // a = local − redis: 2 at x = 0.2, −2 at x = 1.2.
    assert.deepEqual(crossoverOf(pts([0.2, 3], [1.2, 7]), 5, 'p99'), { verdict: 'crosses', atMs: 0.7 });
  });

  it('says the local design is ahead throughout when it is ahead at the lowest round trip', () => {
    assert.deepEqual(crossoverOf(pts([0.1, 8000], [1, 5000]), 11000, 'throughput'), { verdict: 'local design ahead throughout', atMs: null });
  });

  it('says none in range when the Redis design stays ahead', () => {
    assert.deepEqual(crossoverOf(pts([0.1, 20000], [2, 15000]), 11000, 'throughput'), { verdict: 'none in range', atMs: null });
  });

  it('orders the points by round trip and needs two of them', () => {
    assert.equal(crossoverOf(pts([2, 9000], [0.1, 20000]), 10000, 'throughput').verdict, 'crosses');
    assert.equal(crossoverOf(pts([0.1, 9000]), 10000, 'throughput').verdict, 'not enough points');
  });

  it('takes the medians of the repetitions and of the pooled local values for the estimate', () => {
    const c = crossoverOfMedians([{ x: 0, values: [20000, 1, 20000] }, { x: 1, values: [0, 2000, 2000] }], [11000, 11000, 99999], 'throughput');
    // a(0) = 9000, a(1) = −9000.
    assert.deepEqual(c, { verdict: 'crosses', atMs: 0.5 });
  });
});

describe('the bootstrap interval of a crossover', () => {
  const redis = [
    { x: 0.1, values: [20000, 19000, 21000] },
    { x: 1, values: [12000, 11500, 12500] },
    { x: 2, values: [8000, 7000, 9000] },
  ];
  const local = [10500, 11000, 11500, 10800, 11200, 10900];

  it('brackets the estimate, within the points around the change of sign, and is the same every time', () => {
    const est = crossoverOfMedians(redis, local, 'throughput');
    const i = crossoverInterval(redis, local, 'throughput', { resamples: 2000 });
    assert.ok(i !== undefined && typeof i.low === 'number' && typeof i.high === 'number', JSON.stringify(i));
    assert.ok(est.atMs !== null && i.low <= est.atMs && est.atMs <= i.high, `${i.low} ≤ ${est.atMs} ≤ ${i.high}`);
    assert.ok(i.low >= 1 && i.high <= 2, 'every resample crosses between 1 and 2 ms');
    assert.equal(i.shares.crosses, 1);
    assert.deepEqual(crossoverInterval(redis, local, 'throughput', { resamples: 2000 }), i);
  });

  it('leaves an end open when resamples put the crossing beyond the measured range', () => {
    // At 2 ms the Redis design is sometimes above the local level, sometimes below: some resamples never cross.
    const close = [redis[0] as (typeof redis)[0], { x: 2, values: [10000, 12000, 11100] }];
    const i = crossoverInterval(close, [11000, 11000, 11000], 'throughput', { resamples: 2000 });
    assert.ok(i !== undefined);
    assert.equal(i.high, 'beyond range');
    assert.ok(i.shares.noneInRange > 0 && i.shares.crosses > 0, JSON.stringify(i.shares));
  });

  it('is below range at both ends when the local design is always ahead, and undefined without two points', () => {
    const i = crossoverInterval([{ x: 0.1, values: [5000, 6000] }, { x: 1, values: [4000, 4500] }], [11000], 'throughput');
    assert.deepEqual([i?.low, i?.high, i?.shares.localAheadThroughout], ['below range', 'below range', 1]);
    assert.equal(crossoverInterval([{ x: 0.1, values: [5000] }], [11000], 'throughput'), undefined);
  });
});
