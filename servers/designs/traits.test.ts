import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { commandDeltas, redisSnapshot } from '../../bench/measure/cost.js';
import { startTestRedis, type TestRedis } from '../../test-support/redis.js';
import { buildServer } from '../app.js';
import { resolveServerConfig } from '../config.js';
import { designNames, designOf } from './index.js';
// The test fixtures' extra designs are checked too: the end-to-end test of an extra design trusts their traits.
import '../../test-support/fake-designs.js';

/**
 * The harness believes what a design declares about itself (its state, its revocation, its Redis commands per
 * validate, whether it verifies JWTs). Each declaration is checked here against what the design does on a real
 * Redis, so a wrong trait fails a test instead of silently skewing a table.
 */
describe('design traits match what each design does', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.close();
  });

  const keys = async (pattern = '*'): Promise<string[]> => redis.client.keys(pattern);

  for (const name of designNames()) {
    const { traits } = designOf(name);
    describe(name, () => {
      let app: FastifyInstance;
      let token: string;
      before(async () => {
        await redis.client.flushall();
        app = await buildServer(designOf(name), resolveServerConfig({ redisUrl: redis.server.url }));
        const res = await app.inject({ method: 'POST', url: '/login', payload: { username: 'user7', password: 'pass7' } });
        assert.equal(res.statusCode, 200, res.body);
        token = (res.json() as { token: string }).token;
      });
      after(async () => {
        await app?.close();
      });
      const me = () => app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });

      it(`keeps ${traits.state.kind === 'session' ? 'one key per session' : 'nothing in Redis'} after a login, as declared (${traits.state.kind})`, async () => {
        if (traits.state.kind === 'session') {
          assert.equal((await keys(traits.state.keyPattern)).length, 1);
          assert.deepEqual(await keys(), await keys(traits.state.keyPattern), 'no key outside the declared pattern');
        } else {
          assert.deepEqual(await keys(), []);
        }
      });

      it(`sends ${traits.storeCommandsPerValidate} Redis command(s) per validate request, as declared`, async () => {
        assert.equal((await me()).statusCode, 200, 'warm');
        const before = await redisSnapshot(redis.client);
        const n = 20;
        for (let i = 0; i < n; i++) assert.equal((await me()).statusCode, 200);
        const sent = Object.values(commandDeltas(before, await redisSnapshot(redis.client))).reduce((a, b) => a + b, 0);
        assert.equal(sent / n, traits.storeCommandsPerValidate);
      });

      it(`${traits.verifiesJwt ? 'issues' : 'does not issue'} a JWT, as declared`, () => {
        const parts = token.split('.');
        const header = parts.length === 3 ? (JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString()) as { typ?: string }) : undefined;
        assert.equal(header?.typ === 'JWT', traits.verifiesJwt, token);
      });

      it(`after a logout, ${traits.revocation === 'at-expiry' ? 'still accepts the token until exp' : 'refuses the token'}, and keeps the state it declares (${traits.revocation})`, async () => {
        const out = await app.inject({ method: 'POST', url: '/logout', headers: { authorization: `Bearer ${token}` } });
        assert.equal(out.statusCode, 204);
        if (traits.state.kind === 'revoked-token') assert.equal((await keys(traits.state.keyPattern)).length, 1, 'one revoked-token key');
        else assert.deepEqual(await keys(), [], 'nothing left in Redis');
        let status = (await me()).statusCode;
        // A propagated revocation may take a moment to arrive; an immediate one may not.
        for (let i = 0; traits.revocation === 'propagated' && status !== 401 && i < 50; i++) {
          await new Promise((r) => setTimeout(r, 100));
          status = (await me()).statusCode;
        }
        assert.equal(status, traits.revocation === 'at-expiry' ? 200 : 401);
      });
    });
  }
});
