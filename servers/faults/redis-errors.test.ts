import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawnCli, runCli } from '../../test-support/cli-process.js';
import { login, me, request } from '../../test-support/http.js';
import { startTestRedis, type TestRedis } from '../../test-support/redis.js';
import { assertReplyUnavailable } from '../../test-support/server-faults.js';
import { isOutage } from '../store/redis-store.js';

/**
 * --blacklist-failure open skips the revocation check only when Redis cannot be reached. An error reply from a Redis
 * that answered (NOPERM, WRONGPASS, OOM, READONLY, ...) stays closed, is logged, and a Redis that cannot be reached
 * or refuses the password at start keeps an open-mode server from starting. Real redis-server, real `authbench serve`.
 */

const replyError = (message: string): Error => Object.assign(new Error(message), { name: 'ReplyError' });

describe('isOutage: which Redis failures may fail open', () => {
  it('a lost connection, a timeout or a Redis not serving yet is an outage', () => {
    for (const err of [new Error('Connection is closed.'), new Error('Command timed out'), new Error('connect ECONNREFUSED 127.0.0.1:1'), replyError('LOADING Redis is loading the dataset in memory'), replyError('CLUSTERDOWN The cluster is down'), replyError('MASTERDOWN Link with MASTER is down')]) {
      assert.equal(isOutage(err), true, err.message);
    }
  });
  it('an error reply from a Redis that answered is not', () => {
    for (const message of ['NOAUTH Authentication required.', 'WRONGPASS invalid username-password pair or user is disabled.', "NOPERM User x has no permissions to run the 'exists' command", "OOM command not allowed when used memory > 'maxmemory'.", "READONLY You can't write against a read only replica."]) {
      assert.equal(isOutage(replyError(message)), false, message);
    }
  });
});

describe('jwt-blacklist and Redis errors', () => {
  let redis: TestRedis;
  const running: { stop(): Promise<void> }[] = [];
  before(async () => {
    redis = await startTestRedis();
    // A user that may do everything but EXISTS, the blacklist check: every /me gets an error reply (NOPERM).
    await redis.client.call('ACL', 'SETUSER', 'noexists', 'on', '>noexists-password', '~*', '+@all', '-exists');
  });
  after(async () => {
    for (const p of running) await p.stop();
    await redis?.close();
  });

  const serve = async (args: readonly string[]): Promise<{ url: string; metricsUrl: string; stderr: () => string }> => {
    const cli = spawnCli(['serve', 'jwt-blacklist', ...args]);
    running.push(cli);
    const [, url, metricsUrl] = await cli.waitForStdout(/listening on (http:\/\/\S+) \(metrics: (http:\/\/\S+)\)\n/);
    return { url: url ?? '', metricsUrl: metricsUrl ?? '', stderr: () => cli.stderr() };
  };

  it('open mode: an error reply (NOPERM) is a 503, not a request served unchecked, and it is logged', async () => {
    const server = await serve(['--redis-url', `redis://noexists:noexists-password@127.0.0.1:${redis.server.port}`, '--blacklist-failure', 'open']);
    assert.match(server.stderr(), /warning: jwt-blacklist: --blacklist-failure open: while Redis cannot be reached, tokens are accepted without the revocation check/);
    const token = await login(server.url, 42);
    for (let i = 0; i < 3; i++) assertReplyUnavailable(await me(server.url, token), `/me ${i} with NOPERM`);
    const metrics = (await request(server.metricsUrl)).body as { uncheckedServed: number };
    assert.equal(metrics.uncheckedServed, 0);
    // Logged once, not once per request.
    const lines = server.stderr().split('\n').filter((l) => l.includes('redis: error reply: NOPERM'));
    assert.equal(lines.length, 1, server.stderr());
  });

  it('a wrong password: open mode refuses to start (exit 2, naming WRONGPASS); closed mode starts with the store down and answers 503', async () => {
    const wrong = `redis://noexists:not-the-password@127.0.0.1:${redis.server.port}`;
    const refused = await runCli(['serve', 'jwt-blacklist', '--redis-url', wrong, '--blacklist-failure', 'open']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--blacklist-failure open needs Redis answering at start.*WRONGPASS/);
    assert.equal(refused.stdout, '');
    const closed = await serve(['--redis-url', wrong]);
    assert.deepEqual((await request(`${closed.url}/health`)).body, { status: 'ok', store: 'down' });
    const token = await login(closed.url, 42);
    assertReplyUnavailable(await me(closed.url, token), '/me with a wrong Redis password, fail-closed');
  });

  it('open mode refuses to start when Redis cannot be reached at all', async () => {
    const refused = await runCli(['serve', 'jwt-blacklist', '--redis-url', 'redis://127.0.0.1:1', '--blacklist-failure', 'open']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--blacklist-failure open needs Redis answering at start/);
  });
});
