import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { FnReturnedObject } from 'tinybench';
import { RedisStore } from '../../servers/store/redis-store.js';
import { failing, type MicroTaskDef } from './task.js';
import { redactUrl } from '../../lib/redact.js';

export const REDIS_COMMANDS = ['GET', 'SETEX', 'DEL', 'EXISTS'] as const;
type RedisCommand = (typeof REDIS_COMMANDS)[number];

/** Keys per pool: more than the commands of one in-flight batch, so a batch never touches a key twice. */
const POOL = 1000;
/**
 * The servers bound each command to 250 ms (--redis-timeout). Here a slow batch on a busy machine should be
 * measured, not turned into an error, so the bound is looser; the client is otherwise configured as the servers'.
 */
const COMMAND_TIMEOUT_MS = 2000;


export const oneAtATime = (cmd: string): string => `${cmd} one at a time`;
export const inFlight = (cmd: string, n: number): string => `${cmd} ${n} in flight`;

/** Every Redis task name, in run order. */
export function redisTaskNames(n: number): string[] {
  return REDIS_COMMANDS.flatMap((cmd) => [oneAtATime(cmd), inFlight(cmd, n)]);
}

export interface RedisTasks {
  readonly tasks: MicroTaskDef[];
  /** Deletes every key the tasks wrote and closes the connection. Never throws. */
  close(): Promise<void>;
}

export interface RedisTaskOptions {
  readonly url: string;
  /** Commands sent together in one in-flight sample. */
  readonly inFlight: number;
  /** SETEX TTL: the servers' token lifetime. */
  readonly ttlSec: number;
  /** The value SETEX writes and GET reads: redis-token's stored user record. */
  readonly record: string;
}

const keys = (prefix: string, n: number): string[] => Array.from({ length: Math.max(POOL, n) }, () => `${prefix}:${randomUUID()}`);

/**
 * The four commands of the Redis designs, on the keys they use: GET token:{uuid} of a stored session, SETEX
 * token:{uuid} (login), DEL token:{uuid} of a key that exists (logout: the key is written before each sample, outside
 * the timing), EXISTS blacklist:{jti} of a key that does not (a token that was not revoked, the common case).
 * Each answer is checked, so a row cannot measure a command that did nothing.
 */
export async function redisTasks(opts: RedisTaskOptions): Promise<RedisTasks> {
  const names = redisTaskNames(opts.inFlight);
  let store: RedisStore | undefined;
  const written: string[] = [];
  const close = async (): Promise<void> => {
    if (store === undefined) return;
    for (let i = 0; i < written.length; i += POOL) {
      await store.client.del(...written.slice(i, i + POOL)).catch(() => undefined);
    }
    await store.close();
  };
  try {
    store = await RedisStore.connect({ url: opts.url, commandTimeoutMs: COMMAND_TIMEOUT_MS });
    const client = store.client;
    // The store starts even when Redis is down (a server must); here that is a setup failure, said plainly.
    if (store.status() !== 'up') throw new Error(`no Redis ready at ${redactUrl(opts.url)} (connection ${client.status})`);
    const n = opts.inFlight;
    const pools = { get: keys('token', n), setex: keys('token', n), del: keys('token', n), exists: keys('blacklist', n) };
    written.push(...pools.get, ...pools.setex, ...pools.del);
    const seed = client.pipeline();
    for (const key of pools.get) seed.setex(key, opts.ttlSec, opts.record);
    const seeded = await seed.exec();
    const failed = seeded?.find(([err]) => err !== null)?.[0];
    if (seeded === null || failed) throw failed ?? new Error('seeding the GET keys failed');
    const tasks = REDIS_COMMANDS.flatMap((cmd) => [serial(client, cmd, pools, opts), concurrent(client, cmd, pools, opts)]);
    return { tasks, close };
  } catch (err) {
    return { tasks: names.map((name) => failing(name, 'redis', err)), close };
  }
}

type Pools = Record<'get' | 'setex' | 'del' | 'exists', string[]>;

/** Runs `cmd` on `key` and throws unless Redis answered as the design expects. */
async function command(client: Redis, cmd: RedisCommand, key: string, opts: RedisTaskOptions): Promise<void> {
  switch (cmd) {
    case 'GET':
      if ((await client.get(key)) === null) throw new Error(`GET ${key}: no value`);
      return;
    case 'SETEX':
      if ((await client.setex(key, opts.ttlSec, opts.record)) !== 'OK') throw new Error(`SETEX ${key}: not OK`);
      return;
    case 'DEL':
      if ((await client.del(key)) !== 1) throw new Error(`DEL ${key}: no key deleted`);
      return;
    case 'EXISTS':
      if ((await client.exists(key)) !== 0) throw new Error(`EXISTS ${key}: found`);
      return;
  }
}

const poolOf = (cmd: RedisCommand, pools: Pools): string[] => pools[cmd === 'GET' ? 'get' : cmd === 'SETEX' ? 'setex' : cmd === 'DEL' ? 'del' : 'exists'];

/** Writes the keys DEL is about to delete, in one round trip, outside the timed call. */
async function rewrite(client: Redis, batch: readonly string[], opts: RedisTaskOptions): Promise<void> {
  const p = client.pipeline();
  for (const key of batch) p.setex(key, opts.ttlSec, opts.record);
  await p.exec();
}

/** One command per sample, awaited: the round trip as one request of a server sees it. */
function serial(client: Redis, cmd: RedisCommand, pools: Pools, opts: RedisTaskOptions): MicroTaskDef {
  const pool = poolOf(cmd, pools);
  let i = 0;
  let key = pool[0] ?? '';
  return {
    name: oneAtATime(cmd),
    group: 'redis',
    opsPerSample: 1,
    fn: () => command(client, cmd, key, opts),
    options: {
      async: true,
      beforeEach: async () => {
        key = pool[i++ % pool.length] ?? '';
        if (cmd === 'DEL') await rewrite(client, [key], opts);
      },
    },
  };
}

/**
 * `opts.inFlight` commands sent at once on the one connection and awaited together; the sample is the batch's
 * time divided by the number of commands, so ops/s is commands per second with that many in flight and the mean is
 * the time per command amortised over the batch, not the latency of one command (that is close to the batch time).
 */
function concurrent(client: Redis, cmd: RedisCommand, pools: Pools, opts: RedisTaskOptions): MicroTaskDef {
  const pool = poolOf(cmd, pools);
  const n = opts.inFlight;
  let start = 0;
  let batch: string[] = [];
  return {
    name: inFlight(cmd, n),
    group: 'redis',
    opsPerSample: n,
    fn: async (): Promise<FnReturnedObject> => {
      const t0 = performance.now();
      await Promise.all(batch.map((key) => command(client, cmd, key, opts)));
      const elapsed = performance.now() - t0;
      return { overriddenDuration: elapsed / n, overriddenIterationCost: elapsed };
    },
    options: {
      async: true,
      beforeEach: async () => {
        batch = Array.from({ length: n }, (_, k) => pool[(start + k) % pool.length] ?? '');
        start = (start + n) % pool.length;
        if (cmd === 'DEL') await rewrite(client, batch, opts);
      },
    },
  };
}
