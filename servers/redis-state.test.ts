import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { BLACKLIST_MARGIN_SEC } from './designs/jwt-blacklist.js';
import { login, logout, me } from '../test-support/http.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';
import { startServerProcess, type ServerProcess } from '../test-support/server-process.js';

/** What each design leaves in Redis, read back with a plain client from a real redis-server. */

/** The claims of a JWT, read without verifying (the server verified it; here we only need jti and exp). */
function jwtPayload(token: string): { jti: string; exp: number } {
  const part = token.split('.')[1];
  assert.ok(part !== undefined, 'a compact JWS has three parts');
  const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { jti?: unknown; exp?: unknown };
  assert.equal(typeof claims.jti, 'string');
  assert.equal(typeof claims.exp, 'number');
  return { jti: claims.jti as string, exp: claims.exp as number };
}

describe('redis-token: the state in Redis', () => {
  // Not the default, so that the TTL is seen to follow --token-ttl.
  const TOKEN_TTL_SEC = 600;
  let redis: TestRedis;
  let server: ServerProcess;

  before(async () => {
    redis = await startTestRedis();
    server = await startServerProcess('redis-token', ['--redis-url', redis.server.url, '--token-ttl', String(TOKEN_TTL_SEC)]);
  });
  after(async () => {
    await server?.stop();
    await redis?.close();
  });
  beforeEach(async () => {
    await redis.client.flushdb();
  });

  it('login writes one key, token:{uuid}, holding the user as JSON', async () => {
    const token = await login(server.url, 42);
    assert.equal(await redis.client.dbsize(), 1);
    const raw = await redis.client.get(`token:${token}`);
    assert.ok(raw !== null, `token:${token} exists`);
    assert.deepEqual(JSON.parse(raw), { userId: 'u42', username: 'user42', roles: ['user'] });
  });

  it('the key expires after the configured --token-ttl', async () => {
    const startedAt = Date.now();
    const token = await login(server.url, 7);
    const pttl = await redis.client.pttl(`token:${token}`);
    // The key was written between the two clock reads, so at most that long of its life is gone: a bound that
    // holds however slow the machine is (1 ms more for the clocks' whole milliseconds).
    const elapsedMs = Date.now() - startedAt;
    assert.ok(pttl <= TOKEN_TTL_SEC * 1000 && pttl >= TOKEN_TTL_SEC * 1000 - elapsedMs - 1, `PTTL ${pttl} ms, configured ${TOKEN_TTL_SEC} s, ${elapsedMs} ms after the login was sent`);
  });

  it('using the token does not extend the key: expiry is absolute', async () => {
    const token = await login(server.url, 8);
    const before = await redis.client.pttl(`token:${token}`);
    assert.equal((await me(server.url, token)).status, 200);
    const afterUse = await redis.client.pttl(`token:${token}`);
    assert.ok(afterUse > 0 && afterUse <= before, `PTTL ${before} ms before /me, ${afterUse} ms after`);
  });

  it('logout deletes the key', async () => {
    const token = await login(server.url, 9);
    assert.equal(await redis.client.exists(`token:${token}`), 1);
    assert.equal((await logout(server.url, token)).status, 204);
    assert.equal(await redis.client.exists(`token:${token}`), 0);
    assert.equal(await redis.client.dbsize(), 0);
  });
});

describe('jwt-blacklist: the state in Redis', () => {
  let redis: TestRedis;
  let server: ServerProcess;

  before(async () => {
    redis = await startTestRedis();
    server = await startServerProcess('jwt-blacklist', ['--redis-url', redis.server.url]);
  });
  after(async () => {
    await server?.stop();
    await redis?.close();
  });
  beforeEach(async () => {
    await redis.client.flushdb();
  });

  it('login and /me write nothing', async () => {
    const token = await login(server.url, 3);
    assert.equal((await me(server.url, token)).status, 200);
    assert.equal(await redis.client.dbsize(), 0);
  });

  it('logout writes blacklist:{jti} with the value "1" and nothing else', async () => {
    const token = await login(server.url, 4);
    const { jti } = jwtPayload(token);
    assert.equal((await logout(server.url, token)).status, 204);
    assert.equal(await redis.client.get(`blacklist:${jti}`), '1');
    assert.equal(await redis.client.dbsize(), 1);
  });

  it('the blacklist entry expires, a few seconds after the token it revokes (never before)', async () => {
    const token = await login(server.url, 5);
    const { jti, exp } = jwtPayload(token);
    assert.equal((await logout(server.url, token)).status, 204);
    // An absolute expiry (SET … PXAT): exp + the default 5 s clock tolerance + the margin, not some short constant.
    assert.equal(Number(await redis.client.call('PEXPIRETIME', `blacklist:${jti}`)), (exp + 5 + BLACKLIST_MARGIN_SEC) * 1000);
  });
});

describe('jwt: no state in Redis', () => {
  let redis: TestRedis;
  let server: ServerProcess;

  before(async () => {
    redis = await startTestRedis();
    // Given a Redis it could write to; the design must not use it.
    server = await startServerProcess('jwt', ['--redis-url', redis.server.url]);
  });
  after(async () => {
    await server?.stop();
    await redis?.close();
  });

  it('no key is written through login, /me and logout', async () => {
    await redis.client.flushdb();
    const token = await login(server.url, 6);
    assert.equal(await redis.client.dbsize(), 0, 'after login');
    assert.equal((await me(server.url, token)).status, 200);
    assert.equal(await redis.client.dbsize(), 0, 'after /me');
    assert.equal((await logout(server.url, token)).status, 204);
    assert.equal(await redis.client.dbsize(), 0, 'after logout');
  });

  it('the server does not even connect to the Redis it was given', async () => {
    await login(server.url, 6);
    const clients = (await redis.client.client('LIST')) as string;
    const lines = clients.trim().split('\n');
    assert.equal(lines.length, 1, `only this test's inspection client is connected:\n${clients}`);
  });
});
