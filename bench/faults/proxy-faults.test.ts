import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { sleep } from '../../test-support/faults.js';
import { closeOf, faultClient, pingsAgain, proxyFor, rawConnect, received, suiteRedis, until } from '../../test-support/proxy-clients.js';

/**
 * RedisProxy's network faults: a blackhole (a partition that holds bytes and heals), reset (RST on open and new
 * connections), flap (down and up in turn), all of them at once under load, and restore() ending each one.
 */

/** Enough alternations of a flapping link to count as "alternates": a down and an up phase, twice. */
const FLAP_RUNS = 4;

// The tests run together: each has its own proxy, clients and keys, and most of their time is spent waiting on timers.
describe('RedisProxy: blackhole, reset and flap', { concurrency: true }, () => {
  const redis = suiteRedis();

  it('blackhole makes a command time out, and after restore() the same connection answers', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url);
    await client.set('proxy:bh', 'before');
    await proxy.blackhole();
    await assert.rejects(client.get('proxy:bh'), /timed out/i);
    await proxy.restore();
    assert.equal(await client.get('proxy:bh'), 'before');
    assert.equal((await proxy.stats()).connectionsAccepted, 1, 'no reconnect was needed');
  });

  it('blackhole keeps the bytes sent into it and delivers them after restore(), like a healed partition', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url);
    await client.ping();
    await proxy.blackhole();
    await assert.rejects(client.set('proxy:held', 'late'), /timed out/i);
    assert.equal(await redis.client.get('proxy:held'), null, 'nothing reached Redis during the blackhole');
    await proxy.restore();
    assert.equal(await until('the held SET to reach Redis', async () => (await redis.client.get('proxy:held')) ?? undefined), 'late');
  });

  it('a connection opened during a blackhole is accepted and held until restore()', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    await proxy.blackhole();
    const raw = await rawConnect(t, proxy.port);
    raw.socket.write('PING\r\n');
    await sleep(200);
    assert.equal(raw.text(), '', 'no reply while held');
    assert.equal((await proxy.stats()).connectionsOpen, 1);
    await proxy.restore();
    await received(raw, '+PONG\r\n');
  });

  it('reset() resets the open connection: the client sees ECONNRESET, and reconnects after restore()', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client, errors } = await faultClient(t, proxy.url);
    await client.ping();
    await proxy.reset();
    await until('an ECONNRESET on the client', () => (errors.some((e) => e.code === 'ECONNRESET') ? true : undefined));
    await assert.rejects(client.ping());
    assert.ok((await proxy.stats()).resets >= 1);
    await proxy.restore();
    await pingsAgain(client);
  });

  it('in reset mode a new connection is reset at once', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    await proxy.reset();
    assert.equal(await closeOf(t, proxy.port), 'ECONNRESET');
    assert.equal((await proxy.stats()).resets, 1);
    assert.equal((await proxy.stats()).connectionsOpen, 0);
  });

  it('flap alternates failures and successes until restore()', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url);
    await proxy.flap(200);
    const outcomes: boolean[] = [];
    const runs = (): boolean[] => outcomes.filter((ok, i) => i === 0 || ok !== outcomes[i - 1]);
    // Pings until FLAP_RUNS phases have been seen (about 0.8 s at a 200 ms period). A fixed 2 s window could end too
    // soon on a busy machine, where the client takes longer to reconnect after each reset; the deadline only bounds
    // the wait.
    const deadline = performance.now() + 10_000;
    while (runs().length < FLAP_RUNS && performance.now() < deadline) {
      outcomes.push(await client.ping().then(() => true, () => false));
      await sleep(20);
    }
    t.diagnostic(`${outcomes.length} pings, ${outcomes.filter(Boolean).length} ok, ${runs().length} runs: ${runs().map((ok) => (ok ? 'up' : 'down')).join(' ')}`);
    assert.equal(runs()[0], false, 'flap starts with the link down');
    assert.ok(runs().length >= FLAP_RUNS, 'at least two down and two up phases were seen');
    await proxy.restore();
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
      await faults[i % faults.length]?.();
      await sleep(50);
    }
    await proxy.restore();
    running = false;
    await Promise.all([...load, rawLoad]);
    assert.ok((await proxy.stats()).resets > 0);
    for (const { client } of clients) await pingsAgain(client);
  });
});
