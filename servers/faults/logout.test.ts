import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LocalRedis } from '../../redis/local-server.js';
import { waitFor } from '../../test-support/faults.js';
import { login, logout, me, type Reply } from '../../test-support/http.js';
import {
  RECOVERY_BOUND_MS,
  STORE_DESIGNS,
  USER_42,
  assertReplyUnavailable,
  startServers,
  untilStoreUp,
  type StoreDesign,
} from '../../test-support/server-faults.js';
import type { ServerProcess } from '../../test-support/server-process.js';

/**
 * Logout while Redis cannot answer, for the two Redis designs: the answer is 503, and a 503 means "outcome unknown",
 * never "logged out". With Redis killed the logout did nothing, so the token is still valid once Redis is back; with
 * Redis stopped the command may already sit in Redis's socket and run on SIGCONT. One redis-server with AOF (so that
 * redis-token's session outlives a restart: what is checked is that the failed logout did nothing) and one server per
 * design for the file; each suite leaves Redis running, and starts when both servers report the store "up".
 */

/** /me once Redis answers again (a reply other than 503). */
const meOnceBack = (url: string, token: string): Promise<Reply> =>
  waitFor('/me to answer other than 503', async () => {
    const reply = await me(url, token);
    return reply.status === 503 ? undefined : reply;
  }, RECOVERY_BOUND_MS);

describe('logout while Redis cannot answer', () => {
  let redis: LocalRedis; // a new process after each restart, on the same port and AOF
  let servers: Record<StoreDesign, ServerProcess>;
  let all: ServerProcess[] = [];

  before(async () => {
    // appendfsync no: what this file checks survives a SIGKILL of redis-server without fsync (Redis writes the AOF
    // before it replies, and the kernel keeps what was written), and fsync on every write (LocalRedis's default for
    // AOF) makes each login and logout wait on the disk, which on a busy machine outlasted the 250 ms command timeout:
    // a login refused with 503 before any test had run.
    redis = await LocalRedis.start({ persistence: 'aof', extraArgs: ['--appendfsync', 'no'] });
    const args = ['--redis-url', redis.url];
    const [redisToken, jwtBlacklist] = await startServers([['redis-token', args], ['jwt-blacklist', args]]);
    servers = { 'redis-token': redisToken, 'jwt-blacklist': jwtBlacklist };
    all = [redisToken, jwtBlacklist];
  });
  after(async () => {
    await redis?.resume().catch(() => undefined);
    await Promise.all(all.map((s) => s.stop()));
    await redis?.stop();
  });

  for (const design of STORE_DESIGNS) {
    describe(`${design}: Redis killed, then restarted from its AOF`, () => {
      let token: string;

      before(async () => {
        await untilStoreUp(all);
        token = await login(servers[design].url, 42);
        assert.equal((await me(servers[design].url, token)).status, 200);
        await redis.kill();
      });
      after(async () => {
        if (!redis.running) redis = await redis.restart();
      });

      it('logout is 503 with the store-unavailable body', async () => {
        assertReplyUnavailable(await logout(servers[design].url, token), 'logout while Redis is dead');
      });

      it('the token is still valid once Redis is back', async () => {
        redis = await redis.restart(); // same port, directory and persistence (AOF)
        const r = await meOnceBack(servers[design].url, token);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, USER_42);
      });

      it('logging out again then works, and the token is refused', async () => {
        assert.equal((await logout(servers[design].url, token)).status, 204);
        assert.equal((await me(servers[design].url, token)).status, 401);
      });
    });

    describe(`${design}: Redis stopped (SIGSTOP)`, () => {
      before(() => untilStoreUp(all));
      after(() => redis.resume());

      it('a logout answered 503 after the command timeout is still applied when Redis continues: 503 means "outcome unknown"', async () => {
        const token = await login(servers[design].url, 42);
        try {
          await redis.pause();
          // The command was written to Redis's socket before the timeout fired; Redis runs it when it continues,
          // even though the client has given up on that connection by then.
          assertReplyUnavailable(await logout(servers[design].url, token), 'logout while stopped');
        } finally {
          await redis.resume();
        }
        const r = await meOnceBack(servers[design].url, token);
        assert.equal(r.status, 401);
      });
    });
  }
});
