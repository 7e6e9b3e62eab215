import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyCeiling, judge, summarise } from './aggregate.js';
import { encodeHistogram, figuresOf, latencyHistogram, mergeHistograms, recordMs } from './histogram.js';
import type { LoadMeasurement } from '../load/autocannon.js';
import { loadCellsOf, type Repetition, type RunResult } from '../result/schema.js';
import { median, ratio, spread } from '../../lib/stats.js';
import { orderFor } from '../run/runner.js';

function measurement(over: Partial<LoadMeasurement> = {}): LoadMeasurement {
  return {
    durationSec: 2,
    sent: 100,
    responses: 100,
    statusCounts: { '200': 100 },
    errors: 0,
    timeouts: 0,
    resets: 0,
    latencyMs: { p50: 1, p90: 2, p99: 3, p999: 4, max: 5, mean: 1.2 },
    latencyCorrected: false,
    loadGenerator: { cpuPerSec: 0.5, saturated: false },
    ...over,
  };
}

const rep = (index: number, rps: number, m: LoadMeasurement, extra: Partial<Repetition> = {}): Repetition => ({
  index,
  position: 0,
  status: 'ok',
  measurement: m,
  requestsPerSec: rps,
  correct: rps * m.durationSec,
  wrongAnswers: 0,
  ...extra,
});

describe('order statistics', () => {
  it('median of an odd count is the middle value', () => assert.equal(median([5, 1, 3]), 3));
  it('median of an even count is the mean of the two middle values', () => assert.equal(median([4, 1, 3, 2]), 2.5));
  it('spread gives median, min and max', () => assert.deepEqual(spread([10, 30, 20]), { median: 20, min: 10, max: 30 }));
  it('ratio is undefined without a positive denominator', () => {
    assert.equal(ratio(5, 0), undefined);
    assert.equal(ratio(5, undefined), undefined);
    assert.equal(ratio(5, 10), 0.5);
  });
});

describe('judging responses', () => {
  it('counts only the expected statuses as throughput and the wrong ones apart', () => {
    const m = measurement({ durationSec: 2, statusCounts: { '200': 80, '401': 15, '503': 5 } });
    const j = judge(m, { ok: [200], wrong: [401] });
    assert.deepEqual(j, { correct: 80, wrongAnswers: 15, requestsPerSec: 40 });
  });

  it('counts revoked tokens accepted in the revocation scenario', () => {
    const m = measurement({ statusCounts: { '200': 7, '401': 93 } });
    const j = judge(m, { ok: [401], wrong: [200], revokedAccepted: 200 });
    assert.equal(j.revokedAccepted, 7);
    assert.equal(j.wrongAnswers, 7);
    assert.equal(j.correct, 93);
  });

  it('counts a 200 whose sampled body named another user as wrong, not correct', () => {
    const m = measurement({ durationSec: 1, statusCounts: { '200': 100 }, contentChecked: 100, contentMismatches: 3 });
    assert.deepEqual(judge(m, { ok: [200], wrong: [401] }), { correct: 97, wrongAnswers: 3, requestsPerSec: 97 });
  });

  it('does not count a mismatched body twice where a 200 is wrong by its status already', () => {
    const m = measurement({ statusCounts: { '200': 4, '401': 96 }, contentChecked: 4, contentMismatches: 4 });
    const j = judge(m, { ok: [401], wrong: [200], revokedAccepted: 200, refusals: ['revoked'] }, { revoked: 96 });
    assert.equal(j.wrongAnswers, 4);
    assert.equal(j.correct, 96);
  });

  it('counts a refusal for a reason the scenario does not expect (malformed) as wrong, not correct', () => {
    const m = measurement({ statusCounts: { '401': 100 } });
    const j = judge(m, { ok: [401], wrong: [200], refusals: ['revoked'] }, { revoked: 98, malformed: 2 });
    assert.equal(j.wrongAnswers, 2);
    assert.equal(j.correct, 98);
  });

  it('leaves refusals to their status where a 401 is wrong, and judges by status when the reasons were not read', () => {
    const m = measurement({ statusCounts: { '200': 90, '401': 10 } });
    assert.equal(judge(m, { ok: [200], wrong: [401], refusals: [] }, { unknown_token: 10 }).wrongAnswers, 10);
    const revoked = measurement({ statusCounts: { '401': 100 } });
    assert.equal(judge(revoked, { ok: [401], wrong: [200], refusals: ['revoked'] }, undefined).correct, 100);
  });
});

