import { Redis } from 'ioredis';
import type { LocalCluster } from '../../redis/local-cluster.js';
import type { LocalRedis } from '../../redis/local-server.js';
import type { RedisProxy } from './proxy.js';

/** What a fault acts on: the Redis authbench started (if it did) and the proxy in front of it, or a Redis Cluster. */
export interface FaultTarget {
  /** The Redis process, when authbench started it; replaced by `kill` when it restarts it. */
  redis: LocalRedis | undefined;
  /** The proxy in front of a single Redis; none in front of a cluster (its client would go around it). */
  readonly proxy: RedisProxy | undefined;
  /** The Redis Cluster authbench started, for `kill-master`. */
  readonly cluster?: LocalCluster | undefined;
  /** What `kill-master` saw: which master died and when its replica took over. */
  failover?: FailoverWatch;
  /** Extra reply delay for the `latency` fault. */
  readonly latencyMs: number;
}

/** A failover in progress: `promotedAfterMs` is filled in once a surviving node lists the replica as a master. */
export interface FailoverWatch {
  readonly killed: string;
  readonly replica: string | null;
  promotedAfterMs: number | null;
  /** Settles when the promotion was seen or the watch gave up (FAILOVER_WATCH_MS). */
  readonly settled: Promise<void>;
}

/** How long kill-master waits for the replica's promotion before it restarts the killed node anyway. */
export const FAILOVER_WATCH_MS = 20_000;

export interface FaultMode {
  readonly name: string;
  readonly summary: string;
  /** Kills, stops or flushes the Redis process: only possible on a Redis authbench started. */
  readonly needsOwnedRedis: boolean;
  /** The servers must talk to Redis through the proxy for this fault to reach them. */
  readonly viaProxy: boolean;
  /** Acts on a Redis Cluster authbench started (the other faults act on a single Redis, or the proxy in front of it). */
  readonly needsOwnedCluster?: boolean;
  inject(target: FaultTarget): Promise<void>;
  /** Ends the fault; safe to call when inject() failed or was never called. */
  clear(target: FaultTarget): Promise<void>;
}

function owned(target: FaultTarget): LocalRedis {
  if (target.redis === undefined) throw new Error('this fault needs a Redis that authbench started');
  return target.redis;
}

function proxyOf(target: FaultTarget): RedisProxy {
  if (target.proxy === undefined) throw new Error('this fault needs the proxy in front of a single Redis');
  return target.proxy;
}

function ownedCluster(target: FaultTarget): LocalCluster {
  if (target.cluster === undefined) throw new Error('this fault needs a Redis Cluster that authbench started');
  return target.cluster;
}

/** SIGKILLs a master and watches, in the background, for its replica to be promoted. */
async function killMaster(t: FaultTarget): Promise<void> {
  const cluster = ownedCluster(t);
  const killedAt = performance.now();
  const killed = await cluster.killMaster();
  const watch: FailoverWatch = {
    killed: killed.address,
    replica: killed.replica ?? null,
    promotedAfterMs: null,
    settled: (killed.replica === undefined ? Promise.resolve(undefined) : cluster.waitForPromotion(killed.replica, FAILOVER_WATCH_MS)).then((at) => {
      if (at !== undefined) watch.promotedAfterMs = Math.round(at - killedAt);
    }),
  };
  t.failover = watch;
}

async function flushAll(redis: LocalRedis): Promise<void> {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.flushall();
  } finally {
    client.disconnect();
  }
}

const modes = [
  {
    name: 'kill',
    summary: 'SIGKILL the Redis process, restart it on the same port when the fault ends (data lost unless --redis-persistence aof)',
    needsOwnedRedis: true,
    viaProxy: false,
    inject: async (t) => owned(t).kill(),
    clear: async (t) => {
      const redis = owned(t);
      if (!redis.running) t.redis = await redis.restart();
    },
  },
  {
    name: 'stop',
    summary: 'SIGSTOP the Redis process (connections stay open, nothing answers), SIGCONT when the fault ends',
    needsOwnedRedis: true,
    viaProxy: false,
    inject: async (t) => owned(t).pause(),
    clear: async (t) => owned(t).resume(),
  },
  {
    name: 'latency',
    summary: 'every Redis reply delayed by --fault-latency, through the proxy',
    needsOwnedRedis: false,
    viaProxy: true,
    inject: async (t) => proxyOf(t).setDelay(t.latencyMs),
    clear: async (t) => proxyOf(t).restore(),
  },
  {
    name: 'blackhole',
    summary: 'the proxy holds every connection and forwards nothing; held bytes flow again when the fault ends',
    needsOwnedRedis: false,
    viaProxy: true,
    inject: async (t) => proxyOf(t).blackhole(),
    clear: async (t) => proxyOf(t).restore(),
  },
  {
    name: 'reset',
    summary: 'the proxy resets every connection, and every new one, until the fault ends',
    needsOwnedRedis: false,
    viaProxy: true,
    inject: async (t) => proxyOf(t).reset(),
    clear: async (t) => proxyOf(t).restore(),
  },
  {
    name: 'flap',
    summary: 'Redis unreachable and back every half second (the proxy resets connections, then passes them)',
    needsOwnedRedis: false,
    viaProxy: true,
    inject: async (t) => proxyOf(t).flap(500),
    clear: async (t) => proxyOf(t).restore(),
  },
  {
    name: 'flush',
    summary: 'FLUSHALL on the Redis authbench started: data lost, no downtime',
    needsOwnedRedis: true,
    viaProxy: false,
    inject: async (t) => flushAll(owned(t)),
    clear: async () => {},
  },
  {
    name: 'kill-master',
    summary:
      'SIGKILL one master of the Redis Cluster authbench started (--redis-cluster local); its replica takes over after cluster-node-timeout (1 s) and an election; the killed node is restarted when the fault ends and rejoins as a replica',
    needsOwnedRedis: false,
    viaProxy: false,
    needsOwnedCluster: true,
    inject: killMaster,
    clear: async (t) => {
      // A restart before the promotion would bring the old master back, and no failover would have happened.
      await t.failover?.settled;
      await ownedCluster(t).restartStopped();
    },
  },
] as const satisfies readonly FaultMode[];

export type FaultName = (typeof modes)[number]['name'];
/** The registry of fault modes, in the order they run. */
export const FAULTS: Readonly<Record<FaultName, FaultMode>> = Object.fromEntries(modes.map((m) => [m.name, m])) as Record<FaultName, FaultMode>;
export const FAULT_NAMES = modes.map((m) => m.name) as FaultName[];
/** What `--scenarios outage` runs without --faults. */
export const DEFAULT_FAULTS: readonly FaultName[] = ['kill', 'stop', 'latency', 'flap', 'flush'];
/** What it runs with --redis-cluster (the other faults act on a single Redis). */
export const CLUSTER_FAULTS: readonly FaultName[] = ['kill-master'];

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}
