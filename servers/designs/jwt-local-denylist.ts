import { Cluster, Redis } from 'ioredis';
import { UnauthorizedError } from '../../lib/errors.js';
import { createJwtCodec } from '../jwt/codec.js';
import { requireNoEviction } from '../store/eviction.js';
import { MAX_RECONNECT_DELAY_MS, type StoreClient } from '../store/redis-store.js';
import { requireStore, type AuthStrategy, type DesignContext, type DesignDefinition, type LocalState } from '../design.js';
import { userOf } from './jwt.js';
import { blacklistExpiresAtMs } from './jwt-blacklist.js';

/** Key of a revoked token's entry in Redis: the `jti`. Its value is when the entry may go (Unix ms), as its PXAT. */
export const denylistKey = (jti: string): string => `denylist:${jti}`;

/** The pub/sub channel a logout announces a revoked `jti` on: `<jti> <expiresAtMs>`. */
export const REVOKED_CHANNEL = 'authbench:revoked';

/** How often the subscriber connection is PINGed: a Redis that stopped answering (SIGSTOP) is noticed within about this. */
export const HEARTBEAT_MS = 500;

/** How often expired entries are dropped from the local set (a lookup also drops the one it finds expired). */
const PRUNE_INTERVAL_MS = 10_000;

/** SCAN batch size when the set is reloaded from Redis. */
const SCAN_COUNT = 1000;

/** The revoked `jti`s this process knows of, each until its entry's expiry: what the hot path reads (no Redis). */
export class LocalDenylist {
  private readonly entries = new Map<string, number>();

  add(jti: string, expiresAtMs: number, now: number): void {
    if (!(expiresAtMs > now)) return;
    const known = this.entries.get(jti);
    if (known === undefined || known < expiresAtMs) this.entries.set(jti, expiresAtMs);
  }

  has(jti: string, now: number): boolean {
    const expiresAt = this.entries.get(jti);
    if (expiresAt === undefined) return false;
    if (expiresAt > now) return true;
    this.entries.delete(jti);
    return false;
  }

  prune(now: number): void {
    for (const [jti, expiresAt] of this.entries) if (expiresAt <= now) this.entries.delete(jti);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A `<jti> <expiresAtMs>` announcement, or undefined for anything else on the channel. */
export function parseAnnouncement(message: string): { jti: string; expiresAtMs: number } | undefined {
  const [jti, at, extra] = message.split(' ');
  const expiresAtMs = Number(at);
  if (jti === undefined || jti === '' || extra !== undefined || !Number.isSafeInteger(expiresAtMs)) return undefined;
  return { jti, expiresAtMs };
}

/**
 * A connection of its own for SUBSCRIBE (a subscribed connection can run nothing else), to the same Redis or
 * cluster as the store. Commands issued while it is down wait for it (the offline queue): nothing on the request
 * path uses it.
 */
function subscriberFor(store: StoreClient, ctx: DesignContext): StoreClient {
  const retryStrategy = (times: number): number => Math.min(25 * 2 ** times, MAX_RECONNECT_DELAY_MS);
  if (store instanceof Cluster) {
    return new Cluster(ctx.config.redisCluster?.map((s) => ({ host: s.host, port: s.port })) ?? [], {
      lazyConnect: true,
      clusterRetryStrategy: retryStrategy,
      redisOptions: { ...(ctx.config.redisPassword === undefined ? {} : { password: ctx.config.redisPassword }), connectTimeout: 1000, commandTimeout: HEARTBEAT_MS, autoResubscribe: false },
    });
  }
  return new Redis(ctx.config.redisUrl ?? '', { lazyConnect: true, connectTimeout: 1000, commandTimeout: HEARTBEAT_MS, retryStrategy, autoResubscribe: false, maxRetriesPerRequest: 0 });
}

/** Every key matching `pattern` with its value, node by node (a cluster's masters each hold a share). */
async function scanValues(client: StoreClient, pattern: string, onBatch: (keys: string[], values: (string | null)[]) => void): Promise<void> {
  const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      cursor = next;
      if (keys.length === 0) continue;
      // One GET per key, pipelined: on a cluster an MGET of keys in different slots is refused even on one node.
      const replies = (await node.pipeline(keys.map((k) => ['get', k])).exec()) ?? [];
      onBatch(keys, replies.map(([err, value]) => (err === null && typeof value === 'string' ? value : null)));
    } while (cursor !== '0');
  }
}

/**
 * JWT verified locally, with an in-process set of revoked `jti`s kept current by Redis pub/sub. Logout writes
 * `denylist:{jti}` (expiring when the token can no longer be accepted anywhere, as jwt-blacklist's entry) and
 * publishes it; every server adds it on the message. On start and after every reconnect of its subscriber, a server
 * reloads every live entry (SCAN), subscribing first, so a message missed while it was away is read from the key.
 * GET /me touches no Redis: a logout reaches the other servers after the pub/sub delay. While the subscription is
 * down the server keeps validating with the set it has, and says since when (`local.staleMs` in /health and
 * /metrics).
 */
