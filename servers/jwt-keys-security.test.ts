import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildServer } from './app.js';
import { JWT_ALGS, MIN_SECRET_BYTES, resolveServerConfig, type JwtAlg } from './config.js';
import { designOf } from './designs/index.js';
import { injectTarget } from '../test-support/auth-probe.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';
import { runCli, startServerProcess } from '../test-support/server-process.js';
import { login, me } from '../test-support/http.js';
import { kidOf } from './jwt/shared-keys.js';

/**
 * Key handling: an HS256 secret shorter than 32 bytes stops the server at start (exit code 2), and keys are
 * imported or generated once, at start, never per request.
 */

const LONG_SECRET = 'a-perfectly-long-enough-secret-for-hs256-0123456789';

describe('an HS256 secret shorter than 32 bytes is refused at start', () => {
  for (const strategy of ['jwt', 'jwt-blacklist'] as const) {
    it(`${strategy}: a 31-byte --jwt-secret makes the CLI exit with code 2 without listening`, async () => {
      const r = await runCli(['serve', strategy, '--port', '0', '--jwt-secret', 'x'.repeat(MIN_SECRET_BYTES - 1)]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--jwt-secret .*at least 32 bytes/);
      assert.doesNotMatch(r.stdout, /listening on/);
    });

    it(`${strategy}: a 31-byte AUTHBENCH_JWT_SECRET makes the CLI exit with code 2 without listening`, async () => {
      const r = await runCli(['serve', strategy, '--port', '0'], { AUTHBENCH_JWT_SECRET: 'x'.repeat(MIN_SECRET_BYTES - 1) });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /AUTHBENCH_JWT_SECRET.*at least 32 bytes/);
      assert.doesNotMatch(r.stdout, /listening on/);
    });
  }

  it('a short --jwt-secret is refused even when the environment holds a long one', async () => {
    const r = await runCli(['serve', 'jwt', '--port', '0', '--jwt-secret', 'short'], { AUTHBENCH_JWT_SECRET: LONG_SECRET });
    assert.equal(r.code, 2, r.stderr);
  });

  it('a secret of 31 bytes in 2-byte characters is refused: length is counted in UTF-8 bytes', async () => {
    const secret = 'é'.repeat(15) + 'x'; // 31 bytes, 16 characters
    assert.equal(Buffer.byteLength(secret), 31);
    const r = await runCli(['serve', 'jwt', '--port', '0', '--jwt-secret', secret]);
    assert.equal(r.code, 2, r.stderr);
  });

  it('a secret of exactly 32 bytes is accepted and the server starts', async () => {
    const server = await startServerProcess('jwt', ['--jwt-secret', 'x'.repeat(MIN_SECRET_BYTES)]);
    await server.stop();
  });

  it('a secret of 16 characters that is 32 bytes of UTF-8 is accepted', async () => {
    const server = await startServerProcess('jwt', [], { AUTHBENCH_JWT_SECRET: 'é'.repeat(16) });
    await server.stop();
  });
});

/** Counts WebCrypto key imports and generations (the global crypto.subtle, which jose uses). fast-jwt's keys: servers/jwt/fast-jwt-keys.test.ts. */
function spyOnKeyCreation(): { readonly counts: { importKey: number; generateKey: number }; restore(): void } {
  const subtle = globalThis.crypto.subtle;
  const counts = { importKey: 0, generateKey: 0 };
  for (const name of ['importKey', 'generateKey'] as const) {
    const original = subtle[name] as (...args: unknown[]) => Promise<unknown>;
    Object.defineProperty(subtle, name, {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        counts[name]++;
        return original.apply(subtle, args);
      },
    });
  }
  return {
    counts,
    restore: () => {
      Reflect.deleteProperty(subtle, 'importKey');
      Reflect.deleteProperty(subtle, 'generateKey');
    },
  };
}

describe('jose: keys are imported once, at start', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.close();
  });

  for (const strategy of ['jwt', 'jwt-blacklist'] as const) {
    for (const alg of JWT_ALGS) {
      it(`${strategy} ${alg}: logins, /me and logouts import or generate no key after start`, async () => {
        const spy = spyOnKeyCreation();
        let app;
        try {
          const config = resolveServerConfig({ redisUrl: redis.server.url, jwtAlg: alg as JwtAlg, jwtImpl: 'jose', jwtSecret: alg === 'HS256' ? LONG_SECRET : undefined });
          app = await buildServer(designOf(strategy), config);
          const atStart = { ...spy.counts };
          // HS256: the secret imported once; a key pair: generated, then imported as a signing and a verifying key.
          assert.ok(atStart.importKey + atStart.generateKey >= 1, `the key (pair) is made at start: ${JSON.stringify(atStart)}`);
          const target = injectTarget(app);
          for (let n = 0; n < 10; n++) {
            const token = await target.login(n);
            assert.equal((await target.me(token)).status, 200);
            assert.equal((await target.logout(token)).status, 204);
          }
          assert.deepEqual(spy.counts, atStart, 'no key was imported or generated while serving');
        } finally {
          spy.restore();
          await app?.close();
        }
      });
    }
  }
});

describe('the kid is derived from the key, not drawn per process', () => {
  for (const impl of ['fast-jwt', 'jose'] as const) {
    it(`${impl}: two servers given the same --jwt-secret accept each other's tokens, and a token outlives a restart`, async () => {
      const args = ['--jwt-secret', LONG_SECRET, '--jwt-impl', impl];
      const a = await startServerProcess('jwt', args);
      const b = await startServerProcess('jwt', args);
      try {
        const token = await login(a.url, 7);
        assert.equal((await me(b.url, token)).status, 200, 'a token of server A on server B');
        await a.stop();
        const restarted = await startServerProcess('jwt', args);
        try {
          assert.equal((await me(restarted.url, token)).status, 200, 'the same token after A restarted');
        } finally {
          await restarted.stop();
        }
        // A different secret: a different kid, and the token is refused.
        const other = await startServerProcess('jwt', ['--jwt-secret', `${LONG_SECRET}-other`, '--jwt-impl', impl]);
        try {
          assert.equal((await me(other.url, token)).status, 401);
        } finally {
          await other.stop();
        }
      } finally {
        await a.stop().catch(() => undefined);
        await b.stop();
      }
    });
  }

  it('the kid names the key without revealing it: an HMAC of a label for HS256, the RFC 7638 thumbprint for a key pair', async () => {
    const jwk = { kty: 'oct', k: Buffer.from(LONG_SECRET).toString('base64url') };
    const kid = await kidOf(jwk);
    assert.equal(kid, await kidOf({ ...jwk }));
    assert.equal(kid.length, 16);
    assert.ok(!LONG_SECRET.includes(kid) && !jwk.k.includes(kid));
    assert.notEqual(kid, await kidOf({ kty: 'oct', k: Buffer.from(`${LONG_SECRET}!`).toString('base64url') }));
    // RFC 7638 §3.1's example key and its thumbprint.
    const rfc = { kty: 'RSA', e: 'AQAB', n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw' };
    assert.equal(await kidOf({ ...rfc, d: 'private-members-are-ignored' }), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});
