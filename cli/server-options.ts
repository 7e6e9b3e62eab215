import { Option, type Command } from 'commander';
import { FAILURE_POLICIES, JWT_ALGS, JWT_IMPLS } from '../servers/config.js';

/** The server flags shared by `serve` and `run` (which passes them through to every server it starts). */
export function addServerOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--redis-url <url>', 'use this Redis as given (env REDIS_URL); otherwise authbench starts one'))
    .addOption(new Option('--redis-cluster <nodes>', 'the Redis designs use this Redis Cluster (host:port,... seed nodes; ioredis cluster client), or `local`: authbench starts 3 masters + 3 replicas'))
    .addOption(new Option('--jwt-alg <alg>', 'JWT signing algorithm').choices(JWT_ALGS).default('HS256'))
    .addOption(new Option('--jwt-impl <lib>', `JWT library of the JWT designs: ${JWT_IMPLS.join(' | ')} (default ${JWT_IMPLS[0]}, the fastest with every check)`))
    .addOption(new Option('--jwt-cache <n>', "fast-jwt's verification cache, entries (0 = off, the default); a revoked token is still refused"))
    .addOption(new Option('--jwt-secret <text>', 'HS256 key: the UTF-8 bytes of this text, at least 32 (env AUTHBENCH_JWT_SECRET; random when unset)'))
    .addOption(new Option('--token-ttl <seconds>', 'token lifetime in seconds').default('3600'))
    // No commander default (the config's applies): a child server's argv then carries --access-ttl only when given.
    .addOption(new Option('--access-ttl <seconds>', 'jwt-refresh: access token lifetime in seconds (default 300; its refresh tokens live --token-ttl)'))
    .addOption(new Option('--users <n>', 'seeded users user0..user{n-1}').default('1000'))
    .addOption(new Option('--blacklist-failure <policy>', 'jwt-blacklist when Redis fails: closed = 503, open = accept unchecked').choices(FAILURE_POLICIES).default('closed'))
    .addOption(new Option('--issuer <iss>', 'JWT iss claim issued and required').default('authbench'))
    .addOption(new Option('--audience <aud>', 'JWT aud claim issued and required').default('authbench-api'))
    .addOption(new Option('--redis-timeout <ms>', 'bound on each Redis command (then 503)').default('250'))
    .addOption(new Option('--allow-eviction', "start jwt-blacklist even when Redis's maxmemory-policy can evict keys (an evicted entry is a revoked token accepted again); default: refuse"));
}
