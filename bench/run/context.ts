import type { Cluster, Redis } from 'ioredis';
import type { RedisHandle } from '../../redis/provider.js';
import type { RunResult } from '../result/schema.js';
import type { RunConfig } from './config.js';
import type { Progress } from './progress.js';

/** What the parts of one run share: its options, its Redis, the result being filled in. */
export interface RunContext {
  readonly config: RunConfig;
  readonly io: RunIO;
  readonly redis: RedisHandle;
  /** The URL the servers get: Redis itself, or the latency proxy in front of it (--redis-latency). */
  readonly serverRedisUrl: string;
  /** The latency proxy's URL when there is one (--redis-latency, --redis-proxy): the equal-load cells probe the round trip through it. */
  readonly proxyUrl?: string | undefined;
  /** How the servers are pointed at it: --redis-url serverRedisUrl, or --redis-cluster host:port,...; none for --target. */
  readonly serverRedisArgs: readonly string[];
  readonly result: RunResult;
  /**
   * A plain client on the run's Redis (never through the proxy) for INFO, SCAN and MEMORY USAGE: read-only. A
   * cluster client for a Redis Cluster (bench/run/redis.ts nodesOf gives its masters); none for --target.
   */
  readonly inspector: Redis | Cluster | undefined;
  /** Reports progress for the next cell (counts it). */
  step(label: string): void;
  /** FLUSHALL, only on a Redis authbench started; against a URL nothing is deleted. */
  flushOwnedRedis(): Promise<void>;
}

/** What a run is given from outside: the Ctrl-C signal, progress, the servers' environment, where to checkpoint. */
export interface RunIO {
  readonly signal: AbortSignal;
  readonly progress: Progress;
  /** Environment for the server processes (carries the JWT secret, which never goes into argv or results). */
  readonly serverEnv: NodeJS.ProcessEnv;
  /** Called after every repetition with the result so far, so an interrupted run keeps what it finished. */
  readonly checkpoint: (result: RunResult) => Promise<void>;
}
