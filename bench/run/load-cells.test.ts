import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { POOL_HEADROOM, poolSize } from './load-cells.js';

describe('token pools', () => {
  const config = { pools: { validate: 1000, logout: 15000, revocation: 1000 }, warmupSec: 1, durationSec: 3 };
  const logout = { pool: { name: 'logout' as const, consumed: true } };
  const validate = { pool: { name: 'validate' as const, consumed: false } };

  it('gives a consumed pool the configured size on the first repetition, and its share to the warm-up', () => {
    assert.equal(poolSize(logout, config, 'measure'), 15000);
    assert.equal(poolSize(logout, config, 'warmup'), 5000);
  });

  it("sizes a consumed pool from the previous repetition's rate, so a fast design runs its full duration", () => {
    // 9,000 logouts/s for 3 s would use 27,000 tokens: the pool holds that with headroom.
    assert.equal(poolSize(logout, config, 'measure', 9000), Math.ceil(9000 * 3 * POOL_HEADROOM));
    assert.ok(poolSize(logout, config, 'measure', 9000) > 9000 * 3);
    // Never below the configured size.
    assert.equal(poolSize(logout, config, 'measure', 100), 15000);
  });

  it('re-issues a pool that is not consumed at its configured size, whatever the rate', () => {
    assert.equal(poolSize(validate, config, 'measure', 50000), 1000);
    assert.equal(poolSize({}, config, 'measure'), 0);
  });
});
