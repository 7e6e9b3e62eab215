import { Redis } from 'ioredis';
import { StoreUnavailableError } from '../lib/errors.js';
import type { StoreStatus } from './strategy.js';

export interface RedisStoreOptions {
  readonly url: string;
  /** Bound on each command; past it the command fails and the request gets a 503. */
  readonly commandTimeoutMs: number;
  /** How long to wait for `ready` at start before starting anyway with the store down. */
  readonly readyTimeoutMs?: number;
}

/** Longest pause between reconnect attempts: Redis coming back is noticed within about this long. */
export const MAX_RECONNECT_DELAY_MS = 500;

/**
 * The ioredis client the Redis-backed designs share, configured to fail fast and closed.
 *
 * ioredis defaults suit a cache, not an auth check: with the offline queue on, commands issued while
 * Redis is unreachable wait (up to ~10 s of retries), and with no timeouts a stopped Redis (SIGSTOP) holds
 * them forever. Here every command ends: no offline queue (reject at once while disconnected), a command
 * timeout, a socket timeout that tears down a connection that stopped answering, one attempt per request
 * (retrying would multiply the wait), and a capped reconnect backoff so recovery is automatic and quick.
 */
export class RedisStore {
  readonly client: Redis;
  private failing = false;

  private constructor(client: Redis) {
    this.client = client;
  }

  static async connect(opts: RedisStoreOptions): Promise<RedisStore> {
    const client = new Redis(opts.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: opts.commandTimeoutMs,
      socketTimeout: Math.max(4 * opts.commandTimeoutMs, 1000),
      connectTimeout: 1000,
      keepAlive: 1000,
      enableReadyCheck: true,
      retryStrategy: (times) => Math.min(25 * 2 ** times, MAX_RECONNECT_DELAY_MS),
    });
    // Without a listener ioredis prints every connection error; the store's status carries it instead.
    client.on('error', () => {});
    const store = new RedisStore(client);
    const readyTimeout = opts.readyTimeoutMs ?? 2000;
    // Wait for `ready`, but a Redis that is down at start must not stop the server from starting:
    // it reports store: down and the reconnect loop brings it up when Redis appears.
    await Promise.race([
      client.connect().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, readyTimeout).unref()),
    ]);
    return store;
  }

  /** 'up' when connected and the last command succeeded. Cheap: no Redis call (GET /health is the ceiling). */
  status(): StoreStatus {
    return this.client.status === 'ready' && !this.failing ? 'up' : 'down';
  }

  /** Runs one store operation; any Redis failure becomes a StoreUnavailableError (503). */
  async run<T>(op: (client: Redis) => Promise<T>): Promise<T> {
    try {
      const result = await op(this.client);
      this.failing = false;
      return result;
    } catch (err) {
      this.failing = true;
      throw new StoreUnavailableError(err);
    }
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.client.quit(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
    } catch {
      // quit() rejects when the connection is already gone; disconnect below is what matters.
    }
    this.client.disconnect(false);
  }
}
