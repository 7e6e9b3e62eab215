import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandDeltas, computeCost, parseRedisInfo, summariseCost, type Cost, type ServerSnapshot } from './cost.js';

const COMMANDSTATS = `# Commandstats
cmdstat_get:calls=1500,usec=3000,usec_per_call=2.00,rejected_calls=0,failed_calls=0
cmdstat_setex:calls=10,usec=40,usec_per_call=4.00,rejected_calls=0,failed_calls=0
cmdstat_info:calls=7,usec=700,usec_per_call=100.00,rejected_calls=0,failed_calls=0
`;
const CPU = `# CPU
used_cpu_sys:1.500000
used_cpu_user:2.250000
used_cpu_sys_children:0.000000
`;

const server = (over: Partial<ServerSnapshot> = {}): ServerSnapshot => ({ cpuUserUs: 0, cpuSystemUs: 0, maxRssBytes: 100, bytesIn: 0, bytesOut: 0, jwtCacheHits: 0, jwtCacheMisses: 0, ...over });

describe('Redis INFO parsing', () => {
  it('reads calls per command and user + system CPU seconds', () => {
    const s = parseRedisInfo(COMMANDSTATS, CPU);
    assert.deepEqual(s.calls, { get: 1500, setex: 10, info: 7 });
    assert.equal(s.cpuSec, 3.75);
  });
});

describe('commandstats deltas', () => {
  it('keeps the commands that moved and leaves out the harness own INFO, SCAN, MEMORY and PING', () => {
    const before = { calls: { get: 100, info: 5, exists: 3 }, cpuSec: 0 };
    const after = { calls: { get: 1100, info: 9, exists: 3, scan: 4, memory: 50, ping: 2, del: 10 }, cpuSec: 0 };
    assert.deepEqual(commandDeltas(before, after), { get: 1000, del: 10 });
  });
});

describe('per-request cost', () => {
  it('divides command calls, Redis CPU, server CPU and bytes by the requests answered', () => {
    const c = computeCost(
      1000,
      { before: { calls: { get: 0 }, cpuSec: 1 }, after: { calls: { get: 1000, info: 3 }, cpuSec: 1.01 } },
      { before: server({ cpuUserUs: 1_000, cpuSystemUs: 500, bytesIn: 10, bytesOut: 20 }), after: server({ cpuUserUs: 61_000, cpuSystemUs: 20_500, maxRssBytes: 5000, bytesIn: 127_010, bytesOut: 225_020 }) },
      { kind: 'session', bytesPerKey: 152, sampled: 100 },
      36,
    );
    assert.equal(c.redisCommandsPerRequest, 1);
    assert.deepEqual(c.redisCommandsByName, { get: 1 });
    assert.ok(Math.abs(c.redisCpuUsPerRequest - 10) < 1e-6);
    assert.equal(c.serverCpuUsPerRequest, 80);
    assert.equal(c.serverCpuUserUsPerRequest, 60);
    assert.equal(c.serverCpuSystemUsPerRequest, 20);
    assert.equal(c.requestBytes, 127);
    assert.equal(c.responseBytes, 225);
    assert.equal(c.serverPeakRssBytes, 5000);
    assert.equal(c.stateBytes, 152);
    assert.equal(c.stateKind, 'session');
    assert.equal(c.tokenBytes, 36);
  });

  it('gives the share of JWT verifications the cache served in the measured phase, and null without a lookup', () => {
    const redis = { before: { calls: {}, cpuSec: 0 }, after: { calls: {}, cpuSec: 0 } };
    const state = { kind: 'none', bytesPerKey: 0, sampled: 0 } as const;
    const cached = computeCost(100, redis, { before: server({ jwtCacheHits: 50, jwtCacheMisses: 10 }), after: server({ jwtCacheHits: 140, jwtCacheMisses: 20 }) }, state, null);
    assert.equal(cached.jwtCacheHitRate, 0.9);
    assert.equal(computeCost(100, redis, { before: server(), after: server() }, state, null).jwtCacheHitRate, null);
  });

  it('is zero per request, not a division by zero, when nothing was answered', () => {
    const c = computeCost(0, { before: { calls: {}, cpuSec: 0 }, after: { calls: { get: 5 }, cpuSec: 1 } }, { before: server(), after: server() }, { kind: 'none', bytesPerKey: 0, sampled: 0 }, null);
    assert.equal(c.redisCommandsPerRequest, 0);
    assert.equal(c.serverCpuUsPerRequest, 0);
  });
});

describe('cost over repetitions', () => {
  const cost = (over: Partial<Cost>): Cost => ({
    redisCommandsPerRequest: 1,
    redisCommandsByName: { get: 1 },
    redisCpuUsPerRequest: 10,
    serverCpuUsPerRequest: 50,
    serverCpuUserUsPerRequest: 30,
    serverCpuSystemUsPerRequest: 20,
    serverPeakRssBytes: 100,
    stateKind: 'session',
    stateBytes: 150,
    tokenBytes: 36,
    requestBytes: 120,
    responseBytes: 220,
    jwtCacheHitRate: null,
    ...over,
  });

  it('takes the median of each figure and the largest peak RSS', () => {
    const s = summariseCost([cost({ serverCpuUsPerRequest: 40, serverPeakRssBytes: 300 }), cost({ serverCpuUsPerRequest: 90 }), cost({ serverCpuUsPerRequest: 50, stateBytes: null })]);
    assert.equal(s?.serverCpuUsPerRequest, 50);
    assert.equal(s?.serverPeakRssBytes, 300);
    assert.equal(s?.stateBytes, 150, 'repetitions without state keys are left out of the state median');
  });

  it('gives a command that ran in only some repetitions a median that counts the others as zero', () => {
    const s = summariseCost([cost({ redisCommandsByName: { get: 1, del: 0.5 } }), cost({}), cost({})]);
    assert.deepEqual(s?.redisCommandsByName, { del: 0, get: 1 });
  });

  it('is absent when no repetition measured a cost', () => {
    assert.equal(summariseCost([]), undefined);
  });
});
