import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crossover } from './crossover.js';

const pts = (...xy: [number, number][]) => xy.map(([addedLatencyMs, requestsPerSec]) => ({ addedLatencyMs, requestsPerSec }));

describe('crossover of a design that validates locally and a Redis design', () => {
  it('interpolates linearly between the two points around the change of sign', () => {
    const c = crossover('validate', 'redis-token', 'jwt', pts([0, 20000], [1, 14000], [2, 8000]), pts([0, 11000], [1, 11000], [2, 11000]));
    assert.equal(c.verdict, 'crosses');
    // d(1) = 3000, d(2) = -3000: the sign changes half way.
    assert.equal(c.crossoverMs, 1.5);
  });

  it('gives the lowest point when jwt is ahead from the start', () => {
    const c = crossover('validate', 'jwt-blacklist', 'jwt', pts([0, 8000], [1, 5000]), pts([0, 11000], [1, 11000]));
    assert.deepEqual([c.verdict, c.crossoverMs], ['local design ahead throughout', 0]);
  });

  it('says never in range when the Redis design stays ahead', () => {
    const c = crossover('validate', 'redis-token', 'jwt', pts([0, 20000], [2, 15000]), pts([0, 11000], [2, 11000]));
    assert.deepEqual([c.verdict, c.crossoverMs], ['never in range', null]);
  });

  it('uses only the latencies both designs were measured at, in order', () => {
    const c = crossover('session', 'redis-token', 'jwt', pts([2, 9000], [0, 20000], [0.5, 12000]), pts([0, 10000], [2, 10000]));
    assert.equal(c.verdict, 'crosses');
    assert.equal(c.crossoverMs, (10000 * 2) / 11000);
  });

  it('needs at least one common point', () => {
    assert.equal(crossover('validate', 'redis-token', 'jwt', pts([1, 5]), pts([0, 5])).verdict, 'not enough points');
  });
});
