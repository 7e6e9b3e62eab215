import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { RedisProxy } from '../../bench/faults/proxy.js';
import { commandDeltas, redisSnapshot } from '../../bench/measure/cost.js';
import { ErrorCodes } from '../../lib/errors.js';
import { LocalRedis } from '../../redis/local-server.js';
import { waitFor } from '../../test-support/faults.js';
import { UNAUTHORIZED_BODY } from '../../test-support/http.js';
import { startTestRedis, type TestRedis } from '../../test-support/redis.js';
import { adminOf, buildServer } from '../app.js';
import { resolveServerConfig } from '../config.js';
import type { LocalState } from '../design.js';
import { ServerMetrics } from '../metrics.js';
import { RedisStore } from '../store/redis-store.js';
import { UserDirectory } from '../users.js';
import { designOf } from './index.js';
import { tokenKey } from './redis-token.js';

const design = designOf('redis-token-cached');

/** A bound on waiting for something asynchronous to happen (an invalidation, a detection, a reconnect), not a claim. */
const BOUND_MS = 2000;
/** A bound on a server coming back once Redis is back. */
const RECOVERY_MS = 5000;

function client(app: () => FastifyInstance) {
  return {
    async login(n = 42): Promise<string> {
      const r = await app().inject({ method: 'POST', url: '/login', payload: { username: `user${n}`, password: `pass${n}` } });
      assert.equal(r.statusCode, 200, r.body);
      return (r.json() as { token: string }).token;
    },
    me: (token: string): Promise<LightMyRequestResponse> => app().inject({ url: '/me', headers: { authorization: `Bearer ${token}` } }),
    logout: (token: string): Promise<LightMyRequestResponse> => app().inject({ method: 'POST', url: '/logout', headers: { authorization: `Bearer ${token}` } }),
    local: async (): Promise<LocalState> => ((await app().inject({ url: '/health' })).json() as { local: LocalState }).local,
    storeCalls: async (): Promise<number> => ((await adminOf(app()).inject({ url: '/metrics' })).json() as { storeCalls: number }).storeCalls,
  };
}

/** Polls GET /me until it answers `status`, and returns every status seen on the way. */
async function meUntil(api: ReturnType<typeof client>, token: string, status: number, boundMs = BOUND_MS): Promise<number[]> {
  const seen: number[] = [];
  await waitFor(`GET /me ${status}`, async () => {
    const s = (await api.me(token)).statusCode;
    seen.push(s);
    return s === status ? s : undefined;
  }, boundMs, 20);
  return seen;
}

