import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { InvalidOptionError } from '../../lib/errors.js';
import { freePort } from '../../lib/ports.js';
import { portAccepts } from '../../test-support/processes.js';
import { closeOf, faultClient, proxyFor, rawConnect, received, suiteRedis, until } from '../../test-support/proxy-clients.js';
import { startTestRedis } from '../../test-support/redis.js';
import { RedisProxy } from './proxy.js';

/**
 * RedisProxy in pass mode: where it listens and what it refuses, what it forwards and counts, and how a connection
 * on one side ends when the other side ends. Delays are in proxy-delay.test.ts, faults in proxy-faults.test.ts.
 */

describe('RedisProxy: listening, forwarding, stats and connection ends', () => {
  const redis = suiteRedis();

  it('url is redis://127.0.0.1:<port> and that port accepts connections', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    assert.ok(proxy.port > 0);
    assert.equal(proxy.url, `redis://127.0.0.1:${proxy.port}`);
    assert.equal(await portAccepts(proxy.port), true);
  });

  it('refuses to listen on an address that is not loopback', async () => {
    await assert.rejects(RedisProxy.start({ upstreamHost: '127.0.0.1', upstreamPort: redis.server.port, host: '0.0.0.0' }), InvalidOptionError);
  });

  it('rejects a negative or non-finite delay and a non-positive flap period', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    assert.throws(() => proxy.setDelay(-1), InvalidOptionError);
    assert.throws(() => proxy.setBaseDelay(Number.NaN), InvalidOptionError);
    assert.throws(() => proxy.flap(0), InvalidOptionError);
    assert.equal(proxy.mode, 'pass');
    assert.equal(proxy.delayMs, 0);
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

  it("via(url) gives the proxy's address with the upstream URL's password: a client with it is served, one without is refused", async (t) => {
    const own = await startTestRedis();
    t.after(() => own.close());
    const proxy = await proxyFor(t, own.server.port);
    const via = proxy.via(`${own.server.url}/2`);
    assert.equal(via, `redis://:${own.server.password}@127.0.0.1:${proxy.port}/2`);
    const { client } = await faultClient(t, via);
    assert.equal(await client.set('proxy:auth', 'through'), 'OK');
    assert.equal(await own.client.select(2), 'OK');
    assert.equal(await own.client.get('proxy:auth'), 'through', 'the SET reached database 2 of the upstream');
    const raw = await rawConnect(t, proxy.port);
    raw.socket.write('GET proxy:auth\r\n');
    await until('the refusal', () => (raw.text().startsWith('-NOAUTH') ? true : undefined));
  });

  it('stats() counts connections and the bytes forwarded each way', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const raw = await rawConnect(t, proxy.port);
    raw.socket.write('PING\r\n');
    await received(raw, '+PONG\r\n');
    assert.deepEqual(await proxy.stats(), { connectionsAccepted: 1, connectionsOpen: 1, bytesUp: 6, bytesDown: 7, resets: 0, releaseLeadMs: 0, largestLeadMs: 0 });
    raw.socket.end();
    await until('the connection to be counted closed', async () => ((await proxy.stats()).connectionsOpen === 0 ? true : undefined));
  });

  it('when Redis is killed, the client connection through the proxy is closed', async (t) => {
    // Its own redis-server, since this one is killed (without a password, as the suite's: this test writes raw RESP).
    const own = await startTestRedis({ password: false });
    t.after(() => own.close());
    const proxy = await proxyFor(t, own.server.port);
    const raw = await rawConnect(t, proxy.port);
    raw.socket.write('PING\r\n');
    await received(raw, '+PONG\r\n');
    const exited = new Promise((resolve) => own.server.process.once('exit', resolve));
    own.server.process.kill('SIGKILL');
    await exited;
    await raw.closed;
    await until('the connection to be counted closed', async () => ((await proxy.stats()).connectionsOpen === 0 ? true : undefined));
  });

  it('when Redis refuses the connection, the client connection is reset', async (t) => {
    const proxy = await proxyFor(t, await freePort());
    assert.equal(await closeOf(t, proxy.port), 'ECONNRESET');
    assert.equal((await proxy.stats()).connectionsOpen, 0);
  });

  it('when the client closes, its connection to Redis is closed too', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url, { connectionName: 'proxy-test-quitter' });
    const connected = async (): Promise<boolean> => String(await redis.client.client('LIST')).includes('name=proxy-test-quitter');
    assert.equal(await connected(), true);
    await client.quit();
    await until('Redis to drop the connection', async () => ((await connected()) ? undefined : true));
    await until('the proxy to count it closed', async () => ((await proxy.stats()).connectionsOpen === 0 ? true : undefined));
  });

  it('close() destroys open connections, stops listening, and can be called twice', async (t) => {
    const proxy = await RedisProxy.start({ upstreamHost: '127.0.0.1', upstreamPort: redis.server.port });
    t.after(() => proxy.close());
    const raw = await rawConnect(t, proxy.port);
    raw.socket.write('PING\r\n');
    await received(raw, '+PONG\r\n');
    await Promise.all([proxy.close(), proxy.close()]);
    await raw.closed;
    assert.equal(await portAccepts(proxy.port), false, `port ${proxy.port} refuses connections`);
    assert.equal((await proxy.stats()).connectionsOpen, 0);
  });
});
