import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildServer } from '../app.js';
import { resolveServerConfig } from '../config.js';
import { JWT_IMPLS } from '../jwt/algs.js';
import { UNAUTHORIZED_BODY, login as loginOver, logout as logoutOver, me as meOver, request } from '../../test-support/http.js';
import { decodeJwt, forgeJwt, omit } from '../../test-support/jwt-forge.js';
import { withJwtServer } from '../../test-support/jwt-servers.js';
import { startTestRedis, type TestRedis } from '../../test-support/redis.js';
import { runCli, startServerProcess, type ServerProcess } from '../../test-support/server-process.js';
import { designOf } from './index.js';
import { MAX_ROTATIONS, familyKey } from './jwt-refresh.js';

/** The answer of /login and /refresh for jwt-refresh. */
interface TokenPair {
  token: string;
  tokenType: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

const CHALLENGE = 'Bearer realm="authbench", error="invalid_token"';

const sidOf = (accessToken: string): unknown => decodeJwt(accessToken).payload['sid'];

/** An in-process jwt-refresh app on `redisUrl`, its clock `clock` (the JWT checks read it; Redis keeps its own). */
async function refreshApp(redisUrl: string, options: { clock?: () => number; raw?: Parameters<typeof resolveServerConfig>[0] } = {}): Promise<FastifyInstance> {
  const config = resolveServerConfig({ redisUrl, ...options.raw });
  return buildServer(designOf('jwt-refresh'), config, options.clock === undefined ? {} : { clock: options.clock });
}

function client(app: () => FastifyInstance) {
  return {
    async login(n = 42): Promise<TokenPair> {
      const r = await app().inject({ method: 'POST', url: '/login', payload: { username: `user${n}`, password: `pass${n}` } });
      assert.equal(r.statusCode, 200, r.body);
      return r.json() as TokenPair;
    },
    refresh: (refreshToken: unknown): Promise<LightMyRequestResponse> => app().inject({ method: 'POST', url: '/refresh', payload: { refreshToken } }),
    me: (token: string) => app().inject({ url: '/me', headers: { authorization: `Bearer ${token}` } }),
    logout: (token: string) => app().inject({ method: 'POST', url: '/logout', headers: { authorization: `Bearer ${token}` } }),
  };
}

/** The one refusal: 401, the uniform body, the invalid_token challenge. */
function assertRefusal(r: LightMyRequestResponse, label: string): void {
  assert.equal(r.statusCode, 401, `${label}: ${r.body}`);
  assert.deepEqual(r.json(), UNAUTHORIZED_BODY, label);
  assert.equal(r.headers['www-authenticate'], CHALLENGE, label);
}

describe('jwt-refresh', () => {
  let redis: TestRedis;
  let app: FastifyInstance;
  const api = client(() => app);
  before(async () => {
    redis = await startTestRedis();
    app = await refreshApp(redis.server.url);
  });
  after(async () => {
    await app?.close();
    await redis?.close();
  });

  it('login answers an access token and a refresh token, each with its lifetime, and keeps one expiring key per login', async () => {
    const r = await app.inject({ method: 'POST', url: '/login', payload: { username: 'user42', password: 'pass42' } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['cache-control'], 'no-store');
    const body = r.json() as TokenPair;
    assert.deepEqual(Object.keys(body).sort(), ['expiresIn', 'refreshExpiresIn', 'refreshToken', 'token', 'tokenType']);
    assert.equal(body.tokenType, 'Bearer');
    assert.equal(body.expiresIn, 300, 'the access token lives --access-ttl (default 300)');
    assert.equal(body.refreshExpiresIn, 3600, 'the refresh token lives --token-ttl (default 3600)');
    const sid = sidOf(body.token);
    assert.equal(typeof sid, 'string');
    assert.ok(body.refreshToken.startsWith(`${String(sid)}.`), 'the refresh token names the session of the access token');
    const key = familyKey(String(sid));
    const ttl = await redis.client.ttl(key);
    assert.ok(ttl > 0 && ttl <= 3600, `TTL ${ttl}`);
    const stored = JSON.stringify(await redis.client.hgetall(key));
    assert.ok(!stored.includes(body.refreshToken.split('.')[1] ?? '?'), `the secret is not stored in clear: ${stored}`);
    assert.equal((await api.me(body.token)).statusCode, 200);
  });

  it('a refresh answers a new pair for the same session; the refresh token it spent is then 401', async () => {
    const first = await api.login(7);
    const r = await api.refresh(first.refreshToken);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['cache-control'], 'no-store');
    const next = r.json() as TokenPair;
    assert.deepEqual(Object.keys(next).sort(), ['expiresIn', 'refreshExpiresIn', 'refreshToken', 'token', 'tokenType']);
    assert.equal(next.tokenType, 'Bearer');
    assert.equal(next.expiresIn, 300);
    assert.ok(next.refreshExpiresIn > 0 && next.refreshExpiresIn <= 3600, `refreshExpiresIn ${next.refreshExpiresIn}`);
    assert.notEqual(next.refreshToken, first.refreshToken);
    assert.notEqual(next.token, first.token);
    assert.equal(sidOf(next.token), sidOf(first.token));
    const mine = await api.me(next.token);
    assert.equal(mine.statusCode, 200);
    assert.deepEqual(mine.json(), { userId: 'u7', username: 'user7', roles: ['user'] });

    const again = await api.refresh(first.refreshToken);
    assertRefusal(again, 'the spent refresh token');
    assert.equal(again.headers['cache-control'], 'no-store', 'a refusal on /refresh is not stored either');
  });

  it('the new refresh token works once too', async () => {
    const first = await api.login(8);
    const second = (await api.refresh(first.refreshToken)).json() as TokenPair;
    const third = await api.refresh(second.refreshToken);
    assert.equal(third.statusCode, 200, third.body);
    assertRefusal(await api.refresh(second.refreshToken), 'the second token, spent');
  });

  it('a rotated refresh token presented again revokes the whole family: the newest refresh token is 401 too', async () => {
    const first = await api.login(9);
    const second = (await api.refresh(first.refreshToken)).json() as TokenPair;
    const third = (await api.refresh(second.refreshToken)).json() as TokenPair;
    assert.equal(await redis.client.exists(familyKey(String(sidOf(first.token)))), 1);
    assertRefusal(await api.refresh(first.refreshToken), 'reuse of the first token');
    assertRefusal(await api.refresh(third.refreshToken), 'the newest token, after the reuse');
    assert.equal(await redis.client.exists(familyKey(String(sidOf(first.token)))), 0, 'the family is gone from Redis');
  });

  it('a guessed secret for a known session is 401 and changes nothing: only a genuine spent token revokes', async () => {
    const first = await api.login(10);
    const sid = String(sidOf(first.token));
    assertRefusal(await api.refresh(`${sid}.${randomUUID()}`), 'a guess');
    const r = await api.refresh(first.refreshToken);
    assert.equal(r.statusCode, 200, `the genuine token still works: ${r.body}`);
  });

  it('two refreshes racing with one token: exactly one is 200, and the other is a reuse that ends the family', async () => {
    for (let round = 0; round < 20; round++) {
      const pair = await api.login(11);
      const answers = await Promise.all([api.refresh(pair.refreshToken), api.refresh(pair.refreshToken)]);
      const ok = answers.filter((a) => a.statusCode === 200);
      assert.equal(ok.length, 1, `round ${round}: ${answers.map((a) => a.statusCode).join(', ')}`);
      for (const a of answers) if (a.statusCode !== 200) assertRefusal(a, `round ${round}: the loser`);
      // The two are indistinguishable from a thief and its victim using one token: the winner's token is refused too.
      assertRefusal(await api.refresh((ok[0]?.json() as TokenPair).refreshToken), `round ${round}: the winner's new token`);
    }
  });

  it(`a family ends at its refresh after ${MAX_ROTATIONS} rotations (its list of spent tokens stays bounded)`, async () => {
    let pair = await api.login(14);
    for (let i = 0; i < MAX_ROTATIONS; i++) {
      const r = await api.refresh(pair.refreshToken);
      assert.equal(r.statusCode, 200, `rotation ${i + 1}: ${r.body}`);
      pair = r.json() as TokenPair;
    }
    const key = familyKey(String(sidOf(pair.token)));
    const bytes = Number(await redis.client.memory('USAGE', key));
    assert.ok(bytes > 0 && bytes < 32 * 1024, `the family key stays small: ${bytes} bytes`);
    assertRefusal(await api.refresh(pair.refreshToken), 'one rotation too many');
    assert.equal(await redis.client.exists(key), 0);
  });

  it('refresh tokens of the wrong shape, or unknown, are 401 without revoking anything', async () => {
    const pair = await api.login(12);
    const sid = String(sidOf(pair.token));
    for (const token of ['abc', randomUUID(), `${randomUUID()}.${randomUUID()}`, `${sid}.${sid}.x`, pair.refreshToken.toUpperCase()]) {
      assertRefusal(await api.refresh(token), JSON.stringify(token));
    }
    assert.equal((await api.refresh(pair.refreshToken)).statusCode, 200);
  });

  it('a malformed body is 400, a body that is not JSON 415', async () => {
    for (const payload of [{}, { refreshToken: '' }, { refreshToken: 1 }, { refreshToken: ['x'] }, { refreshToken: null }, { refreshToken: 'x'.repeat(300) }, [], 'x']) {
      const r = await app.inject({ method: 'POST', url: '/refresh', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
      assert.equal(r.statusCode, 400, `${JSON.stringify(payload)}: ${r.body}`);
      assert.deepEqual(Object.keys(r.json() as object).sort(), ['code', 'error']);
    }
    const broken = await app.inject({ method: 'POST', url: '/refresh', headers: { 'content-type': 'application/json' }, payload: '{"refreshToken":' });
    assert.equal(broken.statusCode, 400);
    const text = await app.inject({ method: 'POST', url: '/refresh', headers: { 'content-type': 'text/plain' }, payload: '{"refreshToken":"x"}' });
    assert.equal(text.statusCode, 415);
    assert.deepEqual(Object.keys(text.json() as object).sort(), ['code', 'error']);
  });
});

describe('jwt-refresh: logout', () => {
  let redis: TestRedis;
  let app: FastifyInstance;
  const api = client(() => app);
  // A frozen clock: the access token's expiry is checked exactly, without waiting.
  const START_MS = Date.UTC(2026, 0, 1, 12);
  let now = START_MS;
  before(async () => {
    redis = await startTestRedis();
    app = await refreshApp(redis.server.url, { clock: () => now, raw: { accessTtlSec: 60 } });
  });
  after(async () => {
    await app?.close();
    await redis?.close();
  });

  it('deletes the family: the refresh token is 401, the access token works until its exp, and a second logout is 204', async () => {
    now = START_MS;
    const pair = await api.login(21);
    assert.equal(pair.expiresIn, 60);
    const key = familyKey(String(sidOf(pair.token)));
    assert.equal(await redis.client.exists(key), 1);
    assert.equal((await api.logout(pair.token)).statusCode, 204);
    assert.equal(await redis.client.exists(key), 0, 'nothing left in Redis');
    assertRefusal(await api.refresh(pair.refreshToken), 'the logged-out refresh token');
    now = START_MS + 59_000;
    assert.equal((await api.me(pair.token)).statusCode, 200, 'the access token outlives the logout: the price of the design');
    assert.equal((await api.logout(pair.token)).statusCode, 204, 'a retried logout is 204 (idempotent)');
    now = START_MS + 60_000;
    assertRefusal(await api.me(pair.token), 'the access token at its exp');
    assertRefusal(await api.logout(pair.token), 'a logout with an expired access token');
  });

  it('of one login leaves another login of the same user alone', async () => {
    now = START_MS;
    const a = await api.login(22);
    const b = await api.login(22);
    assert.equal((await api.logout(a.token)).statusCode, 204);
    const r = await api.refresh(b.refreshToken);
    assert.equal(r.statusCode, 200, r.body);
  });
});

// The sid claim through both JWT libraries: signed, verified, and required by this design.
for (const impl of JWT_IMPLS) {
  describe(`jwt-refresh with --jwt-impl ${impl}: the session claim`, () => {
    let redis: TestRedis;
    before(async () => {
      redis = await startTestRedis();
    });
    after(async () => {
      await redis?.close();
    });
    const s = withJwtServer('jwt-refresh', impl, 'HS256', () => redis.server.url);

    it('the access token carries sid, a UUID, and verifies', async () => {
      const token = await s.target.login(31);
      assert.match(String(decodeJwt(token).payload['sid']), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal((await s.target.me(token)).status, 200);
    });

    it('a correctly signed token without sid, or with a sid that is not a UUID, is 401 on /me and /logout', async () => {
      for (const payload of [omit(s.payload, 'sid'), { ...s.payload, sid: 'x' }, { ...s.payload, sid: 42 }, { ...s.payload, sid: null }]) {
        const token = forgeJwt(s.header, { ...payload, jti: randomUUID() }, s.sign);
        for (const route of ['me', 'logout'] as const) {
          const r = await s.target[route](token);
          assert.equal(r.status, 401, `${route} ${JSON.stringify(payload['sid'])}`);
          assert.deepEqual(r.body, UNAUTHORIZED_BODY);
        }
      }
      // The same forgery with the genuine sid is accepted: the refusals above are the sid's.
      assert.equal((await s.target.me(forgeJwt(s.header, { ...s.payload, jti: randomUUID() }, s.sign))).status, 200);
    });
  });
}

describe('jwt-refresh: /refresh is its own', () => {
  it('a design without refresh tokens answers POST /refresh 404, as an unknown route', async () => {
    const app = await buildServer(designOf('jwt'), resolveServerConfig({}));
    try {
      const r = await app.inject({ method: 'POST', url: '/refresh', payload: { refreshToken: `${randomUUID()}.${randomUUID()}` } });
      assert.equal(r.statusCode, 404);
      assert.deepEqual(r.json(), { error: 'no route POST /refresh', code: 'ERR_NOT_FOUND' });
      const login = await app.inject({ method: 'POST', url: '/login', payload: { username: 'user1', password: 'pass1' } });
      assert.deepEqual(Object.keys(login.json() as object).sort(), ['expiresIn', 'token', 'tokenType'], 'its login answers as before');
    } finally {
      await app.close();
    }
  });
});

describe('jwt-refresh: Redis down', () => {
  let redis: TestRedis;
  let app: FastifyInstance;
  const api = client(() => app);
  before(async () => {
    redis = await startTestRedis();
    app = await refreshApp(redis.server.url);
  });
  after(async () => {
    await app?.close();
    await redis?.close();
  });

  it('/refresh, /login and /logout answer 503 with Retry-After; GET /me still answers from the token alone', async () => {
    const pair = await api.login(41);
    await redis.server.kill();
    for (const [label, r] of [
      ['refresh', await api.refresh(pair.refreshToken)],
      ['login', await app.inject({ method: 'POST', url: '/login', payload: { username: 'user41', password: 'pass41' } })],
      ['logout', await api.logout(pair.token)],
    ] as const) {
      assert.equal(r.statusCode, 503, `${label}: ${r.body}`);
      assert.equal(r.headers['retry-after'], '1', label);
      assert.equal((r.json() as { code: string }).code, 'ERR_STORE_UNAVAILABLE', label);
    }
    assert.equal((await api.me(pair.token)).statusCode, 200);
  });
});

describe('jwt-refresh: --access-ttl on a server process', () => {
  let redis: TestRedis;
  let server: ServerProcess;
  before(async () => {
    redis = await startTestRedis();
    server = await startServerProcess('jwt-refresh', ['--redis-url', redis.server.url, '--access-ttl', '3']);
  });
  after(async () => {
    await server?.stop();
    await redis?.close();
  });

  it('a logged-out access token keeps working until it expires, then is refused; the refresh token is refused at once', async () => {
    const r = await request(`${server.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'user5', password: 'pass5' }) });
    assert.equal(r.status, 200, r.text);
    const pair = r.body as TokenPair;
    assert.equal(pair.expiresIn, 3);
    assert.equal((await logoutOver(server.url, pair.token)).status, 204);
    const refreshed = await request(`${server.url}/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: pair.refreshToken }) });
    assert.equal(refreshed.status, 401);
    assert.deepEqual(refreshed.body, UNAUTHORIZED_BODY);
    assert.equal(refreshed.headers.get('www-authenticate'), CHALLENGE);
    // Accepted at first (it was issued at least 2 s before its exp), refused once exp passed; polled, not timed.
    assert.equal((await meOver(server.url, pair.token)).status, 200, 'the access token outlives the logout');
    let status = 200;
    for (let i = 0; status === 200 && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await meOver(server.url, pair.token)).status;
    }
    assert.equal(status, 401, 'refused once expired');
    // Another login still works: the design is not stuck.
    assert.equal(typeof (await loginOver(server.url, 6)), 'string');
  });

  it('--access-ttl 0 or abc exits 2 naming the flag', async () => {
    for (const value of ['0', 'abc']) {
      const r = await runCli(['serve', 'jwt-refresh', '--redis-url', 'redis://127.0.0.1:1', '--access-ttl', value]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`--access-ttl must be an integer from 1 to \\d+, got "${value}"`));
    }
  });
});
