import type autocannon from 'autocannon';
import type { DesignTraits } from '../servers/design.js';
import { decodeSegment } from '../servers/jwt/claims.js';
import { JSON_HEADERS, loginBodies, MeBodySample, rotating, type Scenario, type SessionTally } from './scenario.js';

/** GET /me requests per session, between its login and its logout. */
export const ME_PER_SESSION = 5;

/**
 * A design with refresh tokens (jwt-refresh) runs this scenario with an access token of this many seconds, so that
 * its clients refresh during the measurement. The access token's `iat` is in whole seconds, so a fresh token has
 * between 1 and 2 s of life left.
 */
export const SESSION_ACCESS_TTL_SEC = 2;

/**
 * Its client refreshes before a request when its access token has this long left or less (by the token's `exp`). No
 * more than the access token's life minus the 1 s that `iat` in whole seconds can take off it: a fresh token is then
 * never due at once. (With a 1 s token and 250 ms, every token issued in the last quarter of a second was due at
 * once: every request of those sessions became a refresh, and a request held up past the token's exp was refused.)
 * So a client refreshes when a second boundary falls inside its session, about once per second per connection.
 */
export const REFRESH_AHEAD_MS = 1000;

/** The server options this scenario needs for a design: a short access token for a design with refresh tokens. */
export const sessionServerArgs = (traits: DesignTraits): string[] => (traits.refreshTokens === true ? ['--access-ttl', String(SESSION_ACCESS_TTL_SEC)] : []);

/**
 * Whether a client should refresh before its next request: its access token's `exp` (in ms, from `SessionTokens`) is
 * `aheadMs` away or less at `nowMs`. A token whose `exp` could not be read (`expMs` undefined) is refreshed.
 *
 * "Or less", not "less": `exp` is whole seconds and `Date.now()` whole milliseconds, so with "less" a request in the
 * very millisecond of the second boundary that makes a token due did not refresh. A session of 7 requests lasts a few
 * milliseconds on loopback, so the requests of a session after that boundary often all fell in that one millisecond.
 * Measured with 4 connections over 3 s (2 boundaries, at most 8 refreshes), 12 runs each: 0–5 refreshes with "less",
 * 3–7 with "or less".
 */
export function refreshDue(expMs: number | undefined, nowMs: number, aheadMs = REFRESH_AHEAD_MS): boolean {
  return expMs === undefined || expMs - nowMs <= aheadMs;
}

/**
 * A token's `exp` in ms, read from its payload unverified (as a browser client does); undefined when there is none.
 * Read once per token, when it arrives, not per request.
 */
export function expiryMs(token: string): number | undefined {
  const exp = decodeSegment(token, 1)?.['exp'];
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}

/**
 * A token's life as its issuer set it, `exp` − `iat` in seconds, read from its payload unverified; undefined when
 * either is missing.
 */
export function lifeSec(token: string): number | undefined {
  const payload = decodeSegment(token, 1);
  const exp = payload?.['exp'];
  const iat = payload?.['iat'];
  return typeof exp === 'number' && typeof iat === 'number' && Number.isFinite(exp - iat) ? exp - iat : undefined;
}

/** The tokens of a login or refresh answer, and the access token's expiry for the refresh rule. */
export interface SessionTokens {
  token: string;
  refreshToken: string | undefined;
  /** The access token's `exp` in ms (undefined for an opaque token or an unreadable one). */
  expMs: number | undefined;
}

/** The tokens of a login or refresh answer (undefined when it is not one). */
export function tokensOf(body: string): SessionTokens | undefined {
  try {
    const parsed = JSON.parse(body) as { token?: unknown; refreshToken?: unknown } | null;
    if (typeof parsed?.token !== 'string') return undefined;
    const refreshToken = typeof parsed.refreshToken === 'string' ? parsed.refreshToken : undefined;
    // Only a client that can refresh reads its token's exp.
    return { token: parsed.token, refreshToken, expMs: refreshToken === undefined ? undefined : expiryMs(parsed.token) };
  } catch {
    return undefined;
  }
}

/** Sessions a phase started (logins answered 200) and the refreshes its clients made (POST /refresh answered 200). */
export class SessionCounts implements SessionTally {
  sessions = 0;
  refreshes = 0;
  /** Refreshes that did not answer 200 (the session then ends at its next request: its token is dropped). */
  refreshesFailed = 0;
  /**
   * The life (`exp` − `iat`, s) of the access token of the phase's first login, for a client that can refresh: what
   * the refresh rule ran against (SESSION_ACCESS_TTL_SEC when the server got the scenario's options).
   */
  accessTtlSec: number | undefined = undefined;

