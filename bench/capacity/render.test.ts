import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tableRows } from '../../test-support/report-fixtures.js';
import { renderCapacity } from './render.js';
import type { CapacityResult } from './run-capacity.js';
import type { CapacityStep, RateTrial, StepVerdict } from './steps.js';

const rep = (rate: number, p99: number, verdict: StepVerdict): CapacityStep & { verdict: StepVerdict } => ({ rate, achievedRps: rate, p99CorrectedMs: p99, p99UncorrectedMs: p99 / 2, errorRate: 0, pacerLagP99Ms: 0.5, verdict });
const trial = (rate: number, p99s: readonly number[], verdict: StepVerdict, again = false): RateTrial => ({
  rate,
  repetitions: p99s.map((p) => rep(rate, p, p > 10 ? 'slo-exceeded' : 'ok')),
  verdict,
  ...(again ? { again: true } : {}),
});

describe('the capacity tables', () => {
  it('marks a rate tried a second time, whose verdict is that of both tries', () => {
    const result = {
      schemaVersion: 2,
      tool: 'authbench',
      kind: 'capacity',
      startedAt: '2026-12-03T22:00:00.000Z',
      status: 'complete',
      config: { sloP99Ms: 10 },
      method: ['hand-built for a test'],
      designs: [
        {
          strategy: 'jwt-refresh',
          trials: [trial(3000, [21.6, 27.4, 7.2], 'slo-exceeded'), trial(2925, [9.6, 4.3, 4.0], 'ok'), trial(3000, [5.1, 4.0, 3.9], 'ok', true), trial(3750, [40, 38, 36], 'slo-exceeded')],
          sustainableRate: 3000,
          firstFailingRate: 3750,
          stoppedBy: 'slo-exceeded',
          converged: false,
        },
      ],
    } as unknown as CapacityResult;
    const text = renderCapacity(result);
    const [trials] = tableRows(text.slice(0, text.indexOf('capacity at a latency target')));
    assert.equal(trials?.[1]?.[2], '21.6 / 27.4 / 7.20', 'a result from before: each repetition\'s p99 only');
    assert.deepEqual(
      (trials ?? []).slice(1).map((r) => [r[0], r.at(-1)]),
      [
        ['3,000', 'slo-exceeded'],
        ['2,925', 'ok'],
        ['3,000 again', 'ok (both tries)'],
        ['3,750', 'slo-exceeded'],
      ],
    );
  });

  it('gives a rate\'s figures over all its repetitions, each repetition\'s p99 beside them', () => {
    const t = { ...trial(5000, [4.0, 5.0, 30.0], 'ok'), merged: { rate: 5000, achievedRps: 4990, p99CorrectedMs: 6.5, p99UncorrectedMs: 3.25, errorRate: 0.001, pacerLagP99Ms: 0.5 } };
    const result = { config: { sloP99Ms: 10 }, method: [], designs: [{ strategy: 'jwt', trials: [t], sustainableRate: 5000, firstFailingRate: null, stoppedBy: 'max-steps', converged: false }] } as unknown as CapacityResult;
    const text = renderCapacity(result);
    const [trials] = tableRows(text.slice(0, text.indexOf('capacity at a latency target')));
    assert.deepEqual(trials?.[1], ['5,000', '4,990', '6.50 (4.00 / 5.00 / 30.0)', '3.25', '0.10%', 'ok, ok, slo-exceeded', 'ok']);
  });
});
