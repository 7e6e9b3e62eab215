import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeHistogram, figuresOf, latencyHistogram, recordMs } from '../measure/histogram.js';
import type { PacedLoadResult } from '../load/paced.js';
import type { LoadCell } from '../result/schema.js';
import { equalLoadPartsOf, repetitionOf, resolveRates, slowestOf, summariseEqualLoad } from './equal-load-cells.js';

describe('the equal-load parts of a run', () => {
  it('is by default the scenario that declares equalLoad, at the run\'s rates, and none without a rate', () => {
    const rates = [{ share: 0.5 }];
    assert.deepEqual(equalLoadPartsOf({ scenarios: ['login', 'validate', 'session'], rates }), [{ scenario: 'validate', rates }]);
    assert.deepEqual(equalLoadPartsOf({ scenarios: ['login', 'validate', 'session'], rates: [] }), []);
    assert.deepEqual(equalLoadPartsOf({ scenarios: ['login', 'session'], rates }), []);
  });

  it('is what was asked for when asked, keeping only scenarios the generator can pace, with a rate', () => {
    const parts = [
      { scenario: 'validate' as const, rates: [{ rps: 1000 }] },
      { scenario: 'session' as const, rates: [{ rps: 700 }] },
      { scenario: 'login' as const, rates: [{ rps: 700 }] },
      { scenario: 'session' as const, rates: [] },
    ];
    assert.deepEqual(equalLoadPartsOf({ scenarios: ['validate', 'session'], rates: [], equalLoadParts: parts }), parts.slice(0, 2));
  });
});

describe('offered rates', () => {
  it('resolves shares of the slowest design and req/s, ascending, without duplicates', () => {
    const r = resolveRates([{ share: 0.75 }, { rps: 500 }, { share: 0.25 }, { rps: 3000 }], 4000);
    assert.deepEqual(r.rates.map((x) => [x.label, x.rps]), [['500 req/s', 500], ['25%', 1000], ['75%', 3000]]);
    assert.deepEqual(r.notes, []);
  });
  it('leaves out a share with nothing to take it of, and says so', () => {
    const r = resolveRates([{ share: 0.5 }, { rps: 800 }], undefined);
    assert.deepEqual(r.rates.map((x) => x.rps), [800]);
    assert.match(r.notes[0] ?? '', /50% left out/);
  });
  it('takes the slowest unit of the scenario, ignoring other scenarios and cells without throughput', () => {
    const cell = (scenario: string, strategy: string, median: number | undefined): LoadCell =>
      ({ kind: 'load', scenario, strategy, status: 'ok', errors: [], repetitions: [], ...(median === undefined ? {} : { summary: { requestsPerSec: { median, min: median, max: median } } }) }) as unknown as LoadCell;
    const cells = [cell('validate', 'jwt', 9000), cell('validate', 'redis-token', 7000), cell('login', 'jwt', 100), cell('validate', 'jwt-blacklist', undefined)];
    assert.deepEqual(slowestOf(cells, 'validate'), { rps: 7000, label: 'redis-token' });
    assert.equal(slowestOf(cells, 'session'), undefined);
  });
});

/** A paced load whose every response took `ms` but `slow` of them, which took `slowMs`; the pacer lagged `lagMs`. */
function paced(n: number, ms: number, slow: number, slowMs: number, lagMs: number): PacedLoadResult {
  const h = latencyHistogram();
  const lag = latencyHistogram();
  for (let i = 0; i < n; i++) {
    recordMs(h, i < slow ? slowMs : ms);
    recordMs(lag, lagMs);
  }
  const f = figuresOf(h);
  const l = figuresOf(lag);
  const enc = encodeHistogram(h);
  const lagEnc = encodeHistogram(lag);
  h.destroy();
  lag.destroy();
  return {
    sessions: null,
    sent: n,
    sendingMs: 1000,
    endedMs: 1001,
    statusCounts: { '200': n - 2, '401': 2 },
    errors: 0,
    timeouts: 0,
    correctedHistogram: enc,
    uncorrectedHistogram: enc,
    pacerLagHistogram: lagEnc,
    maxPacerLagMs: lagMs,
    contentChecked: 100,
    contentMismatches: 0,
    eventLoopUtilization: 0.2,
    responseEvents: [],
    errorEvents: [],
    corrected: f,
    uncorrected: f,
    pacerLag: l,
    responses: [],
    errorList: [],
  };
}

describe('equal-load repetitions and cells', () => {
  const expect = { ok: [200], wrong: [401] };
  it('counts correct answers per second and wrong answers from the statuses', () => {
    const r = repetitionOf(0, 1, 2, paced(1000, 0.3, 0, 0, 0.05), expect, undefined);
    assert.equal(r.achievedRps, 499);
    assert.equal(r.wrongAnswers, 2);
    assert.equal(r.valid, true);
  });
  it('counts a sampled 200 that named another user as wrong, not correct', () => {
    const r = repetitionOf(0, 0, 1, { ...paced(1000, 0.3, 0, 0, 0.05), contentChecked: 1000, contentMismatches: 3 }, expect, undefined);
    assert.equal(r.achievedRps, 995);
    assert.equal(r.wrongAnswers, 5);
    assert.equal(r.contentMismatches, 3);
  });
  it('marks a repetition invalid when the pacer lag p99 exceeds max(200 µs, 10% of the p99)', () => {
    assert.equal(repetitionOf(0, 0, 1, paced(1000, 0.3, 0, 0, 0.5), expect, undefined).valid, false);
    // 0.5 ms lag under a 20 ms p99 is under 10%: valid.
    assert.equal(repetitionOf(0, 0, 1, paced(1000, 20, 0, 0, 0.5), expect, undefined).valid, true);
  });
  it('merges the repetitions\' histograms: a slow repetition\'s tail is in the cell\'s p99, with the range beside', () => {
    const reps = [paced(1000, 0.3, 0, 0, 0.05), paced(1000, 0.3, 0, 0, 0.05), paced(1000, 0.3, 50, 25, 0.05)].map((p, i) => repetitionOf(i, 0, 1, p, expect, undefined));
    const s = summariseEqualLoad(reps);
    assert.ok(s);
    assert.ok(Math.abs(s.latencyMs.p99 - 25) < 0.05, String(s.latencyMs.p99));
    assert.ok(Math.abs(s.latencySpread.p99.min - 0.3) < 0.001);
    assert.ok(Math.abs(s.latencySpread.p99.max - 25) < 0.05);
    assert.equal(s.valid, true);
    assert.equal(s.wrongAnswers, 6);
  });
  it('has no summary without a successful repetition, and an invalid repetition makes the cell invalid', () => {
    assert.equal(summariseEqualLoad([{ index: 0, position: 0, status: 'errored', error: 'boom' }]), undefined);
    const s = summariseEqualLoad([repetitionOf(0, 0, 1, paced(100, 0.3, 0, 0, 0.05), expect, undefined), repetitionOf(1, 0, 1, paced(100, 0.3, 0, 0, 1), expect, undefined)]);
    assert.equal(s?.valid, false);
  });
});
