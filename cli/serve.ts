import type { FastifyInstance } from 'fastify';
import { AuthbenchError, InvalidOptionError } from '../lib/errors.js';
import { obtainRedis, type RedisHandle } from '../redis/provider.js';
import { buildServer } from '../servers/app.js';
import { resolveServerConfig } from '../servers/config.js';
import { STRATEGY_NAMES, isStrategyName, strategies } from '../servers/strategies/index.js';
import { rawServerOptions, type ServerFlagValues } from './server-options.js';

export interface ServeFlags extends ServerFlagValues {
  port?: string;
  host?: string;
  log?: boolean;
}

export function listenUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * `authbench serve <strategy>`: validate, get a Redis if the design needs one, build, listen, print the one
 * `listening on` line, and close everything (the Redis it started too) on SIGINT / SIGTERM.
 */
export async function serve(name: string, flags: ServeFlags, env: NodeJS.ProcessEnv): Promise<void> {
  if (!isStrategyName(name)) {
    throw new InvalidOptionError(`unknown strategy ${JSON.stringify(name)}; valid strategies: ${STRATEGY_NAMES.join(', ')}`);
  }
  const definition = strategies[name];
  let config = resolveServerConfig({ ...rawServerOptions(flags, env), port: flags.port, host: flags.host });

  let redis: RedisHandle | undefined;
  let app: FastifyInstance | undefined;
  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (closing ??= (async () => {
      await app?.close();
      await redis?.stop();
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
    if (definition.usesStore && config.redisUrl === undefined) {
      redis = await obtainRedis({});
      process.stderr.write(`started Redis (${redis.source}) at ${redis.url}\n`);
      config = resolveServerConfig({ ...config, redisUrl: redis.url });
    }
    app = await buildServer(definition, config, { logger: flags.log === true });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    process.stdout.write(`listening on ${listenUrl(config.host, port)}\n`);
  } catch (err) {
    await shutdown();
    if (err instanceof AuthbenchError) throw err;
    throw new AuthbenchError('ERR_INTERNAL', `could not start ${name}: ${err instanceof Error ? err.message : String(err)}`, 1, { cause: err });
  }
}
