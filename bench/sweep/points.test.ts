import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DesignRecord, RunResult } from '../result/schema.js';
import { fixedRatesOf, partsFor, pointOrder, pooledValues, seriesOf, sweepCrossovers, sweepPooled } from './points.js';
import type { SweepCell, SweepPoint } from './schema.js';

const traits = (storeCommandsPerValidate: number) => ({ summary: '', traits: { storeCommandsPerValidate } }) as unknown as DesignRecord;
const designs = { jwt: traits(0), 'redis-token': traits(1) };

const cell = (scenario: string, strategy: string, rps: number[], p99: number[]): SweepCell => ({
  scenario,
  strategy,
  status: 'ok',
  closedLoop: { requestsPerSec: { median: 0, min: 0, max: 0 }, perRepetition: rps, latencyMs: { p50: 1, p99: 2 } },
  equalLoad: { offeredRps: 1000, achievedRps: { median: 1000, min: 1000, max: 1000 }, latencyMs: { p50: 1, p99: 2 }, p99: { median: 0, min: 0, max: 0 }, p99PerRepetition: p99, valid: true, wrongAnswers: 0, errors: 0, serverCpuUsPerRequest: null, redisCpuUsPerRequest: null, roundTripMs: null },
});
const point = (addedLatencyMs: number, rtt: number | null, cells: SweepCell[]): SweepPoint => ({
  jwtAlg: 'HS256',
  addedLatencyMs,
  roundTripMs: rtt === null ? null : { p50: rtt, p90: rtt, p99: rtt, p50Range: { min: rtt, max: rtt }, repetitions: 3 },
  idleRoundTripMs: null,
  status: 'complete',
  resultFile: '',
  cells,
});

// redis-token falls from 20k to 8k req/s as the round trip grows; jwt stays near 11k whatever it is.
const points = [
  point(0, 0.15, [cell('validate', 'jwt', [10000, 11000, 12000], [3, 4, 5]), cell('validate', 'redis-token', [20000, 19000, 21000], [2, 2, 2])]),
  point(1, 1.2, [cell('validate', 'jwt', [9000, 11000, 13000], [4, 4, 4]), cell('validate', 'redis-token', [12000, 12500, 11500], [3, 3, 3])]),
  point(2, 2.3, [cell('validate', 'jwt', [11000, 11000, 11000], [4, 5, 6]), cell('validate', 'redis-token', [8000, 7000, 9000], [6, 7, 8])]),
];

describe('sweep points', () => {
  it('pools every repetition of a design that never waits for Redis across all points', () => {
    assert.deepEqual(pooledValues(points, 'validate', 'jwt', 'throughput'), [10000, 11000, 12000, 9000, 11000, 13000, 11000, 11000, 11000]);
    const [pooled] = sweepPooled(points, designs);
    assert.deepEqual(pooled, { jwtAlg: 'HS256', scenario: 'validate', strategy: 'jwt', closedLoopRps: { median: 11000, min: 9000, max: 13000, n: 9 }, p99Ms: { median: 4, min: 3, max: 6, n: 9 } });
  });

  it('puts a Redis design\'s repetitions at the round trip measured under load, leaving out points without one', () => {
    const withUnmeasured = [...points, point(3, null, [cell('validate', 'redis-token', [1], [1])])];
    assert.deepEqual(seriesOf(withUnmeasured, 'validate', 'redis-token', 'p99').map((s) => [s.x, s.values]), [[0.15, [2, 2, 2]], [1.2, [3, 3, 3]], [2.3, [6, 7, 8]]]);
  });

  it('finds the crossovers against the measured round trip, for throughput and for p99, each with an interval', () => {
    const c = sweepCrossovers(points, designs, 500);
    assert.deepEqual(c.map((x) => `${x.scenario}/${x.measure}/${x.redisDesign}/${x.localDesign}/${x.verdict}`), [
      'validate/throughput/redis-token/jwt/crosses',
      'validate/p99/redis-token/jwt/crosses',
      'session/throughput/redis-token/jwt/not enough points',
      'session/p99/redis-token/jwt/not enough points',
    ]);
    const [throughput, p99] = c;
    // Throughput: a(1.2) = 12000 − 11000, a(2.3) = 8000 − 11000 → 1.2 + 1000 × 1.1 / 4000. p99: a(1.2) = 4 − 3 = 1, a(2.3) = −3 → 1.2 + 1.1 / 4.
    assert.ok(Math.abs((throughput?.atMs ?? NaN) - (1.2 + (1000 * 1.1) / 4000)) < 1e-9, String(throughput?.atMs));
    assert.ok(Math.abs((p99?.atMs ?? NaN) - (1.2 + 1.1 / 4)) < 1e-9, String(p99?.atMs));
    assert.ok(throughput?.interval !== undefined && p99?.interval !== undefined);
  });
});

describe('the fixed rate of a sweep', () => {
  const result = {
    equalLoad: { scenario: 'validate', slowestRps: 8000, slowest: 'redis-token', notes: [], cells: [{ offeredRps: 4000 }] },
    equalLoadMore: [{ scenario: 'session', slowestRps: 6000, slowest: 'jwt', notes: [], cells: [{ offeredRps: 3000 }] }],
  } as unknown as RunResult;

  it('is the share the first run resolved of its slowest design, per scenario, and says so', () => {
    const r = fixedRatesOf(result, { share: 0.5 }, 'HS256', 2);
    assert.deepEqual(r.map((x) => [x.scenario, x.rps]), [['validate', 4000], ['session', 3000]]);
    assert.match(r[0]?.source ?? '', /50% of the slowest design's closed-loop validate req\/s at the highest added latency, \+2 ms \(redis-token: 8000 req\/s\)/);
  });

  it('is the rate given in req/s, for both scenarios', () => {
    assert.deepEqual(fixedRatesOf(result, { rps: 1500 }, 'HS256', 2).map((x) => [x.scenario, x.rps]), [['validate', 1500], ['session', 1500]]);
  });

  it('leaves out a scenario whose share could not be resolved', () => {
    assert.deepEqual(fixedRatesOf({} as RunResult, { share: 0.5 }, 'HS256', 2), []);
  });

  it('runs the highest added latency first, then the others ascending', () => {
    assert.deepEqual(pointOrder([0.5, 0, 2, 1]), [2, 0, 0.5, 1]);
  });

  it('asks the first run for the share, then every later point for the fixed req/s (none where no rate was fixed)', () => {
    assert.deepEqual(partsFor({ share: 0.5 }, undefined), [{ scenario: 'validate', rates: [{ share: 0.5 }] }, { scenario: 'session', rates: [{ share: 0.5 }] }]);
    const fixed = [{ jwtAlg: 'HS256' as const, scenario: 'validate', rps: 4000, source: '' }];
    assert.deepEqual(partsFor({ share: 0.5 }, fixed), [{ scenario: 'validate', rates: [{ rps: 4000 }] }, { scenario: 'session', rates: [] }]);
  });
});
