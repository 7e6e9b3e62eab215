import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestRedis, type TestRedis } from '../../test-support/redis.js';
import { startServerProcess, type ServerProcess } from '../../test-support/server-process.js';
import { LOGIN_TRIES, httpTokenSource } from './tokens.js';

/**
 * Token pools are prepared over the server's HTTP contract. A login answered 503 (the store did not answer in
 * time: on a busy machine, or Redis paused here) is tried again, as the contract's Retry-After asks; a store that
 * stays down still fails the pool, naming the status.
 */
describe('token pools against a real redis-token server whose Redis pauses', () => {
  let redis: TestRedis;
  let server: ServerProcess;
  before(async () => {
    redis = await startTestRedis();
    server = await startServerProcess('redis-token', ['--redis-url', redis.server.url, '--redis-timeout', '50']);
  });
  after(async () => {
    await server?.stop();
    await redis?.close();
  });

  it('tries a login answered 503 again: a Redis paused for a moment costs the pool nothing', async () => {
    await redis.server.pause();
    const resumed = new Promise((resolve) => setTimeout(resolve, 80)).then(() => redis.server.resume());
    try {
      const tokens = await httpTokenSource(server.url, 10, 4).issue(8);
      assert.equal(tokens.length, 8);
      assert.equal(new Set(tokens).size, 8, 'eight distinct tokens');
    } finally {
      await resumed;
    }
  });

  it(`fails the pool, naming 503, when Redis stays paused through ${LOGIN_TRIES} tries`, async () => {
    await redis.server.pause();
    try {
      await assert.rejects(httpTokenSource(server.url, 10, 2).issue(2), /token pool: asked for 2 logins, got 0 tokens \(statuses 503\)/);
    } finally {
      await redis.server.resume();
    }
  });
});
