import { Redis } from 'ioredis';
import { LocalRedis, type LocalRedisOptions } from '../redis/local-server.js';

export interface TestRedis {
  readonly server: LocalRedis;
  /** A plain client for inspecting state (not the fail-fast one the servers use). */
  readonly client: Redis;
  close(): Promise<void>;
}

/** A real redis-server on a free loopback port, and a client to look inside it. Call close() in after(). */
export async function startTestRedis(options: LocalRedisOptions = {}): Promise<TestRedis> {
  const server = await LocalRedis.start(options);
  const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  await client.connect();
  return {
    server,
    client,
    close: async () => {
      client.disconnect();
      await server.stop();
    },
  };
}
