import { performance } from 'node:perf_hooks';
import { BasicClientSideCache, createClient, ErrorReply } from 'redis';
import { StoreUnavailableError } from '../../lib/errors.js';
import type { LocalState } from '../design.js';
import { ERROR_LOG_INTERVAL_MS, MAX_RECONNECT_DELAY_MS, NOT_SERVING_REPLIES } from './redis-store.js';

/** How often the cache connection is PINGed: its invalidation channel is proven live this often. */
export const CACHE_HEARTBEAT_MS = 250;

export interface CachedClientOptions {
  /** A single Redis: `redis://[:password@]host:port`. */
  readonly url: string;
  /** Bound on each read that reaches Redis; past it the read fails (503). */
  readonly commandTimeoutMs: number;
  /** Entries kept in process memory at most; the least recently used goes first. */
  readonly maxEntries: number;
  /** Called for each command a read sends to Redis (a miss), never for an answer served from memory. */
  readonly onRedisCall: () => void;
  /** Where a Redis error goes, at most one line per kind per ERROR_LOG_INTERVAL_MS. */
  readonly warn: (line: string) => void;
  /** How long open() waits for the connection before returning with it down (it keeps reconnecting). */
  readonly readyTimeoutMs?: number;
}

/** The reads a design makes through the cache. Each names one key, which Redis then tracks for this connection. */
export interface CachedCommands {
  get(key: string): Promise<string | null>;
}

/** node-redis' own cache, counting what it sends to Redis: its load function runs on a miss only. */
class CountingCache extends BasicClientSideCache {
  constructor(
    maxEntries: number,
    private readonly onLoad: () => void,
  ) {
    super({ maxEntries, evictPolicy: 'LRU', recordStats: false });
  }

  override handleCache(...[client, parser, load, transformReply, typeMapping]: Parameters<BasicClientSideCache['handleCache']>): ReturnType<BasicClientSideCache['handleCache']> {
    return super.handleCache(
      client,
      parser,
      () => {
        this.onLoad();
        return load();
      },
      transformReply,
      typeMapping,
    );
  }
}