export const jwtLocalDenylist: DesignDefinition = {
  name: 'jwt-local-denylist',
  summary: 'JWT + in-process denylist of revoked jti, fed by Redis pub/sub (no Redis call per request)',
  usesStore: true,
  traits: {
    state: { kind: 'revoked-token', keyPattern: denylistKey('*') },
    revocation: 'propagated',
    failurePolicies: ['none'],
    verifiesJwt: true,
    storeCommandsPerValidate: 0,
  },
  async create(ctx: DesignContext): Promise<AuthStrategy> {
    const codec = await createJwtCodec(ctx.config, ctx.clock, ctx.metrics);
    const store = requireStore(ctx, 'jwt-local-denylist');
    // An evicted entry is lost to a server that reloads after the eviction: the same risk as jwt-blacklist's.
    await requireNoEviction(store, 'jwt-local-denylist', ctx.config.allowEviction, ctx.warn);
    const denylist = new LocalDenylist();
    const subscriber = subscriberFor(store.client, ctx);
    let closed = false;
    let synced = false;
    /** When the set was last known current: the last sync or heartbeat answered while synced (start, before any). */
    let currentAt = ctx.clock();
    let syncing: Promise<void> | undefined;

    const markStale = (): void => {
      synced = false;
    };
    const load = (keys: string[], values: (string | null)[]): void => {
      const now = ctx.clock();
      keys.forEach((key, i) => {
        const expiresAtMs = Number(values[i]);
        if (Number.isSafeInteger(expiresAtMs)) denylist.add(key.slice(denylistKey('').length), expiresAtMs, now);
      });
    };
    // Subscribe, then reload: an entry written in between arrives as a message, or is found by the SCAN, or both.
    const sync = (): Promise<void> =>
      (syncing ??= (async () => {
        try {
          await subscriber.subscribe(REVOKED_CHANNEL);
          await scanValues(store.client, denylistKey('*'), load);
          if (!closed && subscriber.status === 'ready') {
            synced = true;
            currentAt = ctx.clock();
          }
        } catch (err) {
          markStale();
          ctx.warn(`jwt-local-denylist: could not reload the denylist from Redis: ${err instanceof Error ? err.message : String(err)}`);
        } finally {
          syncing = undefined;
        }
      })());

    subscriber.on('error', () => {}); // its state is `synced`; the store logs Redis errors
    subscriber.on('message', (_channel: string, message: string) => {
      const entry = parseAnnouncement(message);
      if (entry !== undefined) denylist.add(entry.jti, entry.expiresAtMs, ctx.clock());
    });
    subscriber.on('close', markStale);
    subscriber.on('ready', () => void sync());
    // A Redis that stops answering keeps the connection open and sends nothing: a PING that times out is the sign.
    // Dropping the connection then makes the client reconnect, and `ready` reloads what was missed.
    // A sync that failed on a live connection (a SCAN timed out) is tried again here.
    const heartbeat = setInterval(() => {
      if (subscriber.status !== 'ready') return;
      if (!synced) {
        void sync();
        return;
      }
      const sentAt = ctx.clock();
      subscriber.ping().then(
        () => {
          if (synced) currentAt = sentAt;
        },
        () => {
          markStale();
          subscriber.disconnect(true);
        },
      );
    }, HEARTBEAT_MS);
    heartbeat.unref();
    const pruner = setInterval(() => denylist.prune(ctx.clock()), PRUNE_INTERVAL_MS);
    pruner.unref();
    // Start with the set loaded when Redis answers; a Redis down at start is a stale (empty) set, reported as such.
    await Promise.race([subscriber.connect().then(() => syncing ?? sync(), () => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);

    return {
      async issue(user) {
        return { token: await codec.sign(user.userId, user.roles), expiresIn: ctx.config.tokenTtlSec };
      },
      async verify(token) {
        const claims = await codec.verify(token);
        const user = userOf(ctx, claims);
        if (denylist.has(claims.jti, ctx.clock())) throw new UnauthorizedError('revoked');
        return user;
      },
      async revoke(token) {
        // As jwt-blacklist: only a token this server signed, idempotent, the entry outliving the token.
        const claims = await codec.verify(token);
        userOf(ctx, claims);
        const expiresAtMs = blacklistExpiresAtMs(claims, ctx.config);
        // This server refuses it at once, whatever Redis says (a 503 below means "retry", and refusing is safe).
        denylist.add(claims.jti, expiresAtMs, ctx.clock());
        ctx.metrics.storeCalls += 2;
        await store.run((r) => r.set(denylistKey(claims.jti), String(expiresAtMs), 'PXAT', expiresAtMs));
        await store.run((r) => r.publish(REVOKED_CHANNEL, `${claims.jti} ${expiresAtMs}`));
      },
      localState(): LocalState {
        return { entries: denylist.size, synced, staleMs: synced ? 0 : Math.max(0, ctx.clock() - currentAt) };
      },
      async close() {
        closed = true;
        clearInterval(heartbeat);
        clearInterval(pruner);
        subscriber.disconnect(false);
      },
    };
  },
};
