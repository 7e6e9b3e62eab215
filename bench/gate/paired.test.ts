import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairedShift, signedRankCounts, signedRankRank, walshAverages } from './paired.js';

describe('the exact signed-rank distribution', () => {
  it('counts every sign pattern once, symmetric around n(n+1)/4', () => {
    const c = signedRankCounts(4);
    assert.deepEqual(c, [1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1]);
    for (const n of [1, 5, 10, 20]) {
      const counts = signedRankCounts(n);
      assert.equal(counts.reduce((a, b) => a + b, 0), 2 ** n);
      assert.deepEqual(counts, [...counts].reverse());
    }
  });

  it('has no 95% interval below 6 pairs; with 6 the interval is the extreme Walsh averages, 96.9% exact', () => {
    assert.equal(signedRankRank(5, 0.95), undefined);
    assert.deepEqual(signedRankRank(6, 0.95), { k: 1, achieved: 1 - 2 / 64 });
    // Tables of the signed-rank test (two-sided 5%): critical W = 8 at n = 10, so k = 9, and 25 at n = 15 (k = 26).
    assert.equal(signedRankRank(10, 0.95)?.k, 9);
    assert.equal(signedRankRank(15, 0.95)?.k, 26);
    const r = signedRankRank(10, 0.95);
    assert.ok(r !== undefined && r.achieved >= 0.95 && r.achieved < 0.96);
  });
});

describe('the paired shift (Hodges–Lehmann with a Wilcoxon interval)', () => {
  it('takes the Walsh averages of every pair i ≤ j', () => {
    assert.deepEqual(walshAverages([1, 3]), [1, 2, 3]);
    assert.equal(walshAverages([1, 2, 3, 4, 5, 6]).length, 21);
  });

  it('finds head = 0.8 × base whatever the base values are, since only the ratios within pairs count', () => {
    // A machine getting slower over the run moves every pair alike: the ratio stays 0.8.
    const base = [1000, 900, 1100, 700, 1300, 1000];
    const s = pairedShift(base, base.map((b) => b * 0.8));
    assert.ok(s !== undefined);
    assert.ok(Math.abs(s.ratio - 0.8) < 1e-9 && Math.abs(s.low - 0.8) < 1e-9 && Math.abs(s.high - 0.8) < 1e-9);
    assert.equal(s.pairs, 6);
  });

  it('puts the interval around the ratios of the pairs, and the estimate inside it', () => {
    const base = [100, 100, 100, 100, 100, 100, 100, 100];
    const head = [95, 103, 99, 101, 97, 105, 100, 98];
    const s = pairedShift(base, head);
    assert.ok(s !== undefined);
    assert.ok(s.low < 1 && s.high > 1, `${s.low} … ${s.high} should hold 1`);
    assert.ok(s.low <= s.ratio && s.ratio <= s.high);
    assert.ok(s.low >= 0.95 && s.high <= 1.05);
  });

  it('is undefined with too few pairs or a zero, and refuses unpaired lists', () => {
    assert.equal(pairedShift([1, 2, 3], [1, 2, 3]), undefined);
    assert.equal(pairedShift([1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]), undefined);
    assert.throws(() => pairedShift([1, 2], [1]), /2 base values and 1 head values/);
  });
});
