import { Cluster } from 'ioredis';
import { MAX_RECONNECT_DELAY_MS } from './redis-store.js';

/** A seed node of a Redis Cluster; the client discovers the others (CLUSTER SLOTS). */
export interface ClusterSeed {
  readonly host: string;
  readonly port: number;
}

/**
 * ioredis' cluster client configured with the same fail-fast, fail-closed semantics as the single-Redis client in
 * redis-store.ts: every command ends, as an answer or an error (then 503), within a bound.
 *
 * The cluster client adds retry loops of its own, each bounded here. They matter during a failover: a command for
 * a slot whose master died gets "Connection is closed" (retried after retryDelayOnFailover, with a slots refresh),
 * then CLUSTERDOWN while the cluster marks the master failed (retried after retryDelayOnClusterDown), then MOVED
 * to the promoted replica (followed at once). Every retry counts against maxRedirections, and the command timeout,
 * armed when the command is first written to a node, ends the whole sequence. The store adds a deadline of its own
 * for the one path that arms no timer (a node still connecting, retried before any write).
 */
export function createClusterClient(seeds: readonly ClusterSeed[], commandTimeoutMs: number, password?: string): Cluster {
  return new Cluster(
    seeds.map((s) => ({ host: s.host, port: s.port })),
    {
      lazyConnect: true,
      // As for a single Redis: a command issued while the cluster is not ready fails at once instead of waiting.
      enableOfflineQueue: false,
      // Ready only once CLUSTER INFO says cluster_state is not `fail`.
      enableReadyCheck: true,
      // Reads go to masters only: a replica lags, and a lagging replica could accept a token revoked a moment ago.
      scaleReads: 'master',
      // Bounded retries: 6 attempts at 50 ms intervals fit in a few hundred milliseconds; ioredis defaults to 16 at
      // 100 ms (1.6 s), far past the command timeout.
      maxRedirections: 6,
      retryDelayOnFailover: 50,
      retryDelayOnClusterDown: 50,
      retryDelayOnTryAgain: 50,
      retryDelayOnMoved: 0,
      // CLUSTER SLOTS from a node that stopped answering must not stall the topology refresh (default 1000 ms).
      slotsRefreshTimeout: Math.max(commandTimeoutMs, 200),
      // The topology is also refreshed on every MOVED and failover retry; the interval catches a promotion while
      // idle (default 5000 ms).
      slotsRefreshInterval: 2000,
      // All seeds unreachable: keep trying, with the same capped backoff as the single client (default caps at 2 s).
      clusterRetryStrategy: (times) => Math.min(25 * 2 ** times, MAX_RECONNECT_DELAY_MS),
      // Node connections are never reconnected (the default, null): a lost node is dropped and a new connection is
      // made when the slots say where to go. That also keeps the ioredis#2147 socket-timer bug (see redis-store.ts)
      // away: a closed node connection is never reused.
      redisOptions: {
        ...(password === undefined ? {} : { password }),
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        commandTimeout: commandTimeoutMs,
        socketTimeout: Math.max(4 * commandTimeoutMs, 1000),
        connectTimeout: 1000,
        keepAlive: 1000,
      },
    },
  );
}
