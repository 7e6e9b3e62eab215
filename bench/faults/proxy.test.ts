import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Redis, type RedisOptions } from 'ioredis';
import { InvalidOptionError } from '../../lib/errors.js';
import { freePort } from '../../lib/ports.js';
import { portAccepts } from '../../test-support/processes.js';
import { startTestRedis, type TestRedis } from '../../test-support/redis.js';
import { RedisProxy } from './proxy.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something other than undefined; throws after `timeoutMs` (a test bound, not a timing claim). */
async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** A proxy in front of `redis`, closed when the test ends. */
async function proxyFor(t: TestContext, port: number): Promise<RedisProxy> {
  const proxy = await RedisProxy.start({ upstreamHost: '127.0.0.1', upstreamPort: port });
  t.after(() => proxy.close());
  return proxy;
}

/**
 * A client as the auth servers configure it for faults: no offline queue, no retries, a 300 ms command timeout,
 * errors swallowed (recorded in `errors`), and quick reconnects. Disconnected when the test ends.
 */
async function faultClient(t: TestContext, url: string, extra: RedisOptions = {}): Promise<{ client: Redis; errors: NodeJS.ErrnoException[] }> {
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

interface RawConn {
  readonly socket: Socket;
  /** Everything received so far. */
  text(): string;
  /** Resolves when the socket has closed, with the code of the error it saw (undefined for a clean close). */
  readonly closed: Promise<string | undefined>;
}

/** A plain TCP connection to 127.0.0.1:port (to see exactly what the proxy does), destroyed when the test ends. */
function rawConnect(t: TestContext, port: number): Promise<RawConn> {
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

/**
 * Connects to 127.0.0.1:port and resolves once that socket has closed, with the code of the error it saw. On
 * loopback an immediate reset can arrive before the connect completes (then it is the connect that fails).
 */
function closeOf(t: TestContext, port: number): Promise<string | undefined> {
  const socket = connect({ host: '127.0.0.1', port });
  t.after(() => socket.destroy());
  let code: string | undefined;
  socket.on('error', (err: NodeJS.ErrnoException) => (code ??= err.code ?? err.message));
  return new Promise((resolve) => socket.once('close', () => resolve(code)));
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await f();
  return { value, ms: performance.now() - start };
}

/**
 * Resolves once a PING through `client` succeeds. Polling `status` is not enough: a reset the proxy sent a moment
 * ago may not have reached the client yet, which then still says 'ready'.
 */
const pingsAgain = (client: Redis): Promise<true> =>
  waitFor('a PING to succeed again', () => client.ping().then(() => true as const, () => undefined));

/** Node's live handles of the kinds a leaked connection, listener or redis-server would show up as. */
const netResources = (): string[] => process.getActiveResourcesInfo().filter((r) => /TCP|Process/.test(r));

describe('RedisProxy', () => {
  let redis: TestRedis;
  const before0 = netResources();

  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.close();
    // Every test closes what it opened: once the shared Redis is gone, no socket, listener or process is left.
    const left = await waitFor('sockets to close', () => (netResources().length <= before0.length ? [] : undefined), 3000).catch(() => netResources());
    assert.deepEqual(left, [], 'no TCP handle or child process left behind');
  });

  it('url is redis://127.0.0.1:<port> and that port accepts connections', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    assert.ok(proxy.port > 0);
    assert.equal(proxy.url, `redis://127.0.0.1:${proxy.port}`);
    assert.equal(await portAccepts(proxy.port), true);
  });

  it('refuses to listen on an address that is not loopback', async () => {
    await assert.rejects(RedisProxy.start({ upstreamHost: '127.0.0.1', upstreamPort: redis.server.port, host: '0.0.0.0' }), InvalidOptionError);
  });

  it('accepts an upstream host as URL.hostname gives it for IPv6 ([::1])', async (t) => {
    // redis-server here listens on 127.0.0.1 only, so the upstream is a one-line stand-in on ::1.
    const upstream = createServer((s) => s.end('+OK\r\n'));
    await new Promise<void>((resolve) => upstream.listen(0, '::1', resolve));
    t.after(() => new Promise<void>((resolve) => upstream.close(() => resolve())));
    const address = upstream.address();
    assert.ok(typeof address === 'object' && address !== null);
    const proxy = await RedisProxy.start({ upstreamHost: new URL(`redis://[::1]:${address.port}`).hostname, upstreamPort: address.port });
    t.after(() => proxy.close());
    const raw = await rawConnect(t, proxy.port);
    assert.equal(await raw.closed, undefined, 'a clean close, not a reset');
    assert.equal(raw.text(), '+OK\r\n');
  });

  it('in pass mode forwards SET and GET both ways', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url);
    assert.equal(await client.set('proxy:pass', 'through'), 'OK');
    assert.equal(await redis.client.get('proxy:pass'), 'through', 'the SET reached Redis');
    assert.equal(await client.get('proxy:pass'), 'through');
  });

  it('stats() counts connections and the bytes forwarded each way', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const raw = await rawConnect(t, proxy.port);
    raw.socket.write('PING\r\n');
    await waitFor('+PONG', () => (raw.text() === '+PONG\r\n' ? true : undefined));
    assert.deepEqual(proxy.stats(), { connectionsAccepted: 1, connectionsOpen: 1, bytesUp: 6, bytesDown: 7, resets: 0 });
    raw.socket.end();
    await waitFor('the connection to be counted closed', () => (proxy.stats().connectionsOpen === 0 ? true : undefined));
  });

  it('setDelay(50) holds every reply at least 50 ms', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url, { commandTimeout: 5000 });
    proxy.setDelay(50);
    for (let i = 0; i < 3; i++) {
      const { ms } = await timed(() => client.get('proxy:delay'));
      assert.ok(ms >= 50, `round trip ${i} took ${ms.toFixed(2)} ms`);
    }
  });

  it('with a delay, 100 pipelined replies of mixed sizes arrive whole and in order', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url, { commandTimeout: 5000 });
    proxy.setDelay(20);
    // Up to ~30 KB each, so that replies span and share TCP chunks.
    const values = Array.from({ length: 100 }, (_, i) => `v${i}:${'x'.repeat(i * 300)}`);
    const pipeline = client.pipeline();
    for (const v of values) pipeline.echo(v);
    const results = await pipeline.exec();
    assert.deepEqual(results?.map(([err, value]) => err ?? value), values);
  });

  it('lowering the delay never lets a later reply overtake an earlier one', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url, { commandTimeout: 5000 });
    proxy.setDelay(150);
    const sentAt = performance.now();
    const slow = Array.from({ length: 20 }, (_, i) => client.echo(`slow${i}`));
    await sleep(20); // the slow replies are now queued in the proxy
    proxy.setDelay(0);
    const fast = Array.from({ length: 20 }, (_, i) => client.echo(`fast${i}`).then((v) => ({ v, at: performance.now() })));
    assert.deepEqual(await Promise.all(slow), slow.map((_, i) => `slow${i}`));
    const fastReplies = await Promise.all(fast);
    assert.deepEqual(fastReplies.map((r) => r.v), fast.map((_, i) => `fast${i}`));
    const firstFast = Math.min(...fastReplies.map((r) => r.at)) - sentAt;
    assert.ok(firstFast >= 150, `the first undelayed reply waited behind the delayed ones (${firstFast.toFixed(1)} ms)`);
  });

  it('setBaseDelay stays in force through restore(), and setDelay adds on top of it', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url, { commandTimeout: 5000 });
    proxy.setBaseDelay(30);
    assert.ok((await timed(() => client.ping())).ms >= 30, 'base delay applies');
    proxy.setDelay(40);
    assert.equal(proxy.delayMs, 70);
    const during = await timed(() => client.ping());
    assert.ok(during.ms >= 70, `base + extra: ${during.ms.toFixed(1)} ms`);
    proxy.restore();
    assert.equal(proxy.delayMs, 30);
    assert.equal(proxy.mode, 'pass');
    assert.ok((await timed(() => client.ping())).ms >= 30, 'base delay still applies after restore()');
  });

  it('rejects a negative or non-finite delay and a non-positive flap period', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    assert.throws(() => proxy.setDelay(-1), InvalidOptionError);
    assert.throws(() => proxy.setBaseDelay(Number.NaN), InvalidOptionError);
    assert.throws(() => proxy.flap(0), InvalidOptionError);
    assert.equal(proxy.mode, 'pass');
    assert.equal(proxy.delayMs, 0);
  });

  it('blackhole makes a command time out, and after restore() the same connection answers', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url);
    await client.set('proxy:bh', 'before');
    proxy.blackhole();
    await assert.rejects(client.get('proxy:bh'), /timed out/i);
    proxy.restore();
    assert.equal(await client.get('proxy:bh'), 'before');
    assert.equal(proxy.stats().connectionsAccepted, 1, 'no reconnect was needed');
  });

  it('blackhole keeps the bytes sent into it and delivers them after restore(), like a healed partition', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url);
    await client.ping();
    proxy.blackhole();
    await assert.rejects(client.set('proxy:held', 'late'), /timed out/i);
    assert.equal(await redis.client.get('proxy:held'), null, 'nothing reached Redis during the blackhole');
    proxy.restore();
    assert.equal(await waitFor('the held SET to reach Redis', async () => (await redis.client.get('proxy:held')) ?? undefined), 'late');
  });

  it('a connection opened during a blackhole is accepted and held until restore()', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    proxy.blackhole();
    const raw = await rawConnect(t, proxy.port);
    raw.socket.write('PING\r\n');
    await sleep(200);
    assert.equal(raw.text(), '', 'no reply while held');
    assert.equal(proxy.stats().connectionsOpen, 1);
    proxy.restore();
    await waitFor('+PONG after restore()', () => (raw.text() === '+PONG\r\n' ? true : undefined));
  });

  it('reset() resets the open connection: the client sees ECONNRESET, and reconnects after restore()', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client, errors } = await faultClient(t, proxy.url);
    await client.ping();
    proxy.reset();
    await waitFor('an ECONNRESET on the client', () => (errors.some((e) => e.code === 'ECONNRESET') ? true : undefined));
    await assert.rejects(client.ping());
    assert.ok(proxy.stats().resets >= 1);
    proxy.restore();
    await pingsAgain(client);
  });

  it('in reset mode a new connection is reset at once', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    proxy.reset();
    assert.equal(await closeOf(t, proxy.port), 'ECONNRESET');
    assert.equal(proxy.stats().resets, 1);
    assert.equal(proxy.stats().connectionsOpen, 0);
  });

  it('flap alternates failures and successes until restore()', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url);
    proxy.flap(200);
    const outcomes: boolean[] = [];
    const end = performance.now() + 2000;
    while (performance.now() < end) {
      outcomes.push(await client.ping().then(() => true, () => false));
      await sleep(20);
    }
    const runs = outcomes.filter((ok, i) => i === 0 || ok !== outcomes[i - 1]);
    t.diagnostic(`${outcomes.length} pings, ${outcomes.filter(Boolean).length} ok, ${runs.length} runs: ${runs.map((ok) => (ok ? 'up' : 'down')).join(' ')}`);
    assert.equal(runs[0], false, 'flap starts with the link down');
    assert.ok(runs.length >= 4, 'at least two down and two up phases were seen');
    proxy.restore();
    assert.equal(proxy.mode, 'pass');
    await pingsAgain(client);
  });

  it('under load, resets, blackholes, delays and flapping raise no unhandled error and end with working clients', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const clients = await Promise.all(Array.from({ length: 4 }, () => faultClient(t, proxy.url)));
    // Raw writers too: they keep writing into sockets that are being reset (EPIPE, ECONNRESET on both sides).
    const raws = await Promise.all(Array.from({ length: 2 }, () => rawConnect(t, proxy.port)));
    let running = true;
    const load = clients.map(async ({ client }) => {
      while (running) {
        await Promise.allSettled(Array.from({ length: 20 }, (_, i) => client.set(`proxy:load:${i}`, 'x'.repeat(500)).then(() => client.get(`proxy:load:${i}`))));
        await sleep(1);
      }
    });
    const rawLoad = (async () => {
      while (running) {
        for (const r of raws) if (!r.socket.destroyed) r.socket.write(`ECHO ${'y'.repeat(4000)}\r\n`);
        await sleep(2);
      }
    })();
    const faults = [() => proxy.reset(), () => proxy.restore(), () => proxy.blackhole(), () => proxy.setDelay(1), () => proxy.flap(30), () => proxy.restore()];
    for (let i = 0; i < 30; i++) {
      faults[i % faults.length]?.();
      await sleep(50);
    }
    proxy.restore();
    running = false;
    await Promise.all([...load, rawLoad]);
    assert.ok(proxy.stats().resets > 0);
    for (const { client } of clients) await pingsAgain(client);
  });

  it('when Redis is killed, the client connection through the proxy is closed', async (t) => {
    const own = await startTestRedis();
    t.after(() => own.close());
    const proxy = await proxyFor(t, own.server.port);
    const raw = await rawConnect(t, proxy.port);
    raw.socket.write('PING\r\n');
    await waitFor('+PONG', () => (raw.text() === '+PONG\r\n' ? true : undefined));
    const exited = new Promise((resolve) => own.server.process.once('exit', resolve));
    own.server.process.kill('SIGKILL');
    await exited;
    await raw.closed;
    await waitFor('the connection to be counted closed', () => (proxy.stats().connectionsOpen === 0 ? true : undefined));
  });

  it('when Redis refuses the connection, the client connection is reset', async (t) => {
    const proxy = await proxyFor(t, await freePort());
    assert.equal(await closeOf(t, proxy.port), 'ECONNRESET');
    assert.equal(proxy.stats().connectionsOpen, 0);
  });

  it('when the client closes, its connection to Redis is closed too', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url, { connectionName: 'proxy-test-quitter' });
    const connected = async (): Promise<boolean> => String(await redis.client.client('LIST')).includes('name=proxy-test-quitter');
    assert.equal(await connected(), true);
    await client.quit();
    await waitFor('Redis to drop the connection', async () => ((await connected()) ? undefined : true));
    await waitFor('the proxy to count it closed', () => (proxy.stats().connectionsOpen === 0 ? true : undefined));
  });

  it('close() destroys open connections, stops listening, and can be called twice', async (t) => {
    const proxy = await RedisProxy.start({ upstreamHost: '127.0.0.1', upstreamPort: redis.server.port });
    t.after(() => proxy.close());
    const raw = await rawConnect(t, proxy.port);
    raw.socket.write('PING\r\n');
    await waitFor('+PONG', () => (raw.text() === '+PONG\r\n' ? true : undefined));
    await Promise.all([proxy.close(), proxy.close()]);
    await raw.closed;
    assert.equal(await portAccepts(proxy.port), false, `port ${proxy.port} refuses connections`);
    assert.equal(proxy.stats().connectionsOpen, 0);
  });
});
