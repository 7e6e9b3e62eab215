import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runLoad } from '../bench/load/autocannon.js';
import { runPacedLoad } from '../bench/load/paced.js';
import { httpTokenSource } from '../bench/load/tokens.js';
import { designOf } from '../servers/designs/index.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';
import { startServerProcess, type ServerProcess } from '../test-support/server-process.js';
import { loginBodies } from './scenario.js';
import { expiryMs, lifeSec, ME_PER_SESSION, REFRESH_AHEAD_MS, SESSION_ACCESS_TTL_SEC, refreshDue, session, sessionServerArgs, tokensOf } from './session.js';

/** A token whose payload carries `exp` (no signature: the client never verifies, it only reads exp). */
const tokenWithExp = (exp: unknown): string => `e30.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.sig`;

describe('the session client: when it refreshes', () => {
  it('refreshes when the access token has the margin or less left by its exp, and not before', () => {
    const now = 1_700_000_000_000;
    assert.equal(refreshDue(expiryMs(tokenWithExp(now / 1000 + 2)), now), false, '2 s left');
    assert.equal(refreshDue(expiryMs(tokenWithExp((now + REFRESH_AHEAD_MS) / 1000)), now + 1), true, 'just under the margin');
    assert.equal(refreshDue(expiryMs(tokenWithExp((now + REFRESH_AHEAD_MS) / 1000)), now), true, 'exactly the margin left: in the millisecond of the boundary');
    assert.equal(refreshDue(expiryMs(tokenWithExp((now + REFRESH_AHEAD_MS) / 1000)), now - 1), false, 'a millisecond more than the margin');
    assert.equal(refreshDue(expiryMs(tokenWithExp(now / 1000 - 5)), now), true, 'already expired');
  });

  it('reads a token\'s life as its issuer set it, exp − iat, and nothing from a token without both', () => {
    const token = (claims: object): string => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
    assert.equal(lifeSec(token({ iat: 1_700_000_000, exp: 1_700_000_002 })), 2);
    assert.equal(lifeSec(token({ exp: 1_700_000_002 })), undefined);
    assert.equal(lifeSec(token({ iat: '1700000000', exp: 1_700_000_002 })), undefined);
    assert.equal(lifeSec('opaque-uuid'), undefined);
  });

  it('refreshes a token whose exp it cannot read', () => {
    for (const token of ['opaque-uuid', 'a.%%%.c', tokenWithExp('soon'), tokenWithExp(null)]) assert.equal(refreshDue(expiryMs(token), 0), true, token);
  });

  it('reads the tokens of a login or refresh answer, and nothing from another body', () => {
    assert.deepEqual(tokensOf('{"token":"t","refreshToken":"r"}'), { token: 't', refreshToken: 'r', expMs: undefined });
    assert.deepEqual(tokensOf('{"token":"t"}'), { token: 't', refreshToken: undefined, expMs: undefined });
    const jwt = tokenWithExp(1_700_000_002);
    assert.deepEqual(tokensOf(JSON.stringify({ token: jwt, refreshToken: 'r' })), { token: jwt, refreshToken: 'r', expMs: 1_700_000_002_000 }, 'a client that can refresh reads exp once, here');
    assert.equal(tokensOf(JSON.stringify({ token: jwt }))?.expMs, undefined, 'a client that cannot refresh never reads it');
    assert.equal(tokensOf('{"error":"x"}'), undefined);
    assert.equal(tokensOf(''), undefined);
  });

  it('asks for a short access token for a design with refresh tokens only', () => {
    assert.deepEqual(sessionServerArgs(designOf('jwt-refresh').traits), ['--access-ttl', '2']);
    assert.ok(REFRESH_AHEAD_MS <= SESSION_ACCESS_TTL_SEC * 1000 - 1000, 'a fresh token (iat in whole seconds) is never due at once');
    assert.deepEqual(sessionServerArgs(designOf('jwt').traits), []);
  });
});

