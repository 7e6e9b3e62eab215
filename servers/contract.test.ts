import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { designNames, designOf } from './designs/index.js';
import { UNAUTHORIZED_BODY, login, logout, me, request } from '../test-support/http.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';
import { startServerProcess, type ServerProcess } from '../test-support/server-process.js';

/** The HTTP contract, identical for the three designs, against real server processes and a real Redis. */
for (const strategy of designNames()) {
  describe(`${strategy}: the HTTP contract`, () => {
    let redis: TestRedis;
    let server: ServerProcess;
    let base: string;

    before(async () => {
      redis = await startTestRedis();
      server = await startServerProcess(strategy, ['--redis-url', redis.server.url]);
      base = server.url;
    });
    after(async () => {
      await server?.stop();
      await redis?.close();
    });

    it('login with good credentials returns a Bearer token and its lifetime', async () => {
      const r = await request(`${base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'user7', password: 'pass7' }),
      });
      assert.equal(r.status, 200);
      const body = r.body as { token: unknown; tokenType: unknown; expiresIn: unknown; refreshToken?: unknown; refreshExpiresIn?: unknown };
      assert.equal(typeof body.token, 'string');
      assert.equal(body.tokenType, 'Bearer');
      if (body.refreshToken === undefined) {
        assert.deepEqual(Object.keys(body).sort(), ['expiresIn', 'token', 'tokenType']);
        assert.equal(body.expiresIn, 3600);
      } else {
        // A design with refresh tokens: a short-lived access token (--access-ttl, default 300) and a refresh token
        // that lives --token-ttl.
        assert.equal(typeof body.refreshToken, 'string');
        assert.equal(body.expiresIn, 300);
        assert.equal(body.refreshExpiresIn, 3600);
      }
    });

    it('login with a wrong password or an unknown user is 401 with the error body shape', async () => {
      for (const creds of [{ username: 'user7', password: 'pass8' }, { username: 'user1000', password: 'pass1000' }, { username: 'nobody', password: 'x' }]) {
        const r = await request(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(creds) });
        assert.equal(r.status, 401, JSON.stringify(creds));
        assert.deepEqual(Object.keys(r.body as object).sort(), ['code', 'error']);
      }
    });

    it('GET /me returns the user of the token', async () => {
      const token = await login(base, 42);
      const r = await me(base, token);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { userId: 'u42', username: 'user42', roles: ['user'] });
    });

    it('GET /me without a token is 401 with the one refusal body', async () => {
      const r = await request(`${base}/me`);
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, UNAUTHORIZED_BODY);
    });

    it('logout answers 204', async () => {
      const token = await login(base, 3);
      const r = await logout(base, token);
      assert.equal(r.status, 204);
      assert.equal(r.text, '');
    });

    if (designOf(strategy).traits.revocation === 'at-expiry') {
      it('a logged-out token is still accepted: a design that verifies its tokens without state cannot revoke before exp', async () => {
        const token = await login(base, 5);
        assert.equal((await logout(base, token)).status, 204);
        const r = await me(base, token);
        assert.equal(r.status, 200, 'an at-expiry design accepts a logged-out token until it expires');
        assert.equal((await logout(base, token)).status, 204, 'a second logout is 204 too');
      });
    } else {
      it('a logged-out token is refused on /me; a second logout is 204 for a signed token (idempotent), 401 for an opaque one', async () => {
        const token = await login(base, 5);
        assert.equal((await logout(base, token)).status, 204);
        const again = await me(base, token);
        assert.equal(again.status, 401);
        assert.deepEqual(again.body, UNAUTHORIZED_BODY);
        // A logout retried after a 503 (outcome unknown) whose first attempt was applied: a design that keeps a record
        // of revoked tokens verifies the signature and answers 204 again; to a session design a deleted token is the
        // same as one never issued.
        const second = await logout(base, token);
        if (designOf(strategy).traits.state.kind === 'revoked-token') {
          assert.equal(second.status, 204);
        } else {
          assert.equal(second.status, 401);
          assert.deepEqual(second.body, UNAUTHORIZED_BODY);
        }
        assert.equal((await me(base, token)).status, 401, 'still refused after the second logout');
      });
    }

    it('logout of another session leaves this one valid', async () => {
      const a = await login(base, 9);
      const b = await login(base, 9);
      assert.notEqual(a, b, 'each login issues a distinct token');
      assert.equal((await logout(base, a)).status, 204);
      assert.equal((await me(base, b)).status, 200);
    });

    it('GET /health needs no token and reports the store (and, for a design with a local copy of Redis state, that copy)', async () => {
      const r = await request(`${base}/health`);
      assert.equal(r.status, 200);
      const { local, ...rest } = r.body as { local?: { entries: unknown; synced: unknown; staleMs: unknown } };
      assert.deepEqual(rest, { status: 'ok', store: designOf(strategy).usesStore ? 'up' : 'none' });
      if (local !== undefined) {
        assert.equal(typeof local.entries, 'number');
        assert.equal(local.synced, true, 'a server just started with Redis up is current');
        assert.equal(local.staleMs, 0);
      }
    });

    it('an unknown route is 404 with the error body shape', async () => {
      const r = await request(`${base}/nope`);
      assert.equal(r.status, 404);
      assert.equal((r.body as { code: string }).code, 'ERR_NOT_FOUND');
    });
  });
}
