/**
 * What the server fault tests (servers/faults/) share: the designs they cover, the bounds they wait for, how they
 * judge a reply, and how they start their servers. What they watch while Redis is down is in faults.ts.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { ErrorCodes } from '../lib/errors.js';
import { RETRY_AFTER_SEC } from '../servers/app.js';
import { serverDefaults } from '../servers/config.js';
import { MAX_RECONNECT_DELAY_MS } from '../servers/store/redis-store.js';
import { durationOf, storeHealth, waitFor, type Sample } from './faults.js';
import type { Reply } from './http.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/** The designs that keep state in Redis (the `jwt` design keeps none). */
export const STORE_DESIGNS = ['redis-token', 'jwt-blacklist'] as const;
export type StoreDesign = (typeof STORE_DESIGNS)[number];

/** What GET /me answers for the token of user 42. */
export const USER_42 = { userId: 'u42', username: 'user42', roles: ['user'] };

/**
 * "Did not hang": a bound on one request's duration. With no offline queue and no retries, a request waits on Redis
 * for at most the command timeout (the servers' default --redis-timeout, 250 ms; the slowest request of a fault run
 * measured 260-340 ms here). The bound is twelve times that because on a busy 2-core machine a request that failed
 * fast can still be held up by scheduling; a request that really waits on a stopped Redis lasts until SIGCONT, so a test
 * that relies on this bound to catch that keeps Redis stopped for longer than it.
 */
export const HANG_BOUND_MS = 12 * serverDefaults.redisCommandTimeoutMs;

/**
 * How long a server may take to answer 200 again once Redis is back: a bound on waiting, not a claim. It reconnects
 * (and re-probes) at least every MAX_RECONNECT_DELAY_MS and is expected within about a second.
 */
export const RECOVERY_BOUND_MS = 10 * MAX_RECONNECT_DELAY_MS;

/** A 503 with Retry-After and the store-unavailable body ({ code, error } and nothing else). */
export function assertStoreUnavailable(status: number, retryAfter: string | null, body: unknown, what: string): void {
  assert.equal(status, 503, what);
  assert.equal(retryAfter, String(RETRY_AFTER_SEC), `${what}: Retry-After`);
  assert.deepEqual(Object.keys(body as object).sort(), ['code', 'error'], `${what}: body shape`);
  assert.equal((body as { code: unknown }).code, ErrorCodes.STORE_UNAVAILABLE, `${what}: code`);
  assert.equal(typeof (body as { error: unknown }).error, 'string', `${what}: error`);
}

export const assertReplyUnavailable = (r: Reply, what: string): void => assertStoreUnavailable(r.status, r.headers.get('retry-after'), r.body, what);

/** Every request ended, with a reply, within HANG_BOUND_MS (status 0 is MeTraffic's own 10 s timeout or a failure). */
export function assertNoHang(t: TestContext, samples: readonly Sample[]): void {
  const worst = samples.reduce((a, s) => Math.max(a, durationOf(s)), 0);
  t.diagnostic(`${samples.length} requests, slowest ${ms(worst)}`);
  const hung = samples.filter((s) => s.status === 0 || durationOf(s) >= HANG_BOUND_MS);
  assert.deepEqual(hung, [], `every request ends within ${HANG_BOUND_MS} ms`);
}

/** For diagnostics. */
export const ms = (x: number): string => `${Math.round(x)} ms`;

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/**
 * Starts one server process per [strategy, args], all at once (on 2 cores a start takes 1-3 s, and several together
 * little more), resolving with them in the same order. If one fails to start, the others are stopped first.
 */
export async function startServers<const S extends readonly (readonly [string, readonly string[]])[]>(
  specs: S,
): Promise<{ -readonly [K in keyof S]: ServerProcess }> {
  const started = await Promise.allSettled(specs.map(([strategy, args]) => startServerProcess(strategy, args)));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw failed.reason;
  }
  return started.map((r) => (r as PromiseFulfilledResult<ServerProcess>).value) as { -readonly [K in keyof S]: ServerProcess };
}

/** Waits until every server's /health says its store is "up": where a suite starts on servers that saw an earlier fault. */
export async function untilStoreUp(servers: readonly ServerProcess[]): Promise<void> {
  await Promise.all(
    servers.map((s) => waitFor(`${s.url}/health to report store up`, async () => ((await storeHealth(s.url)) === 'up' ? true : undefined), RECOVERY_BOUND_MS)),
  );
}