describe('the session scenario against real servers', () => {
  let redis: TestRedis;
  let refreshServer: ServerProcess;
  let jwtServer: ServerProcess;
  before(async () => {
    redis = await startTestRedis();
    refreshServer = await startServerProcess('jwt-refresh', ['--redis-url', redis.server.url, '--users', '50', ...sessionServerArgs(designOf('jwt-refresh').traits)]);
    jwtServer = await startServerProcess('jwt', ['--users', '50']);
  });
  after(async () => {
    await refreshServer?.stop();
    await jwtServer?.stop();
    await redis?.close();
  });

  const plan = (strategy: 'jwt' | 'jwt-refresh', url: string) =>
    session.plan({ traits: designOf(strategy).traits, tokens: httpTokenSource(url, 50, 2), users: 50, poolSize: 0, phase: 'measure' });

  it('closed loop: a jwt-refresh client refreshes in place of a GET /me as its 2 s token nears expiry, and is never refused', async () => {
    const m = await runLoad(await plan('jwt-refresh', refreshServer.url), { url: refreshServer.url, connections: 4, durationSec: 3, timeoutSec: 5 });
    const s = m.sessions;
    assert.ok(s !== undefined && s.sessions > 100, `sessions: ${JSON.stringify(s)}`);
    // A token crosses its last second at a second boundary: each connection in the middle of a session then (most of
    // the time: a session is 7 requests, and a login in flight gets a fresh token) refreshes. 3 s hold 2 boundaries.
    assert.ok(s.refreshes > 0 && s.refreshes < s.sessions, `refreshes: ${JSON.stringify(s)}`);
    assert.equal(s.refreshesFailed, 0, 'every rotation answered 200');
    assert.equal(s.accessTtlSec, SESSION_ACCESS_TTL_SEC, 'the life of the token the clients refreshed by');
    assert.equal(m.statusCounts['401'] ?? 0, 0, `no request refused: ${JSON.stringify(m.statusCounts)}`);
    assert.equal(m.contentMismatches, 0);
    // Same number of requests per session as any design: a refresh takes a GET /me's place.
    const logouts = m.statusCounts['204'] ?? 0;
    assert.ok(Math.abs((m.statusCounts['200'] ?? 0) - logouts * (ME_PER_SESSION + 1)) <= 4 * (ME_PER_SESSION + 2), JSON.stringify(m.statusCounts));
  });

  it('closed loop: a client of a design without refresh tokens never refreshes', async () => {
    const m = await runLoad(await plan('jwt', jwtServer.url), { url: jwtServer.url, connections: 2, durationSec: 1, timeoutSec: 5 });
    assert.ok((m.sessions?.sessions ?? 0) > 0);
    assert.equal(m.sessions?.refreshes, 0);
    assert.equal(m.sessions?.refreshesFailed, 0);
    assert.equal(m.sessions?.accessTtlSec, undefined, 'a client that cannot refresh reads no token life');
  });

  it('open loop: a paced jwt-refresh session refreshes the same way, in place of a GET /me, at the same request rate', async () => {
    // 350 req/s in sessions of 7 requests: 50 sessions a second for 2 s. A margin longer than the token's life makes
    // every token due: each GET /me of every session becomes a refresh, each with the token the last one gave.
    const logins = loginBodies(50).map((body, n) => ({ body, username: `user${n}` }));
    const r = await runPacedLoad({ url: refreshServer.url, rate: 350, connections: 4, durationSec: 2, warmupSec: 0.2, timeoutSec: 5, validTokens: [], revokedTokens: [], revokedShare: 0, session: { logins, mePerSession: ME_PER_SESSION, refreshAheadMs: SESSION_ACCESS_TTL_SEC * 1000 + 500 } });
    assert.equal(r.sessions?.sessions, 100);
    assert.equal(r.sessions?.refreshes, 100 * ME_PER_SESSION, JSON.stringify(r.sessions));
    assert.equal(r.sessions?.refreshesFailed, 0);
    assert.equal(r.sessions?.accessTtlSec, SESSION_ACCESS_TTL_SEC, 'the life of the token the clients refreshed by');
    assert.equal(r.contentChecked, 0, 'no GET /me was sent');
    assert.equal(r.sent, 700, 'a refresh replaces a GET /me: 7 requests per session whatever happens');
    assert.equal(r.statusCounts['401'] ?? 0, 0, JSON.stringify(r.statusCounts));
  });
});
