import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BLACKLIST_MARGIN_SEC, blacklistExpiresAtMs, blacklistKey } from './designs/jwt-blacklist.js';
import { JWT_IMPLS } from './jwt/algs.js';
import { UNAUTHORIZED_BODY } from '../test-support/http.js';
import { assertAccepted, assertRefused, httpTarget, type AuthTarget } from '../test-support/auth-probe.js';
import { decodeJwt, forgeJwt, hmacSigner, reencodeSignature } from '../test-support/jwt-forge.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';
import { startServerProcess, type ServerProcess } from '../test-support/server-process.js';

/**
 * Revocation is keyed on the jti, never on the token string: the same signature can be spelled in more than
 * one base64url string, and every spelling verifies. Real jwt-blacklist process, real Redis.
 */

const SECRET = 'authbench-security-tests-known-secret-0123456789';

describe('a re-encoded HS256 signature', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.close();
  });

  for (const [strategy, impl] of (['jwt', 'jwt-blacklist'] as const).flatMap((d) => JWT_IMPLS.map((i) => [d, i] as const))) {
    it(`${strategy}, ${impl}: is a different string that the server accepts like the original`, async () => {
      const server = await startServerProcess(strategy, ['--redis-url', redis.server.url, '--jwt-secret', SECRET, '--jwt-impl', impl]);
      try {
        const target = httpTarget(server.url, server.metricsUrl);
        const original = await target.login(11);
        const variant = reencodeSignature(original);
        assert.notEqual(variant, original);
        await assertAccepted(target, original, 'u11');
        await assertAccepted(target, variant, 'u11');
      } finally {
        await server.stop();
      }
    });
  }
});

/** Each implementation, and fast-jwt with its verification cache on: a cached verify must not skip the blacklist. */
const VARIANTS: readonly (readonly [string, readonly string[]])[] = [
  ...JWT_IMPLS.map((impl) => [impl, ['--jwt-impl', impl]] as const),
  ['fast-jwt with --jwt-cache', ['--jwt-impl', 'fast-jwt', '--jwt-cache', '1000']],
];

