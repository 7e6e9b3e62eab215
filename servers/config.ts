import { InvalidOptionError } from '../lib/errors.js';
import { parseNodeList } from '../redis/cluster-topology.js';
import { JWT_ALGS, JWT_IMPLS, type JwtAlg, type JwtImpl } from './jwt/algs.js';
import type { SharedJwtKeys } from './jwt/shared-keys.js';

export { JWT_ALGS, JWT_IMPLS, type JwtAlg, type JwtImpl };

export const FAILURE_POLICIES = ['closed', 'open'] as const;
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];

/** Resolved, validated server configuration. Nothing below the CLI reads process.env. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** The port of GET /metrics, always on 127.0.0.1 (0 = any free port): never the API's port. */
  readonly adminPort: number;
  readonly redisUrl: string | undefined;
  /** Seed nodes of a Redis Cluster (--redis-cluster); the Redis designs then use ioredis' cluster client. */
  readonly redisCluster: readonly { readonly host: string; readonly port: number }[] | undefined;
  /**
   * The password of a Redis Cluster's nodes (env REDIS_PASSWORD only: a flag would show in `ps`). A single Redis
   * takes its password in its URL's userinfo (redis://:password@host:port), given through REDIS_URL.
   */
  readonly redisPassword: string | undefined;
  readonly jwtAlg: JwtAlg;
  /** The JWT library of the designs that verify JWTs (--jwt-impl). */
  readonly jwtImpl: JwtImpl;
  /** fast-jwt's verification cache: entries, 0 = off (--jwt-cache). A revoked token is still checked after a hit. */
  readonly jwtCache: number;
  /** HMAC key material for HS256 (UTF-8 bytes of --jwt-secret, or 32 random bytes). */
  readonly jwtSecret: string | undefined;
  /** Set only for the workers of `serve --workers N`: the one key they all sign and verify with. */
  readonly jwtKeys: SharedJwtKeys | undefined;
  readonly tokenTtlSec: number;
  /**
   * Lifetime of the access token of a design that pairs a short-lived JWT with a refresh token (jwt-refresh,
   * --access-ttl); its refresh tokens live tokenTtlSec. The other designs ignore it.
   */
  readonly accessTtlSec: number;
  readonly users: number;
  readonly blacklistFailure: FailurePolicy;
  readonly issuer: string;
  readonly audience: string;
  /** Allowed clock skew when checking exp / iat / nbf. */
  readonly clockToleranceSec: number;
  /** Bound on every Redis command; past it the request is answered 503. */
  readonly redisCommandTimeoutMs: number;
  /**
   * Start jwt-blacklist even when Redis may evict keys (a maxmemory-policy other than noeviction), with a warning
   * (--allow-eviction). An evicted blacklist entry is a revoked token accepted again.
   */
  readonly allowEviction: boolean;
}

/** The one defaults object. CLI flags and env are merged over it, then validated. */
export const serverDefaults: ServerConfig = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  adminPort: 0,
  redisUrl: undefined,
  redisCluster: undefined,
  redisPassword: undefined,
  jwtAlg: 'HS256',
  jwtImpl: JWT_IMPLS[0],
  jwtCache: 0,
  jwtSecret: undefined,
  jwtKeys: undefined,
  tokenTtlSec: 3600,
  accessTtlSec: 300,
  users: 1000,
  blacklistFailure: 'closed',
  issuer: 'authbench',
  audience: 'authbench-api',
  clockToleranceSec: 5,
  redisCommandTimeoutMs: 250,
  allowEviction: false,
});

export const MIN_SECRET_BYTES = 32;

/** Raw input as it arrives from flags or env: strings or numbers, all optional. */
export type RawServerOptions = { [K in Exclude<keyof ServerConfig, 'redisCluster' | 'jwtKeys' | 'allowEviction'>]?: string | number | undefined } & {
  readonly allowEviction?: boolean | undefined;
  /** `host:port,...` as typed, or seeds already parsed (a resolved config passed through again). */
  readonly redisCluster?: string | ServerConfig['redisCluster'];
};

function intOption(name: string, value: string | number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidOptionError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function choice<T extends string>(name: string, value: unknown, valid: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if (typeof value === 'string' && (valid as readonly string[]).includes(value)) return value as T;
  throw new InvalidOptionError(`${name} must be one of ${valid.join(', ')}, got ${JSON.stringify(value)}`);
}

function text(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) throw new InvalidOptionError(`${name} must be a non-empty string`);
  return value;
}

