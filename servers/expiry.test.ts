import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { adminOf, buildServer } from './app.js';
import { resolveServerConfig } from './config.js';
import { JWT_IMPLS } from './jwt/algs.js';
import { designOf } from './designs/index.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';
import { startServerProcess } from '../test-support/server-process.js';
import { login, logout, me } from '../test-support/http.js';

describe('token expiry', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.close();
  });

  for (const [name, jwtImpl] of (['jwt', 'jwt-blacklist'] as const).flatMap((d) => JWT_IMPLS.map((i) => [d, i] as const))) {
    it(`${name}, ${jwtImpl}: a token is accepted until exp and refused from exp on (frozen clock)`, async () => {
      let now = Date.UTC(2026, 0, 1, 12, 0, 0);
      const config = resolveServerConfig({ redisUrl: redis.server.url, tokenTtlSec: 60, jwtImpl });
      const app: FastifyInstance = await buildServer(designOf(name), config, { clock: () => now });
      try {
        const res = await app.inject({ method: 'POST', url: '/login', payload: { username: 'user1', password: 'pass1' } });
        const token = (res.json() as { token: string }).token;
        now += 59_000;
        const ok = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
        assert.equal(ok.statusCode, 200, 'one second before exp');
        now += 1_000;
        const expired = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
        assert.equal(expired.statusCode, 401, 'at exp');
        const metrics = (await adminOf(app).inject({ url: '/metrics' })).json() as { rejected: Record<string, number> };
        assert.equal(metrics.rejected['expired'], 1);
      } finally {
        await app.close();
      }
    });
  }

  it('jwt-blacklist: a logged-out token is refused on every request until it expires, never accepted again', async () => {
    // With a blacklist TTL of floor(exp − now) the entry went up to a second before exp: with --token-ttl 2, /me
    // answered 401 after the logout, then 200 until exp. Polled here from the logout to past exp.
    const server = await startServerProcess('jwt-blacklist', ['--redis-url', redis.server.url, '--token-ttl', '2']);
    try {
      const token = await login(server.url, 3);
      const exp = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number }).exp;
      assert.equal((await logout(server.url, token)).status, 204);
      const accepted: string[] = [];
      let polls = 0;
      while (Date.now() < exp * 1000 + 300) {
        const r = await me(server.url, token);
        polls++;
        if (r.status !== 401) accepted.push(`${r.status} at exp${Date.now() - exp * 1000 >= 0 ? '+' : ''}${Date.now() - exp * 1000} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(polls > 10, `polled ${polls} times`);
      assert.deepEqual(accepted, [], 'answers other than 401 after the logout');
    } finally {
      await server.stop();
    }
  });

  it('redis-token: the session ends when its SETEX expires, whatever use it had', async () => {
    const server = await startServerProcess('redis-token', ['--redis-url', redis.server.url, '--token-ttl', '1']);
    try {
      const token = await login(server.url, 2);
      assert.equal((await me(server.url, token)).status, 200);
      // Absolute expiry: use does not extend it. Wait past the 1 s TTL.
      await new Promise((r) => setTimeout(r, 1_300));
      assert.equal((await me(server.url, token)).status, 401);
    } finally {
      await server.stop();
    }
  });
});
