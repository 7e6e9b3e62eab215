import { Redis } from 'ioredis';
import type { LocalRedis } from '../../redis/local-server.js';
import type { RedisProxy } from './proxy.js';

/** What a fault acts on: the Redis authbench started (if it did) and the proxy in front of it. */
export interface FaultTarget {
  /** The Redis process, when authbench started it; replaced by `kill` when it restarts it. */
  redis: LocalRedis | undefined;
  readonly proxy: RedisProxy;
  /** Extra reply delay for the `latency` fault. */
  readonly latencyMs: number;
}

export interface FaultMode {
  readonly name: string;
  readonly summary: string;
  /** Kills, stops or flushes the Redis process: only possible on a Redis authbench started. */
  readonly needsOwnedRedis: boolean;
  /** The servers must talk to Redis through the proxy for this fault to reach them. */
  readonly viaProxy: boolean;
  inject(target: FaultTarget): Promise<void>;
  /** Ends the fault; safe to call when inject() failed or was never called. */
  clear(target: FaultTarget): Promise<void>;
}

function owned(target: FaultTarget): LocalRedis {
  if (target.redis === undefined) throw new Error('this fault needs a Redis that authbench started');
  return target.redis;
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
    inject: async (t) => t.proxy.setDelay(t.latencyMs),
    clear: async (t) => t.proxy.restore(),
  },
  {
    name: 'blackhole',
    summary: 'the proxy holds every connection and forwards nothing; held bytes flow again when the fault ends',
    needsOwnedRedis: false,
    viaProxy: true,
    inject: async (t) => t.proxy.blackhole(),
    clear: async (t) => t.proxy.restore(),
  },
  {
    name: 'reset',
    summary: 'the proxy resets every connection, and every new one, until the fault ends',
    needsOwnedRedis: false,
    viaProxy: true,
    inject: async (t) => t.proxy.reset(),
    clear: async (t) => t.proxy.restore(),
  },
  {
    name: 'flap',
    summary: 'Redis unreachable and back every half second (the proxy resets connections, then passes them)',
    needsOwnedRedis: false,
    viaProxy: true,
    inject: async (t) => t.proxy.flap(500),
    clear: async (t) => t.proxy.restore(),
  },
  {
    name: 'flush',
    summary: 'FLUSHALL on the Redis authbench started: data lost, no downtime',
    needsOwnedRedis: true,
    viaProxy: false,
    inject: async (t) => flushAll(owned(t)),
    clear: async () => {},
  },
] as const satisfies readonly FaultMode[];

export type FaultName = (typeof modes)[number]['name'];
/** The registry of fault modes, in the order they run. */
export const FAULTS: Readonly<Record<FaultName, FaultMode>> = Object.fromEntries(modes.map((m) => [m.name, m])) as Record<FaultName, FaultMode>;
export const FAULT_NAMES = modes.map((m) => m.name) as FaultName[];
/** What `--scenarios outage` runs without --faults. */
export const DEFAULT_FAULTS: readonly FaultName[] = ['kill', 'stop', 'latency', 'flap', 'flush'];

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}