describe('summarising a cell', () => {
  it('without histograms (results from before them): the median of each percentile, the max of max', () => {
    const s = summarise([
      rep(0, 100, measurement({ latencyMs: { p50: 1, p90: 2, p99: 9, p999: 10, max: 50, mean: 1 } })),
      rep(1, 300, measurement({ latencyMs: { p50: 3, p90: 4, p99: 5, p999: 20, max: 30, mean: 1 } })),
      rep(2, 200, measurement({ latencyMs: { p50: 2, p90: 3, p99: 7, p999: 15, max: 40, mean: 1 } })),
    ]);
    assert.ok(s);
    assert.deepEqual(s.requestsPerSec, { median: 200, min: 100, max: 300 });
    assert.deepEqual(s.latencyMs, { p50: 2, p90: 3, p99: 7, p999: 15, max: 50 });
    assert.equal(s.responses, 300);
    assert.deepEqual(s.statusCounts, { '200': 300 });
  });

  it('with histograms: percentiles of the merged histogram, which keeps the worst repetition\'s tail', () => {
    // Three repetitions of 1000 responses: two fast (all 100 µs), one with 5% of its responses at 20 ms. Each
    // repetition's p99: 0.1, 0.1, 20 ms → their median is 0.1 ms, which hides the slow repetition. Merged: 50 of 3000
    // responses (1.7%) are slow, so the merged p99 is 20 ms, and the merged p50 is still 0.1 ms.
    const histogramOf = (slow: number): LoadMeasurement => {
      const h = latencyHistogram();
      for (let i = 0; i < 1000; i++) recordMs(h, i < slow ? 20 : 0.1);
      const f = figuresOf(h);
      const m = measurement({ latencyMs: f, latencyHistogram: encodeHistogram(h) });
      h.destroy();
      return m;
    };
    const reps = [histogramOf(0), histogramOf(0), histogramOf(50)];
    assert.deepEqual(reps.map((r) => Math.round(r.latencyMs.p99 * 10) / 10), [0.1, 0.1, 20]);
    const s = summarise(reps.map((m, i) => rep(i, 100, m)));
    assert.ok(s);
    assert.ok(Math.abs(s.latencyMs.p99 - 20) < 0.05, `merged p99 ${s.latencyMs.p99} ms`);
    assert.ok(Math.abs(s.latencyMs.p50 - 0.1) < 0.001, `merged p50 ${s.latencyMs.p50} ms`);
    assert.deepEqual(s.latencySpread?.p99, { min: reps[0]!.latencyMs.p99, max: reps[2]!.latencyMs.p99 });
    // The merged histogram is kept, and holds every response once.
    assert.ok(s.latencyHistogram);
    const merged = mergeHistograms([s.latencyHistogram]);
    assert.equal(merged.totalCount, 3000);
    merged.destroy();
  });

  it('records latencies in microseconds: sub-millisecond percentiles keep three significant digits', () => {
    const h = latencyHistogram();
    for (let i = 0; i < 100; i++) recordMs(h, 0.412);
    const f = figuresOf(h);
    h.destroy();
    assert.ok(Math.abs(f.p50 - 0.412) < 0.001, String(f.p50));
    assert.equal(f.count, 100);
  });

  it('leaves errored repetitions out of the figures', () => {
    const s = summarise([rep(0, 100, measurement()), { index: 1, position: 0, status: 'errored', error: 'boom' }]);
    assert.deepEqual(s?.requestsPerSec, { median: 100, min: 100, max: 100 });
  });

  it('has no summary when every repetition failed', () => {
    assert.equal(summarise([{ index: 0, position: 0, status: 'errored', error: 'boom' }]), undefined);
  });

  it('summarises the limits of the repetitions that have them, and leaves them out when none has', () => {
    const limits = (label: 'server-bound' | 'machine-bound', server: number) =>
      ({ windowSec: 2, serverCpuPerSec: server, serverMainThreadCpuPerSec: server, serverWorkers: 1, redisCpuPerSec: 0, generatorCpuPerSec: 0.5, machineIdle: 0.05, label }) as const;
    const s = summarise([rep(0, 1, measurement(), { limits: limits('server-bound', 0.95) }), rep(1, 1, measurement(), { limits: limits('server-bound', 0.93) }), rep(2, 1, measurement())]);
    assert.equal(s?.limits?.label, 'server-bound');
    assert.equal(s?.limits?.serverCpuPerSec, 0.94);
    assert.equal(summarise([rep(0, 1, measurement())])?.limits, undefined);
  });

  it('marks the cell saturated when any repetition saturated the load generator', () => {
    const s = summarise([rep(0, 1, measurement()), rep(1, 1, measurement({ loadGenerator: { cpuPerSec: 0.95, saturated: true } }))]);
    assert.equal(s?.loadGenerator.saturated, true);
  });

  it('sums wrong answers and revoked tokens accepted over repetitions', () => {
    const s = summarise([rep(0, 1, measurement(), { wrongAnswers: 2, revokedAccepted: 2 }), rep(1, 1, measurement(), { wrongAnswers: 3, revokedAccepted: 3 })]);
    assert.equal(s?.wrongAnswers, 5);
    assert.equal(s?.revokedAccepted, 5);
  });

  it('sums body checks and refusals by reason over repetitions, and leaves them out when none were recorded', () => {
    const checked = (n: number, bad: number): LoadMeasurement => measurement({ contentChecked: n, contentMismatches: bad });
    const s = summarise([rep(0, 1, checked(1000, 1), { refusalsByReason: { revoked: 10 } }), rep(1, 1, checked(1200, 0), { refusalsByReason: { revoked: 5, malformed: 1 } })]);
    assert.equal(s?.contentChecked, 2200);
    assert.equal(s?.contentMismatches, 1);
    assert.deepEqual(s?.refusalsByReason, { revoked: 15, malformed: 1 });
    const old = summarise([rep(0, 1, measurement())]);
    assert.equal(old?.contentChecked, undefined);
    assert.equal(old?.refusalsByReason, undefined);
  });

  it('sums sessions and refreshes over repetitions, with the access token life read, and no life where none was read', () => {
    const s = summarise([rep(0, 1, measurement({ sessions: { sessions: 400, refreshes: 8, refreshesFailed: 0, accessTtlSec: 2 } })), rep(1, 1, measurement({ sessions: { sessions: 300, refreshes: 0, refreshesFailed: 1, accessTtlSec: 2 } }))]);
    assert.deepEqual(s?.sessions, { sessions: 700, refreshes: 8, refreshesFailed: 1, accessTtlSec: 2 });
    const other = summarise([rep(0, 1, measurement({ sessions: { sessions: 400, refreshes: 0, refreshesFailed: 0 } }))]);
    assert.deepEqual(other?.sessions, { sessions: 400, refreshes: 0, refreshesFailed: 0 });
    assert.equal(summarise([rep(0, 1, measurement())])?.sessions, undefined);
  });
});

