import type { RawServerOptions } from './config.js';

/** The server options as typed on a command line (strings), shared by `serve` and by `run`, which passes them on. */
export interface ServerFlagValues {
  redisUrl?: string;
  redisCluster?: string;
  jwtAlg?: string;
  jwtImpl?: string;
  jwtCache?: string;
  jwtSecret?: string;
  tokenTtl?: string;
  accessTtl?: string;
  users?: string;
  blacklistFailure?: string;
  issuer?: string;
  audience?: string;
  redisTimeout?: string;
  allowEviction?: boolean;
}

/** Flags and environment merged into raw server options; validation happens in resolveServerConfig. */
export function rawServerOptions(flags: ServerFlagValues, env: NodeJS.ProcessEnv): RawServerOptions {
  return {
    // An explicit --redis-cluster wins over REDIS_URL from the environment (but not over --redis-url: both is an error).
    redisUrl: flags.redisUrl ?? (flags.redisCluster === undefined ? env['REDIS_URL'] : undefined),
    redisCluster: flags.redisCluster,
    redisPassword: env['REDIS_PASSWORD'],
    jwtAlg: flags.jwtAlg,
    jwtImpl: flags.jwtImpl,
    jwtCache: flags.jwtCache,
    jwtSecret: flags.jwtSecret ?? env['AUTHBENCH_JWT_SECRET'],
    tokenTtlSec: flags.tokenTtl,
    accessTtlSec: flags.accessTtl,
    users: flags.users,
    blacklistFailure: flags.blacklistFailure,
    issuer: flags.issuer,
    audience: flags.audience,
    redisCommandTimeoutMs: flags.redisTimeout,
    allowEviction: flags.allowEviction,
  };
}

/**
 * The same options as argv for a child `authbench serve` process. The secret is left out on purpose: it
 * goes to the child through its environment (not visible in `ps`, not recorded with the results).
 */
export function serverArgv(flags: ServerFlagValues): string[] {
  const argv: string[] = [];
  const pairs: [string, string | undefined][] = [
    ['--jwt-alg', flags.jwtAlg],
    ['--jwt-impl', flags.jwtImpl],
    ['--jwt-cache', flags.jwtCache],
    ['--token-ttl', flags.tokenTtl],
    ['--access-ttl', flags.accessTtl],
    ['--users', flags.users],
    ['--blacklist-failure', flags.blacklistFailure],
    ['--issuer', flags.issuer],
    ['--audience', flags.audience],
    ['--redis-timeout', flags.redisTimeout],
  ];
  for (const [flag, value] of pairs) if (value !== undefined) argv.push(flag, value);
  if (flags.allowEviction === true) argv.push('--allow-eviction');
  return argv;
}
