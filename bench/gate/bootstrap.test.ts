import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noise } from '../../test-support/compare-fixtures.js';
import { bootstrapRatioOfMedians, seedOf } from './bootstrap.js';
import { judgeInterval } from './verdict.js';

const around = (center: number, amplitude: number, salt: string, n = 5): number[] => Array.from({ length: n }, (_, i) => center * (1 + noise(amplitude, salt, i)));

describe('bootstrap interval on the ratio of medians', () => {
  it('contains no change when both sides hold the same data', () => {
    const data = [0.41, 0.44, 0.39, 0.47, 0.42];
    const iv = bootstrapRatioOfMedians(data, [...data]);
    assert.ok(iv);
    assert.equal(iv.ratio, 1);
    assert.ok(iv.low <= 1 && iv.high >= 1, `[${iv.low}, ${iv.high}] should contain 1`);
    assert.equal(judgeInterval(iv.low, iv.high, 0.1, true), 'ok');
  });

  it('is exactly 1 when every repetition is the same value', () => {
    const iv = bootstrapRatioOfMedians([0.4, 0.4, 0.4], [0.4, 0.4, 0.4]);
    assert.deepEqual([iv?.low, iv?.ratio, iv?.high], [1, 1, 1]);
  });

  it('flags a clear 30% drop as regressed: the whole interval is below -10%', () => {
    const base = around(0.45, 0.05, 'base');
    const cur = around(0.45 * 0.7, 0.05, 'cur');
    const iv = bootstrapRatioOfMedians(base, cur);
    assert.ok(iv);
    assert.ok(Math.abs(iv.ratio - 0.7) < 0.06, `ratio ${iv.ratio}`);
    assert.ok(iv.high < 0.9, `upper edge ${iv.high} should be below 0.9`);
    assert.equal(judgeInterval(iv.low, iv.high, 0.1, true), 'regressed');
  });

  it('leaves ±15% noise around the same median ok: the interval straddles the threshold', () => {
    const base = [0.45 * 0.85, 0.45 * 0.95, 0.45, 0.45 * 1.05, 0.45 * 1.15];
    const cur = [0.45 * 1.15, 0.45 * 0.85, 0.45 * 1.1, 0.45, 0.45 * 0.9];
    const iv = bootstrapRatioOfMedians(base, cur);
    assert.ok(iv);
    assert.equal(iv.ratio, 1);
    assert.ok(iv.low < 0.9 && iv.high > 1.1, `[${iv.low}, ${iv.high}]`);
    assert.equal(judgeInterval(iv.low, iv.high, 0.1, true), 'ok');
    assert.equal(judgeInterval(iv.low, iv.high, 0.1, false), 'ok');
  });

  it('stays ok for many seeds of ±15% noise on both sides', () => {
    for (let s = 0; s < 40; s++) {
      const iv = bootstrapRatioOfMedians(around(1, 0.15, `b${s}`), around(1, 0.15, `c${s}`), { seed: `seed ${s}` });
      assert.ok(iv);
      assert.equal(judgeInterval(iv.low, iv.high, 0.1, true), 'ok', `seed ${s}: [${iv.low}, ${iv.high}]`);
    }
  });

  it('flags a latency rise when smaller is better, and an improvement the other way', () => {
    const base = around(100, 0.05, 'lat');
    const up = bootstrapRatioOfMedians(base, around(140, 0.05, 'lat2'));
    const down = bootstrapRatioOfMedians(base, around(60, 0.05, 'lat3'));
    assert.ok(up && down);
    assert.equal(judgeInterval(up.low, up.high, 0.1, false), 'regressed');
    assert.equal(judgeInterval(down.low, down.high, 0.1, false), 'improved');
    assert.equal(judgeInterval(down.low, down.high, 0.1, true), 'regressed', 'a 40% drop of a bigger-is-better figure');
  });

  it('is deterministic: the same seed gives the same interval, another seed may not', () => {
    const b = [1, 2, 3, 4, 5];
    const c = [2, 3, 4, 5, 6];
    assert.deepEqual(bootstrapRatioOfMedians(b, c, { seed: 'x' }), bootstrapRatioOfMedians(b, c, { seed: 'x' }));
    assert.notEqual(seedOf('validate|jwt'), seedOf('validate|redis-token'));
  });

  it('has no interval without data or with a zero baseline median', () => {
    assert.equal(bootstrapRatioOfMedians([], [1]), undefined);
    assert.equal(bootstrapRatioOfMedians([0, 0, 1], [1, 1, 1]), undefined);
  });
});
