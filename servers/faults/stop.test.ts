import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { LocalRedis } from '../../redis/local-server.js';
import {
  HealthWatch,
  MeTraffic,
  durationOf,
  sleep,
  storeHealth,
  waitFor,
  type HealthSample,
  type Sample,
} from '../../test-support/faults.js';
import { login, logout, me, type Reply } from '../../test-support/http.js';
import {
  HANG_BOUND_MS,
  RECOVERY_BOUND_MS,
  STORE_DESIGNS,
  USER_42,
  assertNoHang,
  assertReplyUnavailable,
  assertStoreUnavailable,
  median,
  ms,
  startServers,
  untilStoreUp,
  type StoreDesign,
} from '../../test-support/server-faults.js';
import type { ServerProcess } from '../../test-support/server-process.js';

/**
 * Redis hung: redis-server stopped with SIGSTOP keeps its connections open and answers nothing. The two Redis
 * designs must fail fast and closed (503 with Retry-After, never a hang, never a 401 for a valid token, never a 500),
 * say so on /health and recover on their own; the stateless jwt design must not notice. Real server processes with
 * the default --redis-timeout 250 and a real redis-server, started once for the file: one redis-server, one server
 * per design. Each suite stops Redis once for both Redis designs and leaves it running, and starts when every server
 * reports the store "up".
 */

/**
 * How long Redis stays stopped under traffic: past the client's 1 s socket timeout and its reconnects to the stopped
 * process (which still accepts TCP connections but never answers), and longer than HANG_BOUND_MS, so that a request
 * held until SIGCONT breaks that bound.
 */
const STOP_MS = HANG_BOUND_MS + 1000;

