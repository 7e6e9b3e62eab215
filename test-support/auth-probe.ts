import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { RejectReason } from '../lib/errors.js';
import { adminOf } from '../servers/app.js';
import { UNAUTHORIZED_BODY, logout, me, request } from './http.js';

/** What a security test needs from a server, whether a real process (HTTP) or an in-process app (inject). */
export interface AuthTarget {
  me(token: string): Promise<{ status: number; body: unknown }>;
  logout(token: string): Promise<{ status: number; body: unknown }>;
  /** Login as user<n>; the token. */
  login(n: number): Promise<string>;
  metrics(): Promise<MetricsView>;
}

export interface MetricsView {
  /** 'up', 'down', or 'none' for a design without a store. */
  readonly store: string;
  readonly rejected: Partial<Record<RejectReason, number>>;
  readonly storeCalls: number;
}

/** A server process: its API at `base`, GET /metrics at `metricsUrl` (its loopback admin port). */
export function httpTarget(base: string, metricsUrl: string | undefined): AuthTarget {
  return {
    me: (token) => me(base, token),
    logout: (token) => logout(base, token),
    async login(n) {
      const r = await request(`${base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `user${n}`, password: `pass${n}` }),
      });
      assert.equal(r.status, 200, `login user${n}: ${r.text}`);
      return (r.body as { token: string }).token;
    },
    async metrics() {
      assert.ok(metricsUrl !== undefined, 'the server printed no metrics URL');
      const r = await request(metricsUrl);
      assert.equal(r.status, 200);
      return r.body as MetricsView;
    },
  };
}

export function injectTarget(app: FastifyInstance): AuthTarget {
  const call = async (method: 'GET' | 'POST', url: string, token: string) => {
    const r = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
    return { status: r.statusCode, body: r.body === '' ? undefined : (r.json() as unknown) };
  };
  return {
    me: (token) => call('GET', '/me', token),
    logout: (token) => call('POST', '/logout', token),
    async login(n) {
      const r = await app.inject({ method: 'POST', url: '/login', payload: { username: `user${n}`, password: `pass${n}` } });
      assert.equal(r.statusCode, 200, `login user${n}: ${r.body}`);
      return (r.json() as { token: string }).token;
    },
    async metrics() {
      return (await adminOf(app).inject({ url: '/metrics' })).json() as MetricsView;
    },
  };
}

/** How each reject counter moved between two snapshots (only the ones that moved). */
export function rejectedDelta(before: MetricsView, after: MetricsView): Partial<Record<RejectReason, number>> {
  const delta: Partial<Record<RejectReason, number>> = {};
  for (const reason of new Set([...Object.keys(before.rejected), ...Object.keys(after.rejected)]) as Set<RejectReason>) {
    const moved = (after.rejected[reason] ?? 0) - (before.rejected[reason] ?? 0);
    if (moved !== 0) delta[reason] = moved;
  }
  return delta;
}

/**
 * Sends `token` (GET /me, or POST /logout) and asserts the one refusal: 401, the identical body, and exactly
 * one reject counter moved, the one for `reason` (so the check under test is the one that fired).
 */
export async function assertRefused(
  target: AuthTarget,
  token: string,
  reason: RejectReason,
  route: 'me' | 'logout' = 'me',
): Promise<void> {
  const before = await target.metrics();
  const r = await target[route](token);
  assert.equal(r.status, 401, `expected 401 (${reason}), got ${r.status} ${JSON.stringify(r.body)}`);
  assert.deepEqual(r.body, UNAUTHORIZED_BODY);
  const after = await target.metrics();
  assert.deepEqual(rejectedDelta(before, after), { [reason]: 1 }, `the ${reason} check must be the one that refused`);
}

/** Asserts GET /me accepts `token` for user `userId`. */
export async function assertAccepted(target: AuthTarget, token: string, userId: string): Promise<void> {
  const r = await target.me(token);
  assert.equal(r.status, 200, `expected 200, got ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal((r.body as { userId: string }).userId, userId);
}

/**
 * Calls Redis has executed, per command, from INFO commandstats, leaving out INFO itself (which the test
 * uses to read them, and ioredis for its ready check).
 */
export async function redisCommandCalls(client: Redis): Promise<Record<string, number>> {
  const info = await client.info('commandstats');
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const [, name, count] = m;
    if (name !== undefined && count !== undefined && name !== 'info') calls[name] = Number(count);
  }
  return calls;
}