/** Validates raw options at the edge and returns a frozen config; throws InvalidOptionError naming the flag. */
export function resolveServerConfig(raw: RawServerOptions = {}): ServerConfig {
  const d = serverDefaults;
  const jwtSecret = raw.jwtSecret === undefined || raw.jwtSecret === '' ? undefined : String(raw.jwtSecret);
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret, 'utf8') < MIN_SECRET_BYTES) {
    throw new InvalidOptionError(
      `--jwt-secret (or AUTHBENCH_JWT_SECRET) must be at least ${MIN_SECRET_BYTES} bytes of UTF-8, got ${Buffer.byteLength(jwtSecret, 'utf8')}`,
    );
  }
  let redisUrl: string | undefined;
  if (raw.redisUrl !== undefined && raw.redisUrl !== '') {
    redisUrl = String(raw.redisUrl);
    let parsed: URL;
    try {
      parsed = new URL(redisUrl);
    } catch {
      throw new InvalidOptionError(`--redis-url must be a URL like redis://127.0.0.1:6379, got ${JSON.stringify(redisUrl)}`);
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new InvalidOptionError(`--redis-url must start with redis:// or rediss://, got ${JSON.stringify(redisUrl)}`);
    }
  }
  let redisCluster: ServerConfig['redisCluster'];
  if (raw.redisCluster !== undefined && raw.redisCluster !== '') {
    redisCluster = typeof raw.redisCluster === 'string' ? parseNodeList(raw.redisCluster) : raw.redisCluster;
    if (redisCluster === undefined) {
      throw new InvalidOptionError(`--redis-cluster must be host:port,host:port,... (seed nodes of a Redis Cluster), got ${JSON.stringify(raw.redisCluster)}`);
    }
    if (redisUrl !== undefined) throw new InvalidOptionError('use one of --redis-url (or REDIS_URL) and --redis-cluster, not both');
  }
  const port = intOption('--port', raw.port, d.port, 0, 65535);
  const adminPort = intOption('--admin-port', raw.adminPort, d.adminPort, 0, 65535);
  if (adminPort !== 0 && adminPort === port) throw new InvalidOptionError(`--admin-port must differ from --port (GET /metrics is never on the API's port), got ${adminPort} for both`);
  const jwtImpl = choice('--jwt-impl', raw.jwtImpl, JWT_IMPLS, d.jwtImpl);
  const jwtCache = intOption('--jwt-cache', raw.jwtCache, d.jwtCache, 0, 1_000_000);
  if (jwtCache > 0 && jwtImpl !== 'fast-jwt') throw new InvalidOptionError(`--jwt-cache is fast-jwt's verification cache: it needs --jwt-impl fast-jwt, got --jwt-impl ${jwtImpl}`);
  return Object.freeze({
    host: text('--host', raw.host, d.host),
    port,
    adminPort,
    redisUrl,
    redisCluster,
    redisPassword: raw.redisPassword === undefined || raw.redisPassword === '' ? undefined : String(raw.redisPassword),
    jwtAlg: choice('--jwt-alg', raw.jwtAlg, JWT_ALGS, d.jwtAlg),
    jwtImpl,
    jwtCache,
    jwtSecret,
    jwtKeys: undefined,
    tokenTtlSec: intOption('--token-ttl', raw.tokenTtlSec, d.tokenTtlSec, 1, 31 * 24 * 3600),
    accessTtlSec: intOption('--access-ttl', raw.accessTtlSec, d.accessTtlSec, 1, 31 * 24 * 3600),
    users: intOption('--users', raw.users, d.users, 1, 10_000_000),
    blacklistFailure: choice('--blacklist-failure', raw.blacklistFailure, FAILURE_POLICIES, d.blacklistFailure),
    issuer: text('--issuer', raw.issuer, d.issuer),
    audience: text('--audience', raw.audience, d.audience),
    clockToleranceSec: intOption('clock tolerance', raw.clockToleranceSec, d.clockToleranceSec, 0, 300),
    redisCommandTimeoutMs: intOption('--redis-timeout', raw.redisCommandTimeoutMs, d.redisCommandTimeoutMs, 10, 60_000),
    allowEviction: raw.allowEviction ?? d.allowEviction,
  });
}
