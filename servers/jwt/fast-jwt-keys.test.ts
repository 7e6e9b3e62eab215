import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { startTestRedis, type TestRedis } from '../../test-support/redis.js';

/**
 * fast-jwt turns the key into a KeyObject when a signer or verifier is made: a server that made them per request
 * would parse the key on every call. The count is taken on fast-jwt's own exports, patched before anything of the
 * server is loaded (an ES module reads a CommonJS module's exports once, when it is first imported), so every
 * signer and verifier the codec makes is seen.
 */
const fastJwt = createRequire(import.meta.url)('fast-jwt') as Record<'createSigner' | 'createVerifier', (...args: unknown[]) => unknown>;
const made = { createSigner: 0, createVerifier: 0 };
for (const name of ['createSigner', 'createVerifier'] as const) {
  const original = fastJwt[name];
  fastJwt[name] = (...args: unknown[]) => {
    made[name]++;
    return original(...args);
  };
}
const { buildServer } = await import('../app.js');
const { resolveServerConfig, JWT_ALGS } = await import('../config.js');
const { designOf } = await import('../designs/index.js');
const { injectTarget } = await import('../../test-support/auth-probe.js');

describe('fast-jwt: the signer and the verifier are made once, at start', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.close();
  });

  for (const strategy of ['jwt', 'jwt-blacklist']) {
    for (const alg of JWT_ALGS) {
      it(`${strategy} ${alg}: logins, /me and logouts make no signer or verifier after start`, async () => {
        const app = await buildServer(designOf(strategy), resolveServerConfig({ redisUrl: redis.server.url, jwtAlg: alg, jwtImpl: 'fast-jwt' }));
        try {
          const atStart = { ...made };
          const target = injectTarget(app);
          for (let n = 0; n < 10; n++) {
            const token = await target.login(n);
            assert.equal((await target.me(token)).status, 200);
            assert.equal((await target.logout(token)).status, 204);
          }
          assert.deepEqual(made, atStart, 'no signer or verifier was made while serving');
          assert.ok(atStart.createSigner >= 1 && atStart.createVerifier >= 1, 'the patched exports are the ones the codec uses');
        } finally {
          await app.close();
        }
      });
    }
  }
});
