import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AuthbenchError, InvalidOptionError } from '../../lib/errors.js';
import { redactUrl } from '../../lib/redact.js';
import { LocalCluster } from '../../redis/local-cluster.js';
import { CONFIG_FILE } from '../../redis/local-server.js';
import { obtainRedis, type RedisHandle } from '../../redis/provider.js';
import { buildServer, listenAdmin, metricsUrlOf } from '../app.js';
import { resolveServerConfig } from '../config.js';
import { parseSharedJwtKeys } from '../jwt/shared-keys.js';
import { designNames, isDesignName, designOf } from '../designs/index.js';
import { MAX_WORKERS, startWorkers, type WorkerGroup } from './workers.js';
import { rawServerOptions, type ServerFlagValues } from '../options.js';

export interface ServeFlags extends ServerFlagValues {
  port?: string;
  host?: string;
  adminPort?: string;
  log?: boolean;
  workers?: string;
}

/** `--workers N`: an integer from 1 to MAX_WORKERS. */
export function parseWorkers(flag: string, value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new InvalidOptionError(`${flag} must be an integer from 1 to ${MAX_WORKERS}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function listenUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * `authbench serve <strategy>`: validate, get a Redis (or a local Redis Cluster) if the design needs one, build,
 * listen — in this process, or in N worker processes sharing the port — print the one `listening on` line once
 * everything listens, and close everything (the Redis it started too) on SIGINT / SIGTERM.
 */
export async function serve(name: string, flags: ServeFlags, env: NodeJS.ProcessEnv): Promise<void> {
  if (!isDesignName(name)) {
    throw new InvalidOptionError(`unknown strategy ${JSON.stringify(name)}; valid strategies: ${designNames().join(', ')}`);
  }
  const definition = designOf(name);
  const workers = parseWorkers('--workers', flags.workers);
  const localCluster = flags.redisCluster === 'local';
  let config = resolveServerConfig({ ...rawServerOptions({ ...flags, ...(localCluster ? { redisCluster: undefined } : {}) }, env), port: flags.port, host: flags.host, adminPort: flags.adminPort });
  if (localCluster && flags.redisUrl !== undefined) throw new InvalidOptionError('use one of --redis-url and --redis-cluster, not both');
  // One key shared by several processes (AUTHBENCH_JWT_KEY): the propagation scenario's instances, or an operator's.
  // Checked before anything starts; set on the config last (resolveServerConfig below would drop it).
  const sharedKey = env['AUTHBENCH_JWT_KEY'];
  const jwtKeys = sharedKey === undefined || sharedKey === '' ? undefined : await parseSharedJwtKeys(sharedKey, config.jwtAlg);

  let redis: RedisHandle | undefined;
  let cluster: LocalCluster | undefined;
  let app: FastifyInstance | undefined;
  let group: WorkerGroup | undefined;
  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (closing ??= (async () => {
      await app?.close();
      await group?.close();
      await redis?.stop();
      await cluster?.stop();
    })());
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`${signal}: closing\n`);
    shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while closing: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    if (definition.usesStore && localCluster) {
      cluster = await LocalCluster.start();
      process.stderr.write(`started a Redis Cluster (3 masters + 3 replicas) at ${cluster.addresses.join(',')}, password in ${join(cluster.dir, '*', CONFIG_FILE)}\n`);
      config = resolveServerConfig({ ...config, redisCluster: cluster.addresses.join(','), redisPassword: cluster.password });
    } else if (definition.usesStore && config.redisUrl === undefined && config.redisCluster === undefined) {
      redis = await obtainRedis({});
      // The password stays out of the log: it is in the server's redis.conf (0600, in a 0700 directory) for its owner.
      process.stderr.write(`started Redis (${redis.source}) at ${redactUrl(redis.url)}${redis.local === undefined ? '' : `, password in ${join(redis.local.dir, CONFIG_FILE)}`}\n`);
      config = resolveServerConfig({ ...config, redisUrl: redis.url });
    }
    if (jwtKeys !== undefined) config = { ...config, jwtKeys };
    let port: number;
    let adminPort: number;
    if (workers > 1) {
      group = await startWorkers(name, config, workers, {
        log: flags.log === true,
        onCrash: (description) => {
          process.stderr.write(`authbench: ${description}; stopping the server (a crashed worker is not restarted)\n`);
          shutdown().finally(() => process.exit(1));
        },
      });
      port = group.port;
      adminPort = group.adminPort;
      process.stderr.write(`${workers} workers (node:cluster) share port ${port}\n`);
    } else {
      app = await buildServer(definition, config, { logger: flags.log === true });
      await app.listen({ port: config.port, host: config.host });
      const address = app.server.address();
      port = typeof address === 'object' && address !== null ? address.port : config.port;
      adminPort = await listenAdmin(app, config.adminPort);
    }
    process.stdout.write(`listening on ${listenUrl(config.host, port)} (metrics: ${metricsUrlOf(adminPort)})\n`);
  } catch (err) {
    await shutdown();
    if (err instanceof AuthbenchError) throw err;
    throw new AuthbenchError('ERR_INTERNAL', `could not start ${name}: ${err instanceof Error ? err.message : String(err)}`, 1, { cause: err });
  }
}
