import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../lib/ports.js';
import { LocalRedis, randomRedisPassword } from '../../redis/local-server.js';
import { storeHealth, waitFor } from '../../test-support/faults.js';
import { login, me, request } from '../../test-support/http.js';
import {
  RECOVERY_BOUND_MS,
  STORE_DESIGNS,
  USER_42,
  assertReplyUnavailable,
  ms,
  startServers,
  type StoreDesign,
} from '../../test-support/server-faults.js';
import type { ServerProcess } from '../../test-support/server-process.js';

/**
 * Redis not running when a server starts, for the two Redis designs: the server starts anyway, answers 503 (not 401)
 * while there is no Redis, and turns "up" by itself once a redis-server listens on the port it was given. Both
 * servers are pointed at the same free port, and the redis-server that appears there serves both.
 */

describe('Redis not running when the server starts', () => {
  let port: number;
  let servers: Record<StoreDesign, ServerProcess>;
  let all: ServerProcess[] = [];
  let redis: LocalRedis | undefined;
  const password = randomRedisPassword();

  before(async () => {
    port = await freePort();
    const args = ['--redis-url', `redis://:${password}@127.0.0.1:${port}`];
    const [redisToken, jwtBlacklist] = await startServers([['redis-token', args], ['jwt-blacklist', args]]);
    servers = { 'redis-token': redisToken, 'jwt-blacklist': jwtBlacklist };
    all = [redisToken, jwtBlacklist];
  });
  after(async () => {
    await Promise.all(all.map((s) => s.stop()));
    await redis?.stop();
  });

  for (const design of STORE_DESIGNS) {
    describe(design, () => {
      it('starts anyway and reports store "down" on /health', async () => {
        assert.equal(await storeHealth(servers[design].url), 'down');
      });

      it('answers /me with 503, not 401', async () => {
        const { url } = servers[design];
        // redis-token cannot even log in; any well-formed token is unknown only once Redis can be asked.
        const token = design === 'jwt-blacklist' ? await login(url, 42) : randomUUID();
        assertReplyUnavailable(await me(url, token), '/me without Redis');
        if (design === 'redis-token') {
          const r = await request(`${url}/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'user42', password: 'pass42' }),
          });
          assertReplyUnavailable(r, 'login without Redis');
        }
      });
    });
  }

  describe('once a redis-server listens on that port', () => {
    /** How long after redis-server was ready each /health said "up"; undefined if not within RECOVERY_BOUND_MS. */
    const upAfterMs = new Map<StoreDesign, number | undefined>();

    before(async () => {
      redis = await LocalRedis.start({ port, password });
      const upAt = performance.now();
      // /health first, with no request in between: it must recover on its own.
      await Promise.all(
        STORE_DESIGNS.map(async (design) => {
          const { url } = servers[design];
          const up = await waitFor('/health to report store up', async () => ((await storeHealth(url)) === 'up' ? true : undefined), RECOVERY_BOUND_MS).then(
            () => performance.now() - upAt,
            () => undefined,
          );
          upAfterMs.set(design, up);
        }),
      );
    });

    for (const design of STORE_DESIGNS) {
      it(`${design}: turns "up" by itself, and serves 200`, async (t) => {
        const up = upAfterMs.get(design);
        assert.ok(up !== undefined, `/health reports store "up" within ${RECOVERY_BOUND_MS} ms of redis-server being ready`);
        t.diagnostic(`/health "up" ${ms(up)} after redis-server was ready`);
        const { url } = servers[design];
        const token = await login(url, 42);
        const r = await me(url, token);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, USER_42);
      });
    }
  });
});