describe('Redis stopped with SIGSTOP', () => {
  let redis: LocalRedis;
  let servers: Record<StoreDesign, ServerProcess>;
  let jwt: ServerProcess;
  let all: ServerProcess[] = [];

  before(async () => {
    redis = await LocalRedis.start();
    const args = ['--redis-url', redis.url];
    const [redisToken, jwtBlacklist, stateless] = await startServers([['redis-token', args], ['jwt-blacklist', args], ['jwt', args]]);
    servers = { 'redis-token': redisToken, 'jwt-blacklist': jwtBlacklist };
    jwt = stateless;
    all = [redisToken, jwtBlacklist, stateless];
  });
  after(async () => {
    await redis?.resume().catch(() => undefined);
    await Promise.all(all.map((s) => s.stop()));
    await redis?.stop();
  });

  describe('while /me traffic runs', () => {
    interface Watched {
      readonly samples: Sample[];
      readonly health: HealthSample[];
      readonly firstFailure: Sample | undefined;
      readonly firstOk: Sample | undefined;
    }
    const watched = new Map<StoreDesign, Watched>();
    // Two instants, because pause() sends SIGSTOP and then polls /proc until the kernel shows the process stopped,
    // which on a busy machine has taken over half a second: requests in between may already get a 503.
    let stopSentAt = 0; // SIGSTOP about to be sent: a request that ended before this must have had its 200
    let stoppedAt = 0; // the kernel reports redis-server stopped: a request started after this cannot get a 200
    let contAt = 0; // SIGCONT about to be sent

    before(async () => {
      await untilStoreUp(Object.values(servers));
      const streams = await Promise.all(
        STORE_DESIGNS.map(async (design) => {
          const { url } = servers[design];
          const found: { firstFailure?: Sample; firstOk?: Sample } = {};
          return { design, found, traffic: new MeTraffic(url, await login(url, 42)), watch: new HealthWatch(url) };
        }),
      );
      try {
        await Promise.all(streams.map((s) => s.traffic.firstAfter(0, (x) => x.status === 200)));
        stopSentAt = performance.now();
        await redis.pause();
        stoppedAt = performance.now();
        await Promise.all(streams.map(async (s) => (s.found.firstFailure = await s.traffic.firstAfter(stoppedAt, (x) => x.status !== 200))));
        await sleep(STOP_MS);
        contAt = performance.now();
        await redis.resume();
        await Promise.all(streams.map(async (s) => (s.found.firstOk = await s.traffic.firstAfter(contAt, (x) => x.status === 200, RECOVERY_BOUND_MS))));
        // Keep going past the 1 s socket timeout: a fresh connection torn down again after recovery shows here.
        await sleep(1500);
      } finally {
        await redis.resume();
        for (const s of streams) {
          watched.set(s.design, { samples: await s.traffic.stop(), health: await s.watch.stop(), firstFailure: s.found.firstFailure, firstOk: s.found.firstOk });
        }
      }
    });

    for (const design of STORE_DESIGNS) {
      describe(design, () => {
        const run = (): Watched => watched.get(design) ?? assert.fail('the stop was not watched');

        it('answers every /me made while Redis is stopped with 503, Retry-After and the store-unavailable body', (t) => {
          const { samples } = run();
          const during = samples.filter((s) => s.startedAt >= stoppedAt && s.endedAt <= contAt);
          assert.ok(during.length > 0, 'requests were made while Redis was stopped');
          for (const s of during) assertStoreUnavailable(s.status, s.retryAfter, s.body, 'during the stop');
          // The first 503 to come back, whenever its request started (those in flight at the stop fail first).
          const first = samples.filter((s) => s.status === 503).reduce((a, s) => (s.endedAt < a.endedAt ? s : a));
          t.diagnostic(
            `first 503 ended ${ms(first.endedAt - stopSentAt)} after SIGSTOP was sent; ${during.length} requests during the stop, ` +
              `503 latency median ${ms(median(during.map(durationOf)))}, max ${ms(Math.max(...during.map(durationOf)))}`,
          );
        });

        it('never refuses the valid token (401) nor fails with 500, before, during or after the stop', () => {
          const { samples } = run();
          const other = samples.filter((s) => s.status !== 200 && s.status !== 503);
          assert.deepEqual(other, []);
          assert.ok(samples.filter((s) => s.endedAt < stopSentAt).every((s) => s.status === 200), 'all 200 before the stop');
        });

        it(`ends every request within ${HANG_BOUND_MS} ms: nothing hangs on the stopped Redis`, (t) => {
          assertNoHang(t, run().samples);
        });

        it('reports store "down" on /health while stopped, from the first failure on', () => {
          const { health, firstFailure } = run();
          const first = firstFailure as Sample;
          const whileDown = health.filter((h) => h.startedAt >= first.endedAt && h.endedAt <= contAt);
          assert.ok(whileDown.length > 0, '/health was read during the stop');
          assert.deepEqual([...new Set(whileDown.map((h) => h.store))], ['down']);
        });

        it(`answers 200 again by itself after SIGCONT, within ${RECOVERY_BOUND_MS} ms`, (t) => {
          const ok = run().firstOk as Sample;
          assert.deepEqual(ok.body, USER_42);
          t.diagnostic(`first 200 ended ${ms(ok.endedAt - contAt)} after SIGCONT`);
        });

        it('stays recovered: every /me after the first 200 is 200 and /health says "up"', () => {
          const { samples, health, firstOk } = run();
          const ok = firstOk as Sample;
          const later = samples.filter((s) => s.startedAt >= ok.endedAt);
          assert.ok(later.length > 0);
          assert.deepEqual(later.filter((s) => s.status !== 200), [], 'no 503 after recovery');
          const laterHealth = health.filter((h) => h.startedAt >= ok.endedAt);
          assert.ok(laterHealth.length > 0);
          assert.deepEqual([...new Set(laterHealth.map((h) => h.store))], ['up']);
        });
      });
    }
  });

  // Without traffic nothing succeeds to clear the failure: /health used to stay "down" for good.
  for (const [label, stallMs] of [
    ['a stall shorter than the socket timeout (the connection survives)', 0],
    ['a stall long enough for the connection to be torn down', 2000],
  ] as const) {
    describe(`after ${label}, with no traffic`, () => {
      interface Seen {
        readonly before: Reply;
        readonly stopped: Reply;
        readonly healthStopped: string;
        /** How long after SIGCONT /health said "up"; undefined if it did not within RECOVERY_BOUND_MS. */
        readonly upAfterMs: number | undefined;
        readonly afterwards: Reply | undefined;
      }
      const seen = new Map<StoreDesign, Seen>();

      before(async () => {
        await untilStoreUp(Object.values(servers));
        const tokens = await Promise.all(STORE_DESIGNS.map((d) => login(servers[d].url, 42)));
        const befores = await Promise.all(STORE_DESIGNS.map((d, i) => me(servers[d].url, tokens[i] as string)));
        let during: [Reply, string][];
        try {
          await redis.pause();
          during = await Promise.all(
            STORE_DESIGNS.map(async (d, i): Promise<[Reply, string]> => {
              const stopped = await me(servers[d].url, tokens[i] as string);
              return [stopped, await storeHealth(servers[d].url)];
            }),
          );
          await sleep(stallMs);
        } finally {
          await redis.resume();
        }
        const contAt = performance.now();
        await Promise.all(
          STORE_DESIGNS.map(async (d, i) => {
            const { url } = servers[d];
            const upAfterMs = await waitFor('/health to report store up', async () => ((await storeHealth(url)) === 'up' ? true : undefined), RECOVERY_BOUND_MS).then(
              () => performance.now() - contAt,
              () => undefined,
            );
            const afterwards = upAfterMs === undefined ? undefined : await me(url, tokens[i] as string);
            const [stopped, healthStopped] = during[i] as [Reply, string];
            seen.set(d, { before: befores[i] as Reply, stopped, healthStopped, upAfterMs, afterwards });
          }),
        );
      });

      for (const design of STORE_DESIGNS) {
        it(`${design}: /health turns "up" again without any request, and /me is 200`, (t) => {
          const s = seen.get(design) ?? assert.fail('the stall was not run');
          assert.equal(s.before.status, 200, '/me before the stop');
          assertReplyUnavailable(s.stopped, '/me while stopped');
          assert.equal(s.healthStopped, 'down', '/health while stopped');
          assert.ok(s.upAfterMs !== undefined, `/health reports store "up" within ${RECOVERY_BOUND_MS} ms of SIGCONT`);
          t.diagnostic(`/health "up" ${ms(s.upAfterMs)} after SIGCONT`);
          assert.equal(s.afterwards?.status, 200, '/me after');
        });
      }
    });
  }

  describe('jwt', () => {
    it('keeps answering login, /me and logout while the Redis it was given is stopped', async () => {
      const token = await login(jwt.url, 42);
      try {
        await redis.pause();
        for (let i = 0; i < 5; i++) assert.deepEqual((await me(jwt.url, token)).body, USER_42);
        const fresh = await login(jwt.url, 43);
        assert.equal((await me(jwt.url, fresh)).status, 200);
        assert.equal((await logout(jwt.url, fresh)).status, 204);
        assert.equal(await storeHealth(jwt.url), 'none');
      } finally {
        await redis.resume();
      }
    });
  });
});
