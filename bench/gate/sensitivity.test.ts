import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeRun, noise, steady } from '../../test-support/compare-fixtures.js';
import type { RunResult } from '../result/schema.js';
import { checkSensitivityOptions, sensitivityLines } from './sensitivity.js';
import { compareRuns, exitCodeOf, NOISY_DETECTABLE_DROP, type Comparison, type MetricComparison } from './verdict.js';

/**
 * Does the gate catch a slower Redis? Asked of real servers, the answer depends on how busy the machine is
 * (`authbench sensitivity` measures it); asked of the statistics, with a known shift and realistic noise, it is
 * deterministic: the bootstrap's PRNG is seeded, so the same inputs give the same verdicts on every machine.
 */

const T = { threshold: 0.1 };
const STRATEGIES = ['jwt', 'jwt-blacklist', 'redis-token'] as const;
const REDIS_DESIGNS = ['jwt-blacklist', 'redis-token'] as const;
type Strategy = (typeof STRATEGIES)[number];

/**
 * req/s of the ceiling and of validate, repetition by repetition, in the committed CI baseline (results/baseline.json:
 * `authbench baseline` on this project's 2-core machine, 2026-11-29, commit 4ee31e2): the noise of a real run,
 * ±25% and more per repetition. Copied rather than read, so that refreshing the baseline cannot change these tests.
 */
const RECORDED: Readonly<Record<Strategy, { readonly ceiling: readonly number[]; readonly validate: readonly number[] }>> = {
  jwt: { ceiling: [33647, 36616, 41682, 45733, 45012], validate: [8033, 10569, 10600, 11422, 11128] },
  'jwt-blacklist': { ceiling: [42690, 43645, 44066, 42045, 45544], validate: [5666, 6751, 4414, 6721, 7409] },
  'redis-token': { ceiling: [35977, 33760, 46361, 41557, 43398], validate: [15526, 11649, 15397, 17698, 15226] },
};

/** What +1 ms of Redis latency did to validate at 10 connections (docs/ci-gate.md, baseline mode: bench:ci, confirmed). */
const MEASURED_AT_1MS: Readonly<Record<(typeof REDIS_DESIGNS)[number], number>> = { 'redis-token': -0.686, 'jwt-blacklist': -0.521 };

/**
 * A run of the recorded repetitions: validate's repetition (i + redraw) mod 5 divided by the ceiling's repetition i.
 * redraw 0 is the recorded run; 1 to 4 pair the same measurements differently, four other draws of the same noise.
 * `change` scales a design's validate throughput (−0.5 halves it).
 */
function recordedRun(redraw: number, change: Partial<Record<Strategy, number>> = {}): RunResult {
  return fakeRun({
    repeat: 5,
    flags: { scenarios: 'validate' },
    rps: (scenario, strategy, rep) => {
      const rec = RECORDED[strategy as Strategy];
      if (scenario === 'ceiling') return rec.ceiling[rep] as number;
      return (rec.validate[(rep + redraw) % 5] as number) * (1 + (change[strategy as Strategy] ?? 0));
    },
  });
}
const REDRAWS = [1, 2, 3, 4];

const throughput = (c: Comparison, strategy: string): MetricComparison => {
  const r = c.rows.find((x) => x.scenario === 'validate' && x.strategy === strategy && x.metric === 'throughput');
  assert.ok(r, `validate × ${strategy} missing`);
  return r;
};
const describeRow = (r: MetricComparison): string => `validate × ${r.strategy}: change ${r.change}, interval ${r.low} … ${r.high}, ${r.verdict}`;

describe('the gate catches a slower Redis, on the recorded noise of a real run', () => {
  const shifts: [string, Partial<Record<Strategy, number>>][] = [
    ['the drops +1 ms of Redis latency caused (−68.6% and −52.1%)', MEASURED_AT_1MS],
    ['a 50% drop of both', { 'redis-token': -0.5, 'jwt-blacklist': -0.5 }],
  ];
  for (const [what, change] of shifts) {
    it(`flags validate × redis-token and × jwt-blacklist at ${what}, in each of four redraws of the noise, and not validate × jwt`, () => {
      for (const redraw of REDRAWS) {
        const c = compareRuns(recordedRun(0), recordedRun(redraw, change), T);
        for (const design of REDIS_DESIGNS) {
          const r = throughput(c, design);
          assert.equal(r.verdict, 'regressed', `redraw ${redraw}: ${describeRow(r)}`);
          const truth = change[design] as number;
          assert.ok((r.low as number) <= truth && truth <= (r.high as number), `redraw ${redraw}: the interval holds the true change ${truth}: ${describeRow(r)}`);
        }
        const jwt = throughput(c, 'jwt');
        assert.equal(jwt.verdict, 'ok', `redraw ${redraw}: jwt never calls Redis: ${describeRow(jwt)}`);
        assert.equal(exitCodeOf(c), 1);
      }
    });
  }

  it('does not call a 15% drop, which this much noise hides, nor a 5% one, inside the threshold', () => {
    for (const drop of [-0.15, -0.05]) {
      for (const redraw of REDRAWS) {
        const c = compareRuns(recordedRun(0), recordedRun(redraw, { 'redis-token': drop, 'jwt-blacklist': drop }), T);
        for (const s of STRATEGIES) assert.equal(throughput(c, s).verdict, 'ok', `${drop}, redraw ${redraw}: ${describeRow(throughput(c, s))}`);
      }
    }
  });

  it('calls nothing when nothing changed: four redraws of the same noise', () => {
    for (const redraw of REDRAWS) {
      const c = compareRuns(recordedRun(0), recordedRun(redraw), T);
      for (const s of STRATEGIES) assert.equal(throughput(c, s).verdict, 'ok', `redraw ${redraw}: ${describeRow(throughput(c, s))}`);
    }
  });

  it('could have flagged a drop smaller than half with this much noise: the run is not NOISY', () => {
    for (const redraw of REDRAWS) {
      const drop = compareRuns(recordedRun(0), recordedRun(redraw), T).detectableDrop;
      assert.ok(drop !== undefined && drop < NOISY_DETECTABLE_DROP, `redraw ${redraw}: detectable drop ${drop}`);
    }
  });
});

