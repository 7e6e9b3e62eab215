import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../lib/ports.js';
import { proxyFor } from '../../test-support/proxy-clients.js';
import { startTestRedis, type TestRedis } from '../../test-support/redis.js';
import { measureRoundTrip, startRoundTripProbe } from './round-trip.js';

/** measureRoundTrip against a real Redis, directly and through the latency proxy. Only lower bounds on time. */
describe('measureRoundTrip', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.close();
  });

  it('gives a p50 and a p99 above zero, in order, for Redis directly', async () => {
    const rt = await measureRoundTrip(redis.server.url, { samples: 50, intervalMs: 0 });
    assert.ok(rt.p50 > 0 && rt.p99 >= rt.p50, JSON.stringify(rt));
  });

  it('through the proxy, gives a round trip of at least the delay it was asked to add (0.5 ms)', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    await proxy.setBaseDelay(0.5);
    const rt = await measureRoundTrip(proxy.via(redis.server.url), { samples: 50, intervalMs: 0 });
    assert.ok(rt.p50 >= 0.5 && rt.p99 >= rt.p50, JSON.stringify(rt));
  });

  it('rejects when nothing answers at the URL', async () => {
    await assert.rejects(measureRoundTrip(`redis://127.0.0.1:${await freePort()}`, { samples: 5 }));
  });
});

describe('startRoundTripProbe', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.close();
  });

  it('records only between begin and end, at least the delay the proxy adds', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    await proxy.setBaseDelay(0.5);
    const probe = await startRoundTripProbe(proxy.via(redis.server.url), { intervalMs: 1 });
    await new Promise((r) => setTimeout(r, 50));
    probe.begin();
    await new Promise((r) => setTimeout(r, 200));
    const sample = await probe.end();
    assert.ok(sample !== undefined, 'round trips recorded');
    assert.ok(sample.figures.count > 0 && sample.figures.p50 >= 0.5, JSON.stringify(sample.figures));
    assert.equal(sample.failures, 0);
    assert.ok(sample.histogram.length > 0);
  });

  it('returns nothing when it never began', async () => {
    const probe = await startRoundTripProbe(redis.server.url, { intervalMs: 1 });
    assert.equal(await probe.end(), undefined);
  });
});
