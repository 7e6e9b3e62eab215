import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, percentile, quantileSorted, ratio, spread, sumCounts } from './stats.js';

describe('median and spread', () => {
  it('takes the middle value, or the mean of the two middle ones, without reordering its input', () => {
    const values = [3, 1, 2, 10];
    assert.equal(median(values), 2.5);
    assert.deepEqual(values, [3, 1, 2, 10]);
    assert.equal(median([5, 1, 9]), 5);
    assert.ok(Number.isNaN(median([])));
  });
  it('gives the median with the smallest and largest value', () => assert.deepEqual(spread([4, 1, 9]), { median: 4, min: 1, max: 9 }));
  it('divides only by a positive, finite number', () => {
    assert.equal(ratio(1, 4), 0.25);
    assert.equal(ratio(1, 0), undefined);
    assert.equal(ratio(undefined, 4), undefined);
  });
  it('adds counts by key', () => assert.deepEqual(sumCounts([{ '200': 2 }, { '200': 1, '401': 3 }]), { '200': 3, '401': 3 }));
});

describe('nearest-rank percentile', () => {
  it('is null for no values', () => assert.equal(percentile([], 50), null));
  it('leaves the caller\'s array in its order', () => {
    const values = [9, 1, 5];
    assert.equal(percentile(values, 99), 9);
    assert.deepEqual(values, [9, 1, 5]);
  });
  it('p50 of an even count is the lower middle value, not an interpolation', () => assert.equal(percentile([4, 1, 3, 2], 50), 2));
  it('p99 of 200 values is the 198th smallest', () => assert.equal(percentile(Array.from({ length: 200 }, (_, i) => 200 - i), 99), 198));
  it('p99 of 10 values is the largest', () => assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99), 10));
  it('p0 is the smallest and p100 the largest', () => {
    assert.equal(percentile([7, 3, 9], 0), 3);
    assert.equal(percentile([7, 3, 9], 100), 9);
  });
});

describe('quantiles', () => {
  it('interpolates between order statistics (type 7)', () => {
    assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantileSorted([1, 2, 3, 4], 0), 1);
    assert.equal(quantileSorted([1, 2, 3, 4], 1), 4);
    assert.equal(quantileSorted([1, Infinity, Infinity], 0.9), Infinity);
  });
});