describe('the gate catches a slower Redis, on synthetic runs with ±25% noise on every repetition and ceiling', () => {
  const PAIRS = 8;
  const run = (salt: string, drop: number): RunResult =>
    fakeRun({
      flags: { scenarios: 'validate' },
      rps: (s, t, r) => steady(s, t, r) * (1 + noise(0.25, salt, s, t, r)) * (s === 'validate' && t !== 'jwt' ? 1 + drop : 1),
    });
  const verdicts = (drop: number): string[][] =>
    Array.from({ length: PAIRS }, (_, k) => {
      const c = compareRuns(run(`baseline ${k}`, 0), run(`current ${k}`, drop), T);
      return STRATEGIES.map((s) => throughput(c, s).verdict);
    });

  it('flags a 50% drop of both Redis designs in each of eight pairs of runs, and never jwt', () => {
    assert.deepEqual(verdicts(-0.5), Array.from({ length: PAIRS }, () => ['ok', 'regressed', 'regressed']));
  });

  it('flags nothing in the same eight pairs when the drop is 5%, inside the threshold', () => {
    assert.deepEqual(verdicts(-0.05), Array.from({ length: PAIRS }, () => ['ok', 'ok', 'ok']));
  });
});

describe('sensitivity summary lines', () => {
  it('say, per cell, the change, its interval and whether the gate would flag it', () => {
    const lines = sensitivityLines(compareRuns(recordedRun(0), recordedRun(1, { 'redis-token': -0.5, 'jwt-blacklist': -0.5 }), T));
    assert.equal(lines.length, 3, 'one per cell, throughput only');
    assert.match(lines[0] ?? '', /^validate × jwt: [+−]\d+\.\d% \(interval −\d+\.\d% … \+\d+\.\d%\), not flagged$/);
    assert.match(lines[1] ?? '', /^validate × jwt-blacklist: −\d+\.\d% \(interval −\d+\.\d% … −\d+\.\d%\), flagged$/);
    assert.match(lines[2] ?? '', /^validate × redis-token: −\d+\.\d% \(interval −\d+\.\d% … −\d+\.\d%\), flagged$/);
  });

  it('say why a cell could not be judged', () => {
    const crashed = fakeRun({ rps: steady, flags: { scenarios: 'validate' }, errored: ['validate|redis-token|2'] });
    const lines = sensitivityLines(compareRuns(fakeRun({ rps: steady, flags: { scenarios: 'validate' } }), crashed, T));
    assert.equal(lines[2], 'validate × redis-token: not comparable (current repetition 3 errored: server jwt exited (signal SIGKILL))');
  });

  it('are one line saying why when the runs cannot be compared at all', () => {
    const lines = sensitivityLines(compareRuns(fakeRun({ rps: steady }), fakeRun({ rps: steady, flags: { connections: '50' } }), T));
    assert.deepEqual(lines, ['not comparable: load option connections: baseline 10, current 50']);
  });
});

describe('sensitivity options', () => {
  it('are refused before anything runs: a latency that is not a duration, or none at all', () => {
    assert.throws(() => checkSensitivityOptions({ redisLatency: 'fast' }), { code: 'ERR_INVALID_OPTION', message: /--redis-latency must be a duration/ });
    assert.throws(() => checkSensitivityOptions({ redisLatency: '0ms' }), { code: 'ERR_INVALID_OPTION', message: /--redis-latency must be above 0/ });
    assert.throws(() => checkSensitivityOptions({ redisLatency: '1ms', runFlags: { redisCluster: 'local' } }), { code: 'ERR_INVALID_OPTION', message: /--redis-latency .* not with --redis-cluster/ });
    assert.doesNotThrow(() => checkSensitivityOptions({ redisLatency: '1ms' }));
  });
});
