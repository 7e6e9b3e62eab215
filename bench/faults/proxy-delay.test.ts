import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { sleep } from '../../test-support/faults.js';
import { faultClient, proxyFor, suiteRedis, timed, until } from '../../test-support/proxy-clients.js';

/**
 * RedisProxy's added latency: setDelay and setBaseDelay hold each reply from Redis that long (less the lead it
 * reports, its median lateness: see release-clock.ts), keep replies whole and in order, and a lowered delay never lets
 * a later reply overtake an earlier one. Each assertion on time is a lower bound the proxy guarantees: it holds each reply from the moment it reads it, inside the interval this
 * process times (both processes read the same monotonic clock), and a busy machine can only make it easier to meet.
 */

// The tests run together: each has its own proxy, clients and keys, and most of their time is spent waiting on timers.
describe('RedisProxy: delay', { concurrency: true }, () => {
  const redis = suiteRedis();

  it('setDelay(50) holds every reply at least 50 ms', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url, { commandTimeout: 5000 });
    await proxy.setDelay(50);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push((await timed(() => client.get('proxy:delay'))).ms);
    const { largestLeadMs } = await proxy.stats();
    for (const [i, ms] of times.entries()) assert.ok(ms >= 50 - largestLeadMs, `round trip ${i} took ${ms.toFixed(2)} ms (lead ${largestLeadMs} ms)`);
  });

  for (const askedMs of [0.3, 2]) {
    it(`below and above a millisecond (${askedMs} ms), no reply of 200 comes back sooner than the delay less the largest lead the proxy gave`, async (t) => {
      const proxy = await proxyFor(t, redis.server.port);
      const { client } = await faultClient(t, proxy.url, { commandTimeout: 5000 });
      await proxy.setBaseDelay(askedMs);
      const times: number[] = [];
      for (let i = 0; i < 200; i++) times.push((await timed(() => client.ping())).ms);
      // The proxy aims each release early by its median lateness (release-clock.ts), never by more than it reports.
      const { largestLeadMs } = await proxy.stats();
      assert.ok(largestLeadMs >= 0 && largestLeadMs <= askedMs, `largest lead ${largestLeadMs} ms`);
      const early = times.filter((ms) => ms < askedMs - largestLeadMs);
      assert.deepEqual(early.map((ms) => ms.toFixed(3)), [], `round trips shorter than ${askedMs} − ${largestLeadMs.toFixed(3)} ms`);
    });
  }

  it('with a delay, 100 pipelined replies of mixed sizes arrive whole and in order', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url, { commandTimeout: 5000 });
    await proxy.setDelay(20);
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
    await proxy.setDelay(150);
    const sentAt = performance.now();
    const slow = Array.from({ length: 20 }, (_, i) => client.echo(`slow${i}`));
    // The slow replies must be queued in the proxy (at 150 ms) before the delay is lowered, or they go out at once too
    // and the last assertion fails for nothing. A fixed 20 ms sleep was a guess that a busy machine can miss; instead
    // wait until Redis has run a SET sent after them on the same connection (so it has answered them all), then give
    // this process's event loop a moment to read those answers into the proxy.
    const marker = client.set('proxy:overtake:marker', 'sent after the slow echoes');
    await until('Redis to run the commands sent before the marker', async () => ((await redis.client.get('proxy:overtake:marker')) === null ? undefined : true));
    await sleep(20);
    await proxy.setDelay(0);
    const fast = Array.from({ length: 20 }, (_, i) => client.echo(`fast${i}`).then((v) => ({ v, at: performance.now() })));
    assert.deepEqual(await Promise.all(slow), slow.map((_, i) => `slow${i}`));
    assert.equal(await marker, 'OK');
    const fastReplies = await Promise.all(fast);
    assert.deepEqual(fastReplies.map((r) => r.v), fast.map((_, i) => `fast${i}`));
    const firstFast = Math.min(...fastReplies.map((r) => r.at)) - sentAt;
    const { largestLeadMs } = await proxy.stats();
    assert.ok(firstFast >= 150 - largestLeadMs, `the first undelayed reply waited behind the delayed ones (${firstFast.toFixed(1)} ms, lead ${largestLeadMs} ms)`);
  });

  it('setBaseDelay stays in force through restore(), and setDelay adds on top of it', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    const { client } = await faultClient(t, proxy.url, { commandTimeout: 5000 });
    await proxy.setBaseDelay(30);
    const lead = async (): Promise<number> => (await proxy.stats()).largestLeadMs;
    const before = await timed(() => client.ping());
    assert.ok(before.ms >= 30 - (await lead()), 'base delay applies');
    await proxy.setDelay(40);
    assert.equal(proxy.delayMs, 70);
    const during = await timed(() => client.ping());
    assert.ok(during.ms >= 70 - (await lead()), `base + extra: ${during.ms.toFixed(1)} ms`);
    await proxy.restore();
    assert.equal(proxy.delayMs, 30);
    assert.equal(proxy.mode, 'pass');
    const after = await timed(() => client.ping());
    assert.ok(after.ms >= 30 - (await lead()), 'base delay still applies after restore()');
  });
});