function openClient(opts: CachedClientOptions, cache: CountingCache) {
  return createClient({
    url: opts.url,
    RESP: 3,
    // CLIENT TRACKING ON (default mode) is part of every handshake, so a connection is tracked before it is ready.
    clientSideCache: cache,
    // As the ioredis store (redis-store.ts): reject at once while disconnected instead of queueing.
    disableOfflineQueue: true,
    // Redis Enterprise maintenance handling would relax the command timeout to 10 s during a maintenance window.
    maintNotifications: 'disabled',
    socket: {
      connectTimeout: 1000,
      // Tears down a connection with nothing read or written for this long: one whose heartbeat PING went
      // unanswered (a stopped or unreachable Redis), or a handshake that hangs. node-redis's default strategy does
      // not reconnect after a socket timeout; this one always reconnects, with the store's capped backoff.
      socketTimeout: Math.max(4 * opts.commandTimeoutMs, 1000),
      keepAlive: true,
      keepAliveInitialDelay: 1000,
      reconnectStrategy: (retries: number) => Math.min(25 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
}

type Client = ReturnType<typeof openClient>;

/** An error reply from a Redis that answered, other than one saying it is not serving yet, is not an outage. */
function isOutage(err: unknown): boolean {
  return !(err instanceof ErrorReply) || NOT_SERVING_REPLIES.has(err.message.split(' ')[0] ?? '');
}

/** A read that Redis did not answer within the command timeout (an outage: 503). */
export class ReadTimeoutError extends Error {
  constructor(ms: number) {
    super(`Redis did not answer a read within ${ms} ms`);
    this.name = 'ReadTimeoutError';
  }
}

/**
 * A node-redis connection with server-assisted client-side caching (RESP3 `CLIENT TRACKING`): a read is answered
 * from process memory when this connection read the key before and Redis has not invalidated it since, else it is
 * sent to Redis (and cached). Redis pushes an invalidation on this connection when any client changes or deletes a
 * tracked key, and when the key expires (but expiry is lazy or sampled, so it can come late: a caller that needs an
 * exact expiry checks it itself).
 *
 * It fails closed. A cached answer is only as good as the invalidation channel, so reads are served only while the
 * connection is known current: ready, and a PING sent at most CACHE_HEARTBEAT_MS + the command timeout ago was
 * answered (replies on a connection come in order, so every invalidation for a write Redis ran before that PING has
 * arrived). Otherwise a read throws StoreUnavailableError (503) without touching the cache. This is what the Redis
 * manual asks of a client cache ("What to do when losing connection with the server": flush the cache when the
 * connection is lost, ping the invalidation channel, and close the connection when pings go unanswered).
 *
 * What node-redis itself does with the cache (redis@5.12.1, packages/client/lib/client/): on every socket error,
 * which includes a connection closed by the peer (socket.ts turns an unexpected `close` into
 * SocketClosedUnexpectedlyError) and a socket timeout, index.ts calls `clientSideCache.onError()`, which for
 * BasicClientSideCache is `clear()`: every entry is dropped before the client reconnects, and the handshake of the
 * new connection turns tracking on again before `ready`. `close()` and `destroy()` call `onClose()`, also `clear()`.
 * But a cache hit is answered in `_executeCommand` before any check of the socket (BasicClientSideCache.handleCache
 * never looks at `isReady`): while the connection still looks open, node-redis would keep serving from memory
 * whatever state Redis is in. A stopped Redis (SIGSTOP), or a network that drops packets, closes nothing; hence the
 * heartbeat and the check above, and the socket timeout that turns an unanswered heartbeat into a reconnect.
 */
export class CachedClient {
  private readonly client: Client;
  private readonly reads: CachedCommands;
  private readonly cache: CountingCache;
  /** Only reads are bounded: the heartbeat's PING must stay outstanding for the socket timeout to fire. */
  private readonly currentForMs: number;
  /** performance.now() when a PING was sent that came back (or the connection became ready): known current then. */
  private confirmedAt = performance.now();
  private pinging = false;
  private closed = false;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly logged = new Map<string, number>();

  private constructor(private readonly opts: CachedClientOptions) {
    this.cache = new CountingCache(opts.maxEntries, opts.onRedisCall);
    this.client = openClient(opts, this.cache);
    const bounded = this.client.withCommandOptions({ timeout: opts.commandTimeoutMs });
    this.reads = { get: (key) => bounded.get(key) };
    this.currentForMs = CACHE_HEARTBEAT_MS + opts.commandTimeoutMs;
    // Without a listener an `error` event would throw; connection errors are logged, rate-limited, and what matters
    // for requests is whether the connection is current.
    this.client.on('error', (err: unknown) => this.noteError(err));
    // A new connection starts with an empty cache (cleared on the error that ended the previous one) and tracking on.
    this.client.on('ready', () => {
      this.confirmedAt = performance.now();
    });
    this.heartbeat = setInterval(() => this.beat(), CACHE_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Connects; a Redis that is down does not stop this from returning (reads fail until it is up). */
  static async open(opts: CachedClientOptions): Promise<CachedClient> {
    const cached = new CachedClient(opts);
    await Promise.race([
      cached.client.connect().then(
        () => undefined,
        () => undefined,
      ),
      new Promise((resolve) => setTimeout(resolve, opts.readyTimeoutMs ?? 2000).unref()),
    ]);
    return cached;
  }

  /** One PING at a time, never bounded: while one is outstanding nothing is written, and the socket timeout can fire. */
  private beat(): void {
    if (this.closed || this.pinging || !this.client.isReady) return;
    this.pinging = true;
    const sentAt = performance.now();
    this.client.ping().then(
      () => {
        this.pinging = false;
        this.confirmedAt = Math.max(this.confirmedAt, sentAt);
      },
      (err: unknown) => {
        this.pinging = false;
        this.noteError(err);
      },
    );
  }

  private isCurrent(now: number): boolean {
    return !this.closed && this.client.isReady && now - this.confirmedAt <= this.currentForMs;
  }

  /**
   * Runs reads through the cache while it is known current; any failure, and a cache not known current, becomes a
   * StoreUnavailableError (503). An error reply is passed to `op` first, so it can treat one as data (WRONGTYPE).
   */
  async read<T>(op: (reads: CachedCommands) => Promise<T>): Promise<T> {
    if (!this.isCurrent(performance.now())) {
      throw new StoreUnavailableError(new Error('the cache connection is not known current (no heartbeat answered lately)'));
    }
    // node-redis applies a command's `timeout` only while the command waits to be written: once written to a Redis
    // that stopped answering (SIGSTOP), it waits for the socket timeout (1 s and more). So the read is bounded here
    // too; a reply that comes later is dropped.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ReadTimeoutError(this.opts.commandTimeoutMs)), this.opts.commandTimeoutMs);
    });
    try {
      return await Promise.race([op(this.reads), timedOut]);
    } catch (err) {
      this.noteError(err);
      throw new StoreUnavailableError(err, isOutage(err));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drops `key` from this process's cache at once (a logout must not wait for Redis's invalidation push). */
  evict(key: string): void {
    this.cache.invalidate(key);
  }

  /** How many entries are held, and whether (and since when not) they are known current. */
  state(): LocalState {
    const now = performance.now();
    const synced = this.isCurrent(now);
    return { entries: this.cache.size(), synced, staleMs: synced ? 0 : Math.round(now - this.confirmedAt) };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    // A connection node-redis is still opening when destroy() runs is not closed by it (it is not the client's
    // socket yet); unref'd, it cannot keep the process alive.
    this.client.unref();
    // destroy(), not close(): close() waits for outstanding replies, which a stopped Redis never sends.
    if (this.client.isOpen) this.client.destroy();
  }

  private noteError(err: unknown): void {
    if (this.closed) return;
    const message = err instanceof Error ? err.message : String(err);
    const kind = err instanceof ErrorReply ? (message.split(' ')[0] ?? message) : message;
    const now = Date.now();
    const last = this.logged.get(kind);
    if (last !== undefined && now - last < ERROR_LOG_INTERVAL_MS) return;
    this.logged.set(kind, now);
    this.opts.warn(`redis (cache connection): ${isOutage(err) ? 'unreachable' : 'error reply'}: ${message}`);
  }
}
