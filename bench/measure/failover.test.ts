import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveRunConfig } from '../run/config.js';
import { FAULTS } from '../faults/injector.js';
import type { TimelineBucket } from './outage.js';
import { skipReason } from '../run/outage-cells.js';
import { summariseFailover } from './failover.js';

function bucket(startMs: number, counts: Partial<Pick<TimelineBucket, 'ok2xx' | 'unavailable503' | 'errors'>>): TimelineBucket {
  return { startMs, endMs: startMs + 250, phase: 'during', ok2xx: 0, unauthorized401: 0, unavailable503: 0, other: 0, errors: 0, timeouts: 0, p50Ms: 1, p99Ms: 1, ...counts } as TimelineBucket;
}

describe('summariseFailover', () => {
  const watch = { killed: '127.0.0.1:7000', replica: '127.0.0.1:7004', promotedAfterMs: 2200 };

  it('places the first and last failing buckets relative to the kill', () => {
    const timeline = [bucket(750, { unavailable503: 3 }), bucket(1000, { ok2xx: 9 }), bucket(1250, { unavailable503: 5 }), bucket(1500, { errors: 1 }), bucket(3500, { unavailable503: 2 }), bucket(3750, { ok2xx: 50 })];
    const f = summariseFailover(watch, 1000, timeline);
    assert.equal(f.firstFailureAfterMs, 500, 'the bucket ending at 1500');
    assert.equal(f.lastFailureAfterMs, 2750, 'the bucket ending at 3750');
    assert.equal(f.failingBuckets, 3, 'the bucket ending at the kill is before it');
    assert.equal(f.promotedAfterMs, 2200);
  });

  it('reports no failure when every bucket after the kill answered', () => {
    const f = summariseFailover(watch, 1000, [bucket(1000, { ok2xx: 5 }), bucket(1250, { ok2xx: 5 })]);
    assert.deepEqual([f.firstFailureAfterMs, f.lastFailureAfterMs, f.failingBuckets], [null, null, 0]);
  });
});

describe('which outage faults a run can inject', () => {
  const single = resolveRunConfig({ scenarios: 'outage' }, {});
  const local = resolveRunConfig({ scenarios: 'outage', redisCluster: 'local' }, {});
  const given = resolveRunConfig({ scenarios: 'outage', redisCluster: '127.0.0.1:7000' }, {});
  const target = resolveRunConfig({ scenarios: 'outage', target: 'http://127.0.0.1:3000', strategies: 'jwt' }, {});

  it('kill-master only on a cluster authbench started', () => {
    assert.equal(skipReason(local, FAULTS['kill-master'], true), undefined);
    assert.match(skipReason(single, FAULTS['kill-master'], true) ?? '', /needs a Redis Cluster that authbench started/);
    assert.match(skipReason(given, FAULTS['kill-master'], false) ?? '', /only in a cluster it started/);
  });

  it('the single-Redis faults never on a cluster', () => {
    for (const name of ['kill', 'stop', 'latency', 'flush'] as const) assert.match(skipReason(local, FAULTS[name], true) ?? '', /acts on a single Redis/);
    assert.equal(skipReason(single, FAULTS.kill, true), undefined);
  });

  it('none against a --target', () => {
    for (const fault of Object.values(FAULTS)) assert.match(skipReason(target, fault, false) ?? '', /--target/);
  });
});
