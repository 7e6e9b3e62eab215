import { Cluster, Redis } from 'ioredis';
import { LocalCluster } from '../../redis/local-cluster.js';
import { obtainRedis, type RedisHandle } from '../../redis/provider.js';
import type { RunConfig } from './config.js';

/** The Redis of a run as the harness sees it: one Redis, a Redis Cluster, or none (a --target run). */
export interface RunRedis {
  /** For a cluster: the first seed node's URL (its INFO gives the version), owned when authbench started it. */
  readonly redis: RedisHandle;
  /** A plain client for INFO, SCAN and MEMORY USAGE (a cluster client for a cluster); none for --target. */
  readonly inspector: Redis | Cluster | undefined;
  /**
   * What the servers are given: --redis-url URL, or --redis-cluster host:port,... (with --redis-password for a cluster
   * authbench started). startServerProcess moves the URL and the password into the child's environment.
   */
  readonly serverArgs: readonly string[];
  /** The seed nodes, for a cluster. */
  readonly clusterNodes: readonly string[] | undefined;
}

const NONE: RedisHandle = { url: '', source: 'none', owned: false, local: undefined, stop: async () => {} };

function seeds(nodes: readonly string[]): { host: string; port: number }[] {
  return nodes.map((n) => {
    const i = n.lastIndexOf(':');
    return { host: n.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(n.slice(i + 1)) };
  });
}

/**
 * Gets the run's Redis and a connected inspector on it: the single Redis of obtainRedis; or a Redis Cluster, the
 * one given or a LocalCluster authbench starts (`--redis-cluster local`); or nothing, for --target. On failure
 * everything started is stopped again. `clusterPassword` is the password of a cluster given by address (REDIS_PASSWORD).
 */
export async function obtainRunRedis(config: RunConfig, clusterPassword?: string): Promise<RunRedis> {
  if (config.target !== undefined) return { redis: NONE, inspector: undefined, serverArgs: [], clusterNodes: undefined };
  if (config.redisCluster === undefined) {
    const redis = await obtainRedis({ url: config.redisUrl });
    const inspector = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 2000 });
    return connect(redis, inspector, ['--redis-url', redis.url], undefined);
  }
  const local = config.redisCluster === 'local' ? await LocalCluster.start() : undefined;
  const nodes = local?.addresses ?? (config.redisCluster as readonly string[]);
  const first = seeds(nodes)[0] as { host: string; port: number };
  const password = local?.password ?? clusterPassword;
  const redis: RedisHandle = {
    url: `redis://${password === undefined ? '' : `:${password}@`}${first.host.includes(':') ? `[${first.host}]` : first.host}:${first.port}`,
    source: 'cluster',
    owned: local !== undefined,
    local: undefined,
    stop: async () => {
      await local?.stop();
    },
  };
  const inspector = new Cluster(seeds(nodes), { lazyConnect: true, redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 2000, ...(password === undefined ? {} : { password }) } });
  // The password is handed over as a flag here; startServerProcess moves it to the server's environment.
  return connect(redis, inspector, ['--redis-cluster', nodes.join(','), ...(password === undefined ? [] : ['--redis-password', password])], nodes);
}

async function connect(redis: RedisHandle, inspector: Redis | Cluster, serverArgs: string[], clusterNodes: readonly string[] | undefined): Promise<RunRedis> {
  inspector.on('error', () => {});
  try {
    await inspector.connect();
  } catch (err) {
    inspector.disconnect();
    await redis.stop();
    throw err;
  }
  return { redis, inspector, serverArgs, clusterNodes };
}

/** The masters of a cluster client (each with its share of the keys), or the one client of a single Redis. */
export function nodesOf(client: Redis | Cluster): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** FLUSHALL on every master; only ever called on a Redis or cluster authbench started. */
export async function flushAll(client: Redis | Cluster): Promise<void> {
  await Promise.all(nodesOf(client).map((n) => n.flushall()));
}
