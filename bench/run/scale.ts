import { MAX_WORKERS } from '../../servers/process/workers.js';
import { InvalidOptionError } from '../../lib/errors.js';
import { parseNodeList } from '../../redis/cluster-topology.js';
import { designNames, type DesignName } from '../../servers/designs/index.js';

/** The scaling-out options of `run`: worker counts, a Redis Cluster, or a server running elsewhere. */
export interface ScaleConfig {
  /** Worker processes per server (`serve --workers`), each measured in turn; [1] = one process, as always. */
  readonly workers: readonly number[];
  /** `local`: a cluster authbench starts (3 masters + 3 replicas); a list: the seed nodes of a cluster given. */
  readonly redisCluster: 'local' | readonly string[] | undefined;
  /** A server already running under the same contract: no server or Redis is started for it. */
  readonly target: string | undefined;
}

export interface ScaleFlags {
  workers?: string;
  redisCluster?: string;
  target?: string;
  redisUrl?: string;
  redisLatency?: string;
  redisPersistence?: string;
  redisProxy?: boolean;
}

/** `1,2,4`: distinct worker counts in the order given, each an integer from 1 to MAX_WORKERS. */
export function parseWorkerList(value: string | undefined): number[] {
  if (value === undefined) return [1];
  const items = value.split(',').map((s) => s.trim());
  const counts = items.map(Number);
  if (items.some((s) => s === '') || counts.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_WORKERS)) {
    throw new InvalidOptionError(`--workers must be a comma-separated list of integers from 1 to ${MAX_WORKERS} (e.g. 1,2), got ${JSON.stringify(value)}`);
  }
  return [...new Set(counts)];
}

/** A base URL like http://127.0.0.1:3000: http or https, a host, no path, query or credentials. */
export function parseTarget(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidOptionError(`--target must be an http:// URL like http://127.0.0.1:3000, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidOptionError(`--target must be an http:// or https:// URL, got ${JSON.stringify(value)}`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new InvalidOptionError(`--target must be the server's base URL (scheme, host and port only), got ${JSON.stringify(value)}`);
  }
  return url.origin;
}

/** Validates the scaling-out flags and how they combine; throws InvalidOptionError (exit 2) naming the flags. */
export function resolveScaleConfig(flags: ScaleFlags, strategies: { given: string | undefined; resolved: readonly DesignName[] }): ScaleConfig {
  const workers = parseWorkerList(flags.workers);
  let redisCluster: ScaleConfig['redisCluster'];
  if (flags.redisCluster !== undefined) {
    if (flags.redisCluster.trim() === 'local') redisCluster = 'local';
    else {
      const nodes = parseNodeList(flags.redisCluster);
      if (nodes === undefined) throw new InvalidOptionError(`--redis-cluster must be local or host:port,host:port,... (seed nodes of a Redis Cluster), got ${JSON.stringify(flags.redisCluster)}`);
      redisCluster = nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`);
    }
    if (flags.redisUrl !== undefined) throw new InvalidOptionError('use one of --redis-url and --redis-cluster, not both');
    // The proxy sits in front of one Redis; a cluster client learns every node's address from the cluster itself
    // and would go around it.
    if (flags.redisLatency !== undefined || flags.redisProxy === true) throw new InvalidOptionError('--redis-latency (the delaying proxy) works with one Redis, not with --redis-cluster');
    if (flags.redisPersistence !== undefined && flags.redisPersistence !== 'none') throw new InvalidOptionError('--redis-persistence applies to the single Redis authbench starts, not to --redis-cluster');
  }
  let target: string | undefined;
  if (flags.target !== undefined) {
    target = parseTarget(flags.target);
    const only = strategies.resolved.length === 1 && strategies.given !== undefined;
    if (!only) throw new InvalidOptionError(`--target needs --strategies with exactly one name, the design the target runs: one of ${designNames().join(', ')}`);
    const clash = (
      [
        ['--workers', flags.workers],
        ['--redis-cluster', flags.redisCluster],
        ['--redis-url', flags.redisUrl],
        ['--redis-latency', flags.redisLatency],
        ['--redis-persistence', flags.redisPersistence],
      ] as const
    ).filter(([, v]) => v !== undefined);
    if (clash.length > 0) {
      throw new InvalidOptionError(`--target measures a server authbench does not start, with its own Redis: ${clash.map(([f]) => f).join(', ')} cannot apply to it`);
    }
  }
  return { workers, redisCluster, target };
}
