/**
 * What the RedisProxy tests (bench/faults/proxy*.test.ts) put on either side of a proxy: the proxy itself, ioredis
 * clients configured as the auth servers configure theirs, and plain TCP connections that show exactly what the
 * proxy does. Each is closed when its test ends, and a suite can check that nothing was left open.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, before, type TestContext } from 'node:test';
import { Redis, type RedisOptions } from 'ioredis';
import { RedisProxy } from '../bench/faults/proxy.js';
import { waitFor } from './faults.js';
import { startTestRedis, type TestRedis } from './redis.js';

/** waitFor, polling every 10 ms: what the proxy tests wait for happens on loopback within a millisecond or so. */
export const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> => waitFor(what, probe, timeoutMs, 10);

/** A proxy in front of 127.0.0.1:port, closed when the test ends. */
export async function proxyFor(t: TestContext, port: number): Promise<RedisProxy> {
  const proxy = await RedisProxy.start({ upstreamHost: '127.0.0.1', upstreamPort: port });
  t.after(() => proxy.close());
  return proxy;
}

/**
 * A client as the auth servers configure it for faults: no offline queue, no retries, a 300 ms command timeout,
 * errors swallowed (recorded in `errors`), and quick reconnects. Disconnected when the test ends.
 */
export async function faultClient(t: TestContext, url: string, extra: RedisOptions = {}): Promise<{ client: Redis; errors: NodeJS.ErrnoException[] }> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 300,
    retryStrategy: () => 10,
    ...extra,
  });
  const errors: NodeJS.ErrnoException[] = [];
  client.on('error', (err: NodeJS.ErrnoException) => errors.push(err));
  t.after(() => client.disconnect());
  await client.connect();
  return { client, errors };
}

export interface RawConn {
  readonly socket: Socket;
  /** Everything received so far. */
  text(): string;
  /** Resolves when the socket has closed, with the code of the error it saw (undefined for a clean close). */
  readonly closed: Promise<string | undefined>;
}

/** A plain TCP connection to 127.0.0.1:port (to see exactly what the proxy does), destroyed when the test ends. */
export function rawConnect(t: TestContext, port: number): Promise<RawConn> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    t.after(() => socket.destroy());
    let text = '';
    let code: string | undefined;
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) => (code ??= err.code ?? err.message));
    const closed = new Promise<string | undefined>((r) => socket.once('close', () => r(code)));
    socket.once('connect', () => resolve({ socket, text: () => text, closed }));
    socket.once('close', () => reject(new Error(`closed before connecting (${code})`)));
  });
}

/** Resolves once `raw` has received exactly `text` (a reply to what the test wrote). */
export const received = (raw: RawConn, text: string): Promise<true> => until(JSON.stringify(text), () => (raw.text() === text ? true : undefined));

/**
 * Connects to 127.0.0.1:port and resolves once that socket has closed, with the code of the error it saw. On
 * loopback an immediate reset can arrive before the connect completes (then it is the connect that fails).
 */
export function closeOf(t: TestContext, port: number): Promise<string | undefined> {
  const socket = connect({ host: '127.0.0.1', port });
  t.after(() => socket.destroy());
  let code: string | undefined;
  socket.on('error', (err: NodeJS.ErrnoException) => (code ??= err.code ?? err.message));
  return new Promise((resolve) => socket.once('close', () => resolve(code)));
}

export async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await f();
  return { value, ms: performance.now() - start };
}

/**
 * Resolves once a PING through `client` succeeds. Polling `status` is not enough: a reset the proxy sent a moment
 * ago may not have reached the client yet, which then still says 'ready'.
 */
export const pingsAgain = (client: Redis): Promise<true> =>
  until('a PING to succeed again', () => client.ping().then(() => true as const, () => undefined));

/** Node's live handles of the kinds a leaked connection, listener or redis-server would show up as. */
export const netResources = (): string[] => process.getActiveResourcesInfo().filter((r) => /TCP|Process/.test(r));

/**
 * For a suite's after(), once its own Redis is closed: every test closed what it opened, so no socket, listener or
 * process is left beyond those there were before the suite (`before`, from netResources()). Waits up to 3 s for
 * sockets to finish closing.
 */
export async function assertNothingLeft(before: readonly string[]): Promise<void> {
  const left = await until('sockets to close', () => (netResources().length <= before.length ? [] : undefined), 3000).catch(() => netResources());
  assert.deepEqual(left, [], 'no TCP handle or child process left behind');
}

/**
 * The Redis of a suite of proxy tests: started before its first test, closed after its last, and then nothing the
 * suite opened may be left (assertNothingLeft). Call it in the describe() body; read it in the tests.
 */
export function suiteRedis(): TestRedis {
  let redis: TestRedis | undefined;
  const handlesBefore = netResources();
  before(async () => {
    // No password: these tests write raw RESP through the proxy, which forwards bytes whatever they say (a client's
    // AUTH through the proxy is tested in proxy.test.ts).
    redis = await startTestRedis({ password: false });
  });
  after(async () => {
    await redis?.close();
    await assertNothingLeft(handlesBefore);
  });
  const current = (): TestRedis => {
    if (redis === undefined) throw new Error('the suite Redis is read before the suite started');
    return redis;
  };
  return {
    get server() {
      return current().server;
    },
    get client() {
      return current().client;
    },
    close: () => current().close(),
  };
}
