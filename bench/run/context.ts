import type { Cluster, Redis } from 'ioredis';
import type { RedisHandle } from '../../redis/provider.js';
import type { RunResult } from '../result/schema.js';
import type { RunConfig } from './config.js';
import type { RunIO } from './runner.js';

/** What the parts of one run share: its options, its Redis, the result being filled in. */
export interface RunContext {
  readonly config: RunConfig;
  readonly io: RunIO;
  readonly redis: RedisHandle;
  /** The URL the servers get: Redis itself, or the latency proxy in front of it (--redis-latency). */
  readonly serverRedisUrl: string;
  /** How the servers are pointed at it: --redis-url serverRedisUrl, or --redis-cluster host:port,...; none for --target. */
  readonly serverRedisArgs: readonly string[];
  readonly result: RunResult;
  /**
   * A plain client on the run's Redis (never through the proxy) for INFO, SCAN and MEMORY USAGE: read-only. A
   * cluster client for a Redis Cluster (bench/run-redis.ts nodesOf gives its masters); none for --target.
   */
  readonly inspector: Redis | Cluster | undefined;
  /** Reports progress for the next cell (counts it). */
  step(label: string): void;
  /** FLUSHALL, only on a Redis authbench started; against a URL nothing is deleted. */
  flushOwnedRedis(): Promise<void>;
}
