import { AuthbenchError, ErrorCodes } from '../lib/errors.js';
import { LocalRedis, randomRedisPassword, type Persistence } from './local-server.js';

/** How a run got its Redis: `cluster` is a Redis Cluster (--redis-cluster), `none` a run against --target. */
export type RedisSource = 'url' | 'binary' | 'docker' | 'cluster' | 'none';

/** A Redis that authbench can use, and how to give it back. */
export interface RedisHandle {
  readonly url: string;
  readonly source: RedisSource;
  /** True when authbench started it (and so may kill, stop or flush it). */
  readonly owned: boolean;
  /** The local process, when the source is `binary`. */
  readonly local: LocalRedis | undefined;
  stop(): Promise<void>;
}

export interface ObtainRedisOptions {
  readonly url?: string | undefined;
  readonly persistence?: Persistence;
  /** Try Docker (testcontainers) when no redis-server binary runs. Default true. */
  readonly docker?: boolean;
  readonly binary?: string;
}

export const NO_REDIS_MESSAGE = [
  'authbench needs a Redis server and found none. Any of these works:',
  '  1. pass a URL: --redis-url redis://127.0.0.1:6379 (or set REDIS_URL)',
  '  2. install redis-server on PATH (Debian/Ubuntu: apt-get install redis-server); authbench starts it on a free loopback port',
  '  3. run a Docker engine; authbench starts redis:7-alpine through testcontainers',
].join('\n');

async function startDocker(): Promise<RedisHandle> {
  // Imported lazily: testcontainers is heavy and only needed on this path.
  const { LoopbackRedisContainer } = await import('./docker.js');
  const password = randomRedisPassword();
  const container = await new LoopbackRedisContainer(password).start();
  return {
    url: `redis://:${password}@${container.getHost()}:${container.getMappedPort(6379)}`,
    source: 'docker',
    owned: true,
    local: undefined,
    stop: async () => {
      await container.stop({ timeout: 2000 });
    },
  };
}

/**
 * A Redis, in this order: the URL given (used as is, never flushed); a redis-server from PATH on a free loopback
 * port, persistence off unless asked; a Docker container through testcontainers. Otherwise an ERR_NO_REDIS error
 * whose message names the three ways.
 */
export async function obtainRedis(options: ObtainRedisOptions = {}): Promise<RedisHandle> {
  if (options.url !== undefined) {
    return { url: options.url, source: 'url', owned: false, local: undefined, stop: async () => {} };
  }
  const reasons: string[] = [];
  try {
    const local = await LocalRedis.start({
      ...(options.persistence === undefined ? {} : { persistence: options.persistence }),
      ...(options.binary === undefined ? {} : { binary: options.binary }),
    });
    return { url: local.url, source: 'binary', owned: true, local, stop: () => local.stop() };
  } catch (err) {
    reasons.push(`redis-server: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (options.docker !== false) {
    try {
      return await startDocker();
    } catch (err) {
      reasons.push(`docker: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  throw new AuthbenchError(ErrorCodes.NO_REDIS, `${NO_REDIS_MESSAGE}\n(tried: ${reasons.join('; ')})`, 2);
}