describe('redis-token-cached: a client-side cache that Redis keeps current', () => {
  describe('on a running Redis', () => {
    let redis: TestRedis;
    let app: FastifyInstance;
    let other: FastifyInstance;
    const api = client(() => app);
    const otherApi = client(() => other);
    before(async () => {
      redis = await startTestRedis();
      const config = resolveServerConfig({ redisUrl: redis.server.url });
      app = await buildServer(design, config);
      other = await buildServer(design, config);
    });
    after(async () => {
      await app?.close();
      await other?.close();
      await redis?.close();
    });

    it('answers a hot token from process memory: no Redis command, and no store call counted, for 20 GET /me', async () => {
      const token = await api.login(1);
      assert.equal((await api.me(token)).statusCode, 200, 'the first /me reads Redis and caches the session');
      const calls = await api.storeCalls();
      const before = await redisSnapshot(redis.client);
      for (let i = 0; i < 20; i++) {
        const r = await api.me(token);
        assert.equal(r.statusCode, 200);
        assert.deepEqual(r.json(), { userId: 'u1', username: 'user1', roles: ['user'] });
      }
      assert.deepEqual(commandDeltas(before, await redisSnapshot(redis.client)), {}, 'Redis commands during the 20 requests');
      assert.equal(await api.storeCalls(), calls, 'storeCalls in /metrics');
      const local = await api.local();
      assert.equal(local.synced, true);
      assert.ok(local.entries >= 1, `entries: ${local.entries}`);
    });

    it('refuses a cached token once another Redis client deleted its key (the invalidation reaches the cache)', async () => {
      const token = await api.login(2);
      assert.equal((await api.me(token)).statusCode, 200);
      assert.equal((await api.me(token)).statusCode, 200, 'now served from the cache');
      assert.equal(await redis.client.del(tokenKey(token)), 1);
      const seen = await meUntil(api, token, 401);
      const last = await api.me(token);
      assert.equal(last.statusCode, 401, `seen: ${seen.join(',')}`);
      assert.deepEqual(last.json(), UNAUTHORIZED_BODY);
    });

    it('refuses on every server a token logged out on one of them', async () => {
      const token = await api.login(3);
      assert.equal((await otherApi.me(token)).statusCode, 200);
      assert.equal((await otherApi.me(token)).statusCode, 200, 'cached by the other server');
      assert.equal((await api.logout(token)).statusCode, 204);
      await meUntil(otherApi, token, 401);
      assert.equal((await api.me(token)).statusCode, 401);
      assert.equal((await api.logout(token)).statusCode, 401, 'a second logout: the opaque token is unknown now');
    });

    it('refuses a cached session once it expired, though Redis has not expired the key yet', async () => {
      let now = Date.now();
      const frozen = await buildServer(design, resolveServerConfig({ redisUrl: redis.server.url, tokenTtlSec: 60 }), { clock: () => now });
      try {
        const frozenApi = client(() => frozen);
        const token = await frozenApi.login(4);
        assert.equal((await frozenApi.me(token)).statusCode, 200);
        now += 59_000;
        assert.equal((await frozenApi.me(token)).statusCode, 200, 'a second before expiry');
        now += 1000;
        const r = await frozenApi.me(token);
        assert.equal(r.statusCode, 401, 'at expiry');
        assert.deepEqual(r.json(), UNAUTHORIZED_BODY);
        assert.equal(await redis.client.exists(tokenKey(token)), 1, 'the key is still in Redis');
      } finally {
        await frozen.close();
      }
    });

    it('refuses and deletes a stored value it cannot read: another Redis type, or a record without its expiry', async () => {
      const wrongType = await api.login(5);
      const noExpiry = await api.login(6);
      await redis.client.del(tokenKey(wrongType));
      await redis.client.hset(tokenKey(wrongType), 'userId', 'u5');
      await redis.client.set(tokenKey(noExpiry), JSON.stringify({ userId: 'u6', username: 'user6', roles: ['user'] }), 'EX', 60);
      for (const token of [wrongType, noExpiry]) {
        const r = await api.me(token);
        assert.equal(r.statusCode, 401, r.body);
        assert.deepEqual(r.json(), UNAUTHORIZED_BODY);
        assert.equal(await redis.client.exists(tokenKey(token)), 0, 'deleted');
      }
    });

    it('refuses an unknown UUID without keeping its empty answer in memory', async () => {
      const entries = (await api.local()).entries;
      for (let i = 0; i < 5; i++) assert.equal((await api.me(randomUUID())).statusCode, 401);
      assert.equal((await api.local()).entries, entries);
    });

    it('refuses to start on a Redis Cluster, with an option error that asks for --redis-url', async () => {
      const config = resolveServerConfig({ redisCluster: '127.0.0.1:7000,127.0.0.1:7001' });
      await assert.rejects(
        design.create({ config, users: new UserDirectory(10), metrics: new ServerMetrics(), store: undefined, clock: Date.now, warn: () => {} }),
        (err: unknown) => {
          assert.equal((err as { code?: unknown }).code, ErrorCodes.INVALID_OPTION);
          assert.match((err as Error).message, /--redis-url/);
          return true;
        },
      );
    });
  });

  // The cache reads Redis through a proxy that holds every reply 150 ms, while the logout's DEL goes straight to
  // Redis: Redis's invalidation push reaches the cache 150 ms after the logout's 204, so a /me in between is refused
  // only if the logout evicted the session itself.
  describe('on the server that answered the logout', () => {
    let redis: TestRedis;
    let proxy: RedisProxy;
    let store: RedisStore;
    before(async () => {
      redis = await startTestRedis();
      proxy = await RedisProxy.start({ upstreamHost: '127.0.0.1', upstreamPort: redis.server.port });
      await proxy.setDelay(150);
      store = await RedisStore.connect({ url: redis.server.url, commandTimeoutMs: 250 });
    });
    after(async () => {
      await store?.close();
      await proxy?.close();
      await redis?.close();
    });

    it('refuses the token at once after the 204, before Redis could tell the cache', async () => {
      const users = new UserDirectory(10);
      const config = resolveServerConfig({ redisUrl: proxy.via(redis.server.url) });
      const strategy = await design.create({ config, users, metrics: new ServerMetrics(), store, clock: Date.now, warn: () => {} });
      try {
        const user = users.authenticate('user7', 'pass7');
        assert.ok(user);
        const { token } = await strategy.issue(user);
        await strategy.verify(token);
        assert.deepEqual(await strategy.verify(token), user, 'served from the cache');
        await strategy.revoke(token);
        await assert.rejects(strategy.verify(token), { code: ErrorCodes.UNAUTHORIZED });
      } finally {
        await strategy.close?.();
      }
    });
  });

  describe('when Redis fails', () => {
    let redis: LocalRedis;
    let app: FastifyInstance;
    const api = client(() => app);
    before(async () => {
      redis = await LocalRedis.start();
      // The operator's warnings (the cache connection lost) are expected here, and not what is under test.
      app = await buildServer(design, resolveServerConfig({ redisUrl: redis.url }), { warn: () => {} });
    });
    after(async () => {
      await redis?.resume();
      await app?.close();
      await redis?.stop();
    });

    it('answers 503, never a cached 200, while Redis is stopped (SIGSTOP), and serves again once it continues', async () => {
      const token = await api.login(8);
      assert.equal((await api.me(token)).statusCode, 200);
      assert.equal((await api.me(token)).statusCode, 200, 'cached');
      await redis.pause();
      try {
        // Until the heartbeat goes unanswered the cache may still answer; from the first 503 on, nothing else.
        await meUntil(api, token, 503);
        const during: number[] = [];
        for (let i = 0; i < 20; i++) {
          const r = await api.me(token);
          during.push(r.statusCode);
          if (r.statusCode === 503) assert.equal(r.headers['retry-after'], '1');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.deepEqual([...new Set(during)], [503], 'every /me while Redis is stopped');
        assert.equal((await api.local()).synced, false);
      } finally {
        await redis.resume();
      }
      await meUntil(api, token, 200, RECOVERY_MS);
      assert.equal((await api.local()).synced, true);
    });

    it('ends a read sent to a Redis that just stopped with a 503 at its command timeout, not at the socket timeout', async () => {
      // A 100 ms command timeout against the 1 s socket timeout that tears the connection down: node-redis bounds a
      // command only until it is written, so before the fix this read waited the whole second.
      const fast = await buildServer(design, resolveServerConfig({ redisUrl: redis.url, redisCommandTimeoutMs: 100 }), { warn: () => {} });
      try {
        const token = await client(() => fast).login(10);
        await redis.pause();
        try {
          // Not read yet, so not cached: GET /me sends a GET that the stopped Redis never answers (the heartbeat,
          // answered a moment ago, still says the connection is current).
          const started = performance.now();
          const r = await fast.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
          const tookMs = performance.now() - started;
          assert.equal(r.statusCode, 503, r.body);
          assert.ok(tookMs < 600, `answered after ${tookMs.toFixed(0)} ms: bounded by the 100 ms command timeout, not the 1 s socket timeout`);
        } finally {
          await redis.resume();
        }
      } finally {
        await fast.close();
      }
    });

    it('answers 503 while Redis is dead, and after a restart refuses the sessions that died with it and logs in again', async () => {
      const token = await api.login(9);
      assert.equal((await api.me(token)).statusCode, 200);
      assert.equal((await api.me(token)).statusCode, 200, 'cached');
      await redis.kill();
      await meUntil(api, token, 503);
      assert.equal((await api.local()).entries, 0, 'node-redis dropped the cache with the connection');
      redis = await redis.restart(); // same port, no persistence: every session is gone
      // Whatever the cache held before the kill is not served: the first answer after 503s is the empty Redis's.
      const seen = await meUntil(api, token, 401, RECOVERY_MS);
      assert.ok(!seen.includes(200), `statuses after the kill: ${seen.join(',')}`);
      const fresh = await waitFor('a login once Redis is back', async () => {
        const r = await app.inject({ method: 'POST', url: '/login', payload: { username: 'user10', password: 'pass10' } });
        return r.statusCode === 200 ? (r.json() as { token: string }).token : undefined;
      }, RECOVERY_MS);
      assert.equal((await api.me(fresh)).statusCode, 200);
      assert.equal((await api.me(fresh)).statusCode, 200);
    });
  });
});
