import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../lib/ports.js';
import { proxyFor } from '../../test-support/proxy-clients.js';
import { startTestRedis, type TestRedis } from '../../test-support/redis.js';
import { measureRoundTrip } from './round-trip.js';

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
    const rt = await measureRoundTrip(proxy.url, { samples: 50, intervalMs: 0 });
    assert.ok(rt.p50 >= 0.5 && rt.p99 >= rt.p50, JSON.stringify(rt));
  });

  it('rejects when nothing answers at the URL', async () => {
    await assert.rejects(measureRoundTrip(`redis://127.0.0.1:${await freePort()}`, { samples: 5 }));
  });
});
