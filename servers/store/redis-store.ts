import { Cluster, Redis } from 'ioredis';
import { StoreUnavailableError } from '../../lib/errors.js';

/** What /health says of the store: reachable, failing, or (for a design without one) none. */
export type StoreStatus = 'up' | 'down' | 'none';

export interface RedisStoreOptions {
  readonly url: string;
  /** Bound on each command; past it the command fails and the request gets a 503. */
  readonly commandTimeoutMs: number;
  /** How long to wait for `ready` at start before starting anyway with the store down. */
  readonly readyTimeoutMs?: number;
}

/** A single Redis, or a Redis Cluster through ioredis' cluster client (cluster-client.ts). */
export type StoreClient = Redis | Cluster;

/**
 * The commands the designs use, which a single Redis and a Cluster both answer. Each takes one key, so on a
 * cluster each goes to the one master that holds the key's slot: `token:{uuid}` and `blacklist:{jti}` need no
 * hash tags, since no command spans two keys.
 */
export interface StoreCommands {
  get(key: string): Promise<string | null>;
  exists(key: string): Promise<number>;
  set(key: string, value: string, pxat: 'PXAT', unixTimeMs: number): Promise<'OK'>;
  setex(key: string, seconds: number, value: string): Promise<'OK'>;
  del(key: string): Promise<number>;
  publish(channel: string, message: string): Promise<number>;
}

/** Error replies that mean Redis is not serving for now, as a lost connection does; any other error reply is a refusal. */
export const NOT_SERVING_REPLIES: ReadonlySet<string> = new Set(['LOADING', 'BUSY', 'MASTERDOWN', 'CLUSTERDOWN', 'TRYAGAIN']);

/**
 * Whether a Redis failure is an outage (unreachable, timed out, not serving yet) rather than an error reply from a
 * Redis that answered (NOAUTH, WRONGPASS, NOPERM, OOM, READONLY, WRONGTYPE, ...). ioredis gives a reply its
 * `ReplyError` name, the first word of its message being Redis's error code.
 */
export function isOutage(err: unknown): boolean {
  if (!(err instanceof Error) || err.name !== 'ReplyError') return true;
  return NOT_SERVING_REPLIES.has(err.message.split(' ')[0] ?? '');
}

/** How often the same kind of Redis error is logged at most (the rest are counted into the next line). */
export const ERROR_LOG_INTERVAL_MS = 10_000;

/** Longest pause between reconnect attempts: Redis coming back is noticed within about this long. */
export const MAX_RECONNECT_DELAY_MS = 500;
/** While the store is failing, it is re-checked (one PING) this often, so that `status()` recovers without traffic. */
export const PROBE_INTERVAL_MS = MAX_RECONNECT_DELAY_MS;

/**
 * The ioredis client the Redis-backed designs share, configured to fail fast and closed.
 *
 * ioredis defaults suit a cache, not an auth check: with the offline queue on, commands issued while
 * Redis is unreachable wait (up to ~10 s of retries), and with no timeouts a stopped Redis (SIGSTOP) holds
 * them forever. Here every command ends: no offline queue (reject at once while disconnected), a command
 * timeout, a socket timeout that tears down a connection that stopped answering, one attempt per request
 * (retrying would multiply the wait), and a capped reconnect backoff so recovery is automatic and quick.
 * The same holds for a Redis Cluster (cluster-client.ts says how).
 */
export class RedisStore<C extends StoreClient = Redis> {
  readonly client: C;
  private failing = false;
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** The last connection error or error reply, for a refusal to start that says why. */
  lastError: string | undefined;
  /** Where Redis errors are logged, at most one line per kind per ERROR_LOG_INTERVAL_MS (set by the app). */
  onError: ((line: string) => void) | undefined;
  private readonly logged = new Map<string, { at: number; suppressed: number }>();

  private constructor(
    client: C,
    /** A bound on each store operation as a whole, on top of the client's own (cluster only, see open()). */
    private readonly deadlineMs: number | undefined,
  ) {
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
    // Works around an ioredis bug (redis/ioredis#2147, fixed upstream by #2148, not in the installed 5.11.1): the
    // socketTimeout timer is kept on the client, is not cleared when its connection closes, and when it fires it
    // destroys `client.stream`, which by then is the NEW connection. Seen here after SIGCONT and after SIGKILL plus a
    // restart within a second: the fresh, healthy connection was torn down up to 1 s after recovery, a second burst
    // of 503s (servers/faults/stop.test.ts, "stays recovered", and kill.test.ts, "answers no 503 after the first
    // reply"). Clearing the timer on close is what the upstream fix does; the next command on the new connection
    // arms its own. If ioredis renames the field this is a no-op.
    client.on('close', () => {
      const internals = client as unknown as { socketTimeoutTimer?: ReturnType<typeof setTimeout> };
      clearTimeout(internals.socketTimeoutTimer);
      internals.socketTimeoutTimer = undefined;
    });
    return RedisStore.open(client, opts.readyTimeoutMs);
  }

