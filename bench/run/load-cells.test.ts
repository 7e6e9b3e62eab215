import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failedRepetition, POOL_HEADROOM, poolSize, type Measurable } from './load-cells.js';

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

describe('a failed repetition', () => {
  // A killed server's sockets close before this process reaps it: the load fails with "other side closed" while
  // exited() still says it runs. The failure waits for the reason rather than lose it.
  const dying = (reason: string | undefined, afterMs: number): Measurable => ({
    url: 'http://127.0.0.1:1',
    metricsUrl: undefined,
    stderr: () => 'last words',
    exited: () => undefined,
    exitedWithin: (ms) => new Promise((settle) => setTimeout(() => settle(afterMs <= ms ? reason : undefined), Math.min(afterMs, ms))),
    stop: async () => {},
  });

  it('names why the server died when that is learned after the error', async () => {
    const { repetition, serverOutput } = await failedRepetition(new Error('other side closed\nmore'), 0, 3, dying('killed by SIGKILL', 20));
    assert.deepEqual(repetition, { index: 0, position: 3, status: 'errored', error: 'other side closed (server killed by SIGKILL)' });
    assert.equal(serverOutput, 'last words');
  });

  it('gives the error alone when the server lives on, or there is none', async () => {
    assert.equal((await failedRepetition(new Error('timeout'), 1, 0, dying(undefined, 10))).repetition.error, 'timeout');
    assert.equal((await failedRepetition('no server', 1, 0, undefined)).repetition.error, 'no server');
  });
});