  /** Counts a session that a login answered with `tokens` (a 200 with a token). */
  started(tokens: SessionTokens): void {
    this.sessions++;
    if (this.accessTtlSec === undefined && tokens.refreshToken !== undefined) this.accessTtlSec = lifeSec(tokens.token);
  }
}

interface SessionContext {
  auth?: string;
  refreshToken?: string;
  /** The access token's exp in ms (read once, when the token arrived). */
  expMs?: number;
  /** The user this connection logged in as: each GET /me 200 of the session must name it. */
  username?: string;
  /** The request in flight is a refresh sent in place of a GET /me. */
  refreshing?: boolean;
}

/**
 * Each connection loops login → several GET /me → logout: a realistic lifecycle. A client of a design with refresh
 * tokens refreshes its access token when it nears expiry (REFRESH_AHEAD_MS left or less), as its clients would: the
 * refresh takes the place of the next GET /me, so every design's session is the same number of requests.
 */
export const session: Scenario = {
  kind: 'load',
  name: 'session',
  summary: `each connection loops login → ${ME_PER_SESSION}× GET /me → logout (a jwt-refresh client refreshes in place of a GET /me when its ${SESSION_ACCESS_TTL_SEC} s access token has ${REFRESH_AHEAD_MS} ms left or less)`,
  // At equal load, the same session is started at fixed times instead (see bench/load/paced.ts).
  paced: { kind: 'session', mePerSession: ME_PER_SESSION },
  serverArgs: sessionServerArgs,
  async plan(ctx) {
    const bodies = loginBodies(ctx.users);
    const nextLogin = rotating(bodies.map((body, n) => ({ body, username: `user${n}` })));
    const content = new MeBodySample();
    const counts = new SessionCounts();
    const refreshes = ctx.traits.refreshTokens === true;
    // After a failed login there is no session to use: returning nothing makes autocannon restart the
    // sequence at login (counted in its `resets`), rather than sending requests that are bound to be refused.
    const withToken = (req: autocannon.Request, context: SessionContext): autocannon.Request =>
      (context.auth === undefined ? undefined : { ...req, headers: { ...req.headers, authorization: context.auth } }) as autocannon.Request;
    const took = (context: SessionContext, t: SessionTokens | undefined): void => {
      context.expMs = t?.expMs;
      context.auth = t === undefined ? undefined : `Bearer ${t.token}`;
      context.refreshToken = t?.refreshToken;
    };
    const me: autocannon.Request = {
      method: 'GET',
      path: '/me',
      setupRequest: (req: autocannon.Request, context: SessionContext) => {
        context.refreshing = refreshes && context.auth !== undefined && context.refreshToken !== undefined && refreshDue(context.expMs, Date.now());
        if (context.refreshing) return { ...req, method: 'POST', path: '/refresh', headers: JSON_HEADERS, body: JSON.stringify({ refreshToken: context.refreshToken }) };
        return withToken(req, context);
      },
      onResponse: (status: number, body: string, context: SessionContext) => {
        if (context.refreshing === true) {
          context.refreshing = false;
          if (status === 200) {
            counts.refreshes++;
            took(context, tokensOf(body));
          } else {
            counts.refreshesFailed++;
            took(context, undefined);
          }
          return;
        }
        if (status === 200) content.check(body, context.username);
      },
    };
    return {
      requests: [
        {
          method: 'POST',
          path: '/login',
          headers: JSON_HEADERS,
          setupRequest: (req, context: SessionContext) => {
            const login = nextLogin();
            context.username = login.username;
            return { ...req, body: login.body };
          },
          onResponse: (status: number, body: string, context: SessionContext) => {
            const tokens = status === 200 ? tokensOf(body) : undefined;
            took(context, tokens);
            if (tokens !== undefined) counts.started(tokens);
          },
        },
        ...Array.from({ length: ME_PER_SESSION }, () => me),
        { method: 'POST', path: '/logout', setupRequest: withToken },
      ],
      content,
      sessions: counts,
    };
  },
  expect: () => ({ ok: [200, 204], wrong: [401], refusals: [] }),
};
