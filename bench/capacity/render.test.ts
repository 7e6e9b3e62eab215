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
});