describe('fraction of the ceiling', () => {
  it('divides each cell by the ceiling of the same design', () => {
    const cell = (scenario: string, strategy: string, rps: number) => ({
      kind: scenario === 'ceiling' ? 'ceiling' : 'load',
      scenario,
      strategy,
      status: 'ok' as const,
      repetitions: [],
      errors: [],
      summary: summarise([rep(0, rps, measurement())]),
    });
    const result = { cells: [cell('ceiling', 'jwt', 1000), cell('ceiling', 'redis-token', 500), cell('validate', 'jwt', 250), cell('validate', 'redis-token', 250)], ceiling: {} } as unknown as RunResult;
    applyCeiling(result);
    assert.equal(loadCellsOf(result)[2]?.summary?.ceilingFraction, 0.25);
    assert.equal(loadCellsOf(result)[3]?.summary?.ceilingFraction, 0.5);
    assert.deepEqual(result.ceiling['jwt'], { median: 1000, min: 1000, max: 1000 });
  });
});

describe('repetition order', () => {
  it('alternates: forward on even repetitions, reversed on odd ones', () => {
    assert.deepEqual(orderFor(['a', 'b', 'c'], 0), ['a', 'b', 'c']);
    assert.deepEqual(orderFor(['a', 'b', 'c'], 1), ['c', 'b', 'a']);
    assert.deepEqual(orderFor(['a', 'b', 'c'], 2), ['a', 'b', 'c']);
  });
});
