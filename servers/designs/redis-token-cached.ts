import { randomUUID } from 'node:crypto';
import { InvalidOptionError, UnauthorizedError } from '../../lib/errors.js';
import { requireStore, type AuthStrategy, type DesignContext, type DesignDefinition } from '../design.js';
import type { User } from '../users.js';
import { NOT_A_STRING, OPAQUE_TOKEN, parseStoredUser, tokenKey } from './redis-token.js';

const NAME = 'redis-token-cached';

/** Sessions held in process memory at most (least recently used out first); a miss costs one GET. */
export const CACHE_MAX_ENTRIES = 100_000;

/**
 * The stored value: `<expiresAtMs> <userJSON>`. The expiry is in the value because a cached session must stop at
 * its expiry by itself: Redis invalidates a tracked key when it expires it, but it expires keys lazily (on access,
 * which a cache hit never makes) or by sampling, so the invalidation can come much later than the SETEX's TTL.
 */
export function sessionRecord(user: User, expiresAtMs: number): string {
  return `${expiresAtMs} ${JSON.stringify({ userId: user.userId, username: user.username, roles: user.roles })}`;
}

/** The session a stored value holds, or undefined for anything malformed (refused and deleted, as redis-token). */
export function parseSessionRecord(raw: string): { user: User; expiresAtMs: number } | undefined {
  const space = raw.indexOf(' ');
  const expiresAtMs = Number(raw.slice(0, space));
  if (space <= 0 || !Number.isSafeInteger(expiresAtMs)) return undefined;
  const user = parseStoredUser(raw.slice(space + 1));
  return user === undefined ? undefined : { user, expiresAtMs };
}

/**
 * redis-token's opaque token, read through a client-side cache that Redis keeps current (RESP3 `CLIENT TRACKING`
 * through node-redis, servers/store/cached-client.ts): login `SETEX token:{uuid} <ttl> <expiresAtMs> <userJSON>`,
 * GET /me a `GET` answered from process memory once this server has read the key, logout `DEL`. A DEL by any server
 * reaches every server's cache as an invalidation push; the server that made it also drops its own copy before
 * answering 204. Expiry is absolute, as redis-token's, and checked on every request (see sessionRecord).
 *
 * It fails closed: while the cache connection is not known current (down, reconnecting, or a heartbeat unanswered
 * for longer than the heartbeat interval plus --redis-timeout), GET /me is 503 and nothing is served from memory.
 * Writes (SETEX, DEL) and GET /health's `store` go through the app's ioredis store; `local` in /health and /metrics
 * is the cache. A single Redis only: on a Redis Cluster, node-redis would cache per master, and this design's
 * liveness check (a heartbeat per connection, see cached-client.ts) is not built for that.
 */
export const redisTokenCached: DesignDefinition = {
  name: NAME,
  summary: 'opaque UUID token in Redis, read through a RESP3 client-side cache kept current by CLIENT TRACKING (no Redis call for a hot token)',
  usesStore: true,
  traits: { state: { kind: 'session', keyPattern: tokenKey('*') }, revocation: 'propagated', failurePolicies: ['closed'], verifiesJwt: false, storeCommandsPerValidate: 0, singleRedisOnly: true },
  async create(ctx: DesignContext): Promise<AuthStrategy> {
    if (ctx.config.redisCluster !== undefined) {
      throw new InvalidOptionError(`${NAME} needs a single Redis (--redis-url): its client-side cache and the heartbeat that keeps it safe are built for one connection, not a Redis Cluster (--redis-cluster)`);
    }
    const store = requireStore(ctx, NAME);
    const url = ctx.config.redisUrl;
    if (url === undefined) throw new Error(`design ${NAME} needs a Redis URL but none was given`);
    // node-redis is loaded by the one design that uses it, not by every server and run that reads the registry.
    const { CachedClient } = await import('../store/cached-client.js');
    const cache = await CachedClient.open({
      url,
      commandTimeoutMs: ctx.config.redisCommandTimeoutMs,
      maxEntries: CACHE_MAX_ENTRIES,
      onRedisCall: () => ctx.metrics.storeCalls++,
      warn: ctx.warn,
    });
    const ttl = ctx.config.tokenTtlSec;
    return {
      async issue(user) {
        const token = randomUUID();
        const record = sessionRecord(user, ctx.clock() + ttl * 1000);
        ctx.metrics.storeCalls++;
        await store.run((r) => r.setex(tokenKey(token), ttl, record));
        return { token, expiresIn: ttl };
      },
      async verify(token) {
        if (!OPAQUE_TOKEN.test(token)) throw new UnauthorizedError('malformed');
        const key = tokenKey(token);
        const raw = await cache.read((r) =>
          r.get(key).catch((err: unknown): typeof NOT_A_STRING => {
            // A key of another Redis type (hash, list...) is a corrupt record, not a store failure (no 503).
            if (err instanceof Error && err.message.startsWith('WRONGTYPE')) return NOT_A_STRING;
            throw err;
          }),
        );
        if (raw === null) {
          // node-redis caches a null answer too. Not kept: a flood of made-up UUIDs would fill the cache with them,
          // and its index of keys is only pruned when Redis invalidates a key, which a key nobody writes never is.
          cache.evict(key);
          throw new UnauthorizedError('unknown_token');
        }
        const session = raw === NOT_A_STRING ? undefined : parseSessionRecord(raw);
        if (session === undefined) {
          // As redis-token: refused and removed, the delete best effort and awaited.
          ctx.metrics.storeCalls++;
          await store.run((r) => r.del(key)).catch(() => undefined);
          cache.evict(key);
          throw new UnauthorizedError('bad_stored_value');
        }
        if (session.expiresAtMs <= ctx.clock()) throw new UnauthorizedError('expired');
        return session.user;
      },
      async revoke(token) {
        if (!OPAQUE_TOKEN.test(token)) throw new UnauthorizedError('malformed');
        const key = tokenKey(token);
        ctx.metrics.storeCalls++;
        // Evicted once the DEL has run (or failed): evicting before it would let a /me in between cache the value
        // again, and this server would answer 200 after the 204 until Redis's invalidation push arrived.
        const deleted = await store.run((r) => r.del(key)).finally(() => cache.evict(key));
        if (deleted === 0) throw new UnauthorizedError('unknown_token');
      },
      localState: () => cache.state(),
      close: () => cache.close(),
    };
  },
};