for (const [label, flags] of VARIANTS) {
  describe(`jwt-blacklist, ${label}: revocation is keyed on jti`, () => {
    let redis: TestRedis;
    let server: ServerProcess | undefined;
    let target: AuthTarget;

    before(async () => {
      redis = await startTestRedis();
      server = await startServerProcess('jwt-blacklist', ['--redis-url', redis.server.url, '--jwt-secret', SECRET, ...flags]);
      target = httpTarget(server.url, server.metricsUrl);
    });
    after(async () => {
      await server?.stop();
      await redis?.close();
    });

    it('after logging out the original, its re-encoded variant is refused', async () => {
      const original = await target.login(12);
      const variant = reencodeSignature(original);
      assert.notEqual(variant, original);
      await assertAccepted(target, variant, 'u12');
      assert.equal((await target.logout(original)).status, 204);
      await assertRefused(target, variant, 'revoked');
    });

    it('after logging out the re-encoded variant, the original is refused', async () => {
      const original = await target.login(13);
      const variant = reencodeSignature(original);
      await assertAccepted(target, original, 'u13');
      assert.equal((await target.logout(variant)).status, 204);
      await assertRefused(target, original, 'revoked');
    });

    it('a second logout, with the re-encoded variant, answers 204 (idempotent) and both spellings stay refused', async () => {
      const original = await target.login(14);
      assert.equal((await target.logout(original)).status, 204);
      assert.equal((await target.logout(reencodeSignature(original))).status, 204);
      await assertRefused(target, original, 'revoked');
      await assertRefused(target, reencodeSignature(original), 'revoked');
    });

    it('logout writes one key, blacklist:{jti}, and no key holds the token string', async () => {
      const token = await target.login(15);
      const { jti } = decodeJwt(token).payload;
      assert.equal(typeof jti, 'string');
      const before = new Set(await redis.client.keys('*'));
      assert.equal((await target.logout(token)).status, 204);
      const added = (await redis.client.keys('*')).filter((k) => !before.has(k));
      assert.deepEqual(added, [blacklistKey(jti as string)]);
      const signature = token.split('.')[2] ?? '';
      for (const key of await redis.client.keys('*')) {
        assert.ok(!key.includes(signature), `key ${key} must not hold the token`);
        assert.ok(!(await redis.client.get(key))?.includes(signature), `value of ${key} must not hold the token`);
      }
    });

    it('the blacklist entry outlives the token: it expires at exp + the clock tolerance + the margin, to the ms', async () => {
      const token = await target.login(16);
      const { jti, exp, iat } = decodeJwt(token).payload;
      assert.equal((await target.logout(token)).status, 204);
      const expiresAt = Number(await redis.client.call('PEXPIRETIME', blacklistKey(jti as string)));
      // The server's defaults: --token-ttl 3600, a 5 s clock tolerance; its own tokens have exp = iat + ttl.
      assert.equal(expiresAt, blacklistExpiresAtMs({ exp: exp as number, iat: iat as number }, { tokenTtlSec: 3600, clockToleranceSec: 5 }));
      assert.equal(expiresAt, ((exp as number) + 5 + BLACKLIST_MARGIN_SEC) * 1000);
    });

    it('a token signed with the key but an exp of 1e20 can be revoked: its entry lasts until its maximum age, not 1e20', async () => {
      const { header, payload } = decodeJwt(await target.login(19));
      const token = forgeJwt(header, { ...payload, jti: randomUUID(), exp: 1e20 }, hmacSigner('HS256', SECRET));
      await assertAccepted(target, token, 'u19');
      assert.equal((await target.logout(token)).status, 204);
      await assertRefused(target, token, 'revoked');
      const expiresAt = Number(await redis.client.call('PEXPIRETIME', blacklistKey(decodeJwt(token).payload['jti'] as string)));
      assert.equal(expiresAt, ((payload['iat'] as number) + 3600 + 5 + 5 + BLACKLIST_MARGIN_SEC) * 1000);
    });

    it('a token forged with a wrong secret but a real jti cannot revoke that jti', async () => {
      const genuine = await target.login(17);
      const { header, payload } = decodeJwt(genuine);
      const forged = forgeJwt(header, payload, hmacSigner('HS256', 'an-attacker-secret-of-32-bytes-or-more!'));
      await assertRefused(target, forged, 'bad_signature', 'logout');
      assert.equal(await redis.client.exists(blacklistKey(payload['jti'] as string)), 0);
      await assertAccepted(target, genuine, 'u17');
    });

    it('an alg "none" token with a real jti cannot revoke that jti', async () => {
      const genuine = await target.login(18);
      const { header, payload } = decodeJwt(genuine);
      const r = await target.logout(forgeJwt({ ...header, alg: 'none' }, payload));
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, UNAUTHORIZED_BODY);
      assert.equal(await redis.client.exists(blacklistKey(payload['jti'] as string)), 0);
      await assertAccepted(target, genuine, 'u18');
    });
  });
}

describe('jwt-blacklist with fast-jwt\'s verification cache (--jwt-cache)', () => {
  let redis: TestRedis;
  let server: ServerProcess | undefined;
  let target: AuthTarget;
  const cache = async (): Promise<{ hits: number; misses: number }> => {
    const m = (await target.metrics()) as unknown as { jwtCacheHits: number; jwtCacheMisses: number };
    return { hits: m.jwtCacheHits, misses: m.jwtCacheMisses };
  };

  before(async () => {
    redis = await startTestRedis();
    server = await startServerProcess('jwt-blacklist', ['--redis-url', redis.server.url, '--jwt-impl', 'fast-jwt', '--jwt-cache', '100']);
    target = httpTarget(server.url, server.metricsUrl);
  });
  after(async () => {
    await server?.stop();
    await redis?.close();
  });

  it('refuses a revoked token whose verification came from the cache: the blacklist is checked after a hit', async () => {
    const token = await target.login(21);
    await assertAccepted(target, token, 'u21');
    const warm = await cache();
    await assertAccepted(target, token, 'u21');
    assert.equal((await cache()).hits, warm.hits + 1, 'the second /me was a cache hit');
    assert.equal((await target.logout(token)).status, 204);
    const beforeRevoked = await cache();
    await assertRefused(target, token, 'revoked');
    assert.ok((await cache()).hits > beforeRevoked.hits, 'the refused request still hit the cache: only the blacklist refused it');
  });

  it('counts a first verify as a miss', async () => {
    const before = await cache();
    await assertAccepted(target, await target.login(22), 'u22');
    assert.equal((await cache()).misses, before.misses + 1);
  });
});
