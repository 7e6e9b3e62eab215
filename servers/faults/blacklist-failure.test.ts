import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LocalRedis } from '../../redis/local-server.js';
import { login, logout, me, request } from '../../test-support/http.js';
import { USER_42, assertReplyUnavailable, startServers, untilStoreUp } from '../../test-support/server-faults.js';
import type { ServerProcess } from '../../test-support/server-process.js';

/**
 * jwt-blacklist's --blacklist-failure policy when Redis cannot answer, killed (SIGKILL) or stopped (SIGSTOP). "open"
 * serves a token with a valid signature without the revocation check and counts each such request (uncheckedServed),
 * revoked tokens included: the labelled cost of failing open. "closed", the default, answers 503 and serves nothing
 * unchecked. Either way a logout cannot be recorded. One redis-server and one server per policy for the file; each
 * suite leaves Redis running again (restarted after the kill), and starts when both servers report the store "up".
 */

async function metricsOf(server: ServerProcess): Promise<{ uncheckedServed: number; storeErrors: number }> {
  return (await request(server.metricsUrl ?? 'http://127.0.0.1:1/no-metrics-url')).body as { uncheckedServed: number; storeErrors: number };
}

describe('jwt-blacklist --blacklist-failure', () => {
  let redis: LocalRedis; // a new process once restarted after the kill
  let open: ServerProcess;
  let closed: ServerProcess;
  let all: ServerProcess[] = [];

  before(async () => {
    redis = await LocalRedis.start();
    const args = ['--redis-url', redis.url];
    [open, closed] = await startServers([['jwt-blacklist', [...args, '--blacklist-failure', 'open']], ['jwt-blacklist', args]]);
    all = [open, closed];
  });
  after(async () => {
    await redis?.resume().catch(() => undefined);
    await Promise.all(all.map((s) => s.stop()));
    await redis?.stop();
  });

  for (const outage of ['SIGKILL', 'SIGSTOP'] as const) {
    describe(`Redis ${outage === 'SIGKILL' ? 'killed' : 'stopped'}`, () => {
      let openToken: string;
      let revokedToken: string;
      let closedToken: string;

      before(async () => {
        await untilStoreUp(all);
        openToken = await login(open.url, 42);
        revokedToken = await login(open.url, 43);
        assert.equal((await logout(open.url, revokedToken)).status, 204);
        closedToken = await login(closed.url, 42);
        if (outage === 'SIGKILL') await redis.kill();
        else await redis.pause();
      });
      after(async () => {
        await redis.resume();
        if (!redis.running) redis = await redis.restart(); // without persistence: the next suite revokes its own token
      });

      it('open: /me is 200, and each such request is counted in uncheckedServed', async () => {
        const before = await metricsOf(open);
        const n = 5;
        for (let i = 0; i < n; i++) {
          const r = await me(open.url, openToken);
          assert.equal(r.status, 200);
          assert.deepEqual(r.body, USER_42);
        }
        const afterwards = await metricsOf(open);
        assert.equal(afterwards.uncheckedServed - before.uncheckedServed, n);
      });

      it('open: a revoked token is accepted too, the labelled cost of failing open', async () => {
        const before = await metricsOf(open);
        assert.equal((await me(open.url, revokedToken)).status, 200);
        assert.equal((await metricsOf(open)).uncheckedServed - before.uncheckedServed, 1);
      });

      it('open: logout is still 503, a revocation cannot be recorded', async () => {
        assertReplyUnavailable(await logout(open.url, openToken), 'logout, fail-open');
      });

      it('closed (the default): /me is 503 and nothing is served unchecked', async () => {
        assertReplyUnavailable(await me(closed.url, closedToken), '/me, fail-closed');
        assert.equal((await metricsOf(closed)).uncheckedServed, 0);
      });
    });
  }
});
