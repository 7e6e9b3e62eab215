import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunResult } from '../result/schema.js';
import { isLatencySweep, latencySweepCharts } from './chart-sweep.js';

function run(redisLatencyMs: number, jwtAlg = 'HS256', rps = 1000): RunResult {
  const cell = (strategy: string) => ({ scenario: 'validate', strategy, status: 'ok', repetitions: [], errors: [], summary: { requestsPerSec: { median: rps, min: rps, max: rps }, latencyMs: { p50: 1, p90: 2, p99: 3, p999: 4, max: 5 } } });
  return { config: { redisLatencyMs, jwtAlg, strategies: ['jwt', 'redis-token'] }, cells: [cell('jwt'), cell('redis-token')] } as unknown as RunResult;
}

describe('sweep charts', () => {
  it('are drawn for results that differ in added Redis latency only', () => {
    assert.equal(isLatencySweep([run(0), run(1)]), true);
    assert.equal(isLatencySweep([run(0), run(0)]), false, 'one latency is not a sweep');
    assert.equal(isLatencySweep([run(0), run(1, 'ES256')]), false, 'two algorithms are compared by the across-runs charts');
  });

  it('plot throughput and both percentiles per design against the added latency', () => {
    const charts = latencySweepCharts([run(0, 'HS256', 2000), run(2, 'HS256', 500)]);
    assert.deepEqual(charts.map((c) => c.name), ['sweep-throughput', 'sweep-latency']);
    const values = (charts[0]?.spec as { data: { values: { addedMs: number; strategy: string; rps: number }[] } }).data.values;
    assert.deepEqual(values.filter((v) => v.strategy === 'redis-token').map((v) => [v.addedMs, v.rps]), [[0, 2000], [2, 500]]);
  });
});