  /**
   * Wraps a client that was created with lazyConnect (a single Redis above, or createClusterClient), waits for it to
   * be ready, and returns the store. A cluster also gets a deadline on each operation of twice the command timeout:
   * the cluster client retries a node that is still connecting before writing anything to it, and no command
   * timeout is armed on that path (bounded by maxRedirections, but the deadline makes "every request ends" hold
   * whatever ioredis does).
   */
  static async open<C extends StoreClient>(client: C, readyTimeoutMs = 2000, deadlineMs?: number): Promise<RedisStore<C>> {
    // Without a listener ioredis prints every connection error; the store's status carries it instead.
    const store = new RedisStore(client, deadlineMs);
    client.on('error', (err: Error) => store.noteError(err));
    // A connection that passed the ready check (INFO answered) is Redis answering again: without this, `failing`
    // was only cleared by a successful request, so with no traffic GET /health said "down" for good after Redis
    // came back (measured: still "down" 3 s after SIGCONT, and 5 s after Redis appeared for a server started
    // without it), and a load balancer that stops sending traffic on "down" would never put the server back.
    client.on('ready', () => {
      store.failing = false;
    });
    // Wait for `ready`, but a Redis that is down at start must not stop the server from starting:
    // it reports store: down and the reconnect loop brings it up when Redis appears.
    await Promise.race([
      client.connect().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, readyTimeoutMs).unref()),
    ]);
    return store;
  }

  /**
   * The maxmemory-policy of every node that holds keys: the one Redis, or every master of a cluster. A node that
   * cannot be asked (down, or CONFIG refused by an ACL, as managed services do) gives the error instead.
   */
  async evictionPolicies(): Promise<{ node: string; policy?: string; error?: string }[]> {
    const nodes: Redis[] = this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
    return Promise.all(
      nodes.map(async (node) => {
        const name = `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
        try {
          const reply = (await withDeadline(node.config('GET', 'maxmemory-policy'), 2000)) as unknown as string[];
          const policy = reply[1];
          return policy === undefined ? { node: name, error: 'CONFIG GET maxmemory-policy gave no value' } : { node: name, policy };
        } catch (err) {
          return { node: name, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
  }

  /** 'up' when connected and the last command succeeded. Cheap: no Redis call (GET /health is the ceiling). */
  status(): StoreStatus {
    return this.client.status === 'ready' && !this.failing ? 'up' : 'down';
  }

  /** Runs one store operation; any Redis failure becomes a StoreUnavailableError (503). */
  async run<T>(op: (client: StoreCommands) => Promise<T>): Promise<T> {
    try {
      const result = this.deadlineMs === undefined ? await op(this.client) : await withDeadline(op(this.client), this.deadlineMs);
      this.failing = false;
      return result;
    } catch (err) {
      this.markFailing();
      this.noteError(err);
      throw new StoreUnavailableError(err, isOutage(err));
    }
  }

  /** Remembers `err` and logs it, rate-limited per kind (its Redis error code, or its message). */
  private noteError(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.lastError = message;
    if (this.onError === undefined) return;
    const kind = err instanceof Error && err.name === 'ReplyError' ? (message.split(' ')[0] ?? message) : message;
    const now = Date.now();
    const seen = this.logged.get(kind);
    if (seen !== undefined && now - seen.at < ERROR_LOG_INTERVAL_MS) {
      seen.suppressed++;
      return;
    }
    const more = seen !== undefined && seen.suppressed > 0 ? ` (and ${seen.suppressed} more like it in the last ${Math.round((now - seen.at) / 1000)} s)` : '';
    this.logged.set(kind, { at: now, suppressed: 0 });
    this.onError(`redis: ${isOutage(err) ? 'unreachable' : 'error reply'}: ${message}${more}`);
  }

  /**
   * Records a failure and, until a PING succeeds, re-checks every PROBE_INTERVAL_MS. The `ready` listener above
   * only covers a reconnect; a stall shorter than the socket timeout (commands timed out, the connection survived)
   * has no `ready` event, and /health stayed "down" with no traffic. The probe is one PING per interval and only
   * while failing; it is bounded by the command timeout like any command and does not keep the process alive.
   */
  private markFailing(): void {
    this.failing = true;
    if (this.probeTimer !== undefined || this.closed) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      this.client.ping().then(
        () => {
          this.failing = false;
        },
        () => this.markFailing(),
      );
    }, PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    try {
      await Promise.race([this.client.quit(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
    } catch {
      // quit() rejects when the connection is already gone; disconnect below is what matters.
    }
    this.client.disconnect(false);
  }
}

/** Rejects with "Command timed out" (the ioredis message) when `work` has not settled within `ms`. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Command timed out')), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
