import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyseOutage, bucketIndex, buildTimeline, phaseOf } from './outage.js';
import type { ErrorEvent, OutageInput, ResponseEvent } from './outage-events.js';

/** A fast response for valid token v1 unless told otherwise. */
const res = (t: number, status = 200, over: Partial<ResponseEvent> = {}): ResponseEvent => ({ t, latencyMs: 5, status, kind: 'valid', token: 'v1', ...over });
const err = (t: number, timeout = false): ErrorEvent => ({ t, timeout });
/** One response every stepMs over [from, to). */
const steady = (from: number, to: number, status = 200, stepMs = 100): ResponseEvent[] =>
  Array.from({ length: Math.ceil((to - from) / stepMs) }, (_, i) => res(from + i * stepMs, status));

/** Fault in [1000, 2000), load stops at 3000, buckets of 250 ms (12 of them). */
function input(over: Partial<OutageInput> = {}): OutageInput {
  const responses = over.responses ?? [];
  const errors = over.errors ?? [];
  return {
    fault: 'redis-down',
    strategy: 'redis-token',
    policy: 'closed',
    window: { faultStartMs: 1000, faultEndMs: 2000, endMs: 3000 },
    bucketMs: 250,
    sent: responses.length + errors.length,
    health: [],
    uncheckedServed: 0,
    expectRevokedRefused: true,
    ...over,
    responses,
    errors,
  };
}

describe('phases and buckets', () => {
  const w = { faultStartMs: 1000, faultEndMs: 2000, endMs: 3000 };
  it('the fault start belongs to during and the fault end to after', () => {
    assert.equal(phaseOf(999.9, w), 'before');
    assert.equal(phaseOf(1000, w), 'during');
    assert.equal(phaseOf(1999.9, w), 'during');
    assert.equal(phaseOf(2000, w), 'after');
  });

  it('an event exactly on a boundary goes into the bucket that starts there', () => {
    assert.equal(bucketIndex(249.9, 250, 3000), 0);
    assert.equal(bucketIndex(250, 250, 3000), 1);
  });

  it('events at or after the end go into the last bucket, and before 0 into the first', () => {
    assert.equal(bucketIndex(3000, 250, 3000), 11);
    assert.equal(bucketIndex(99_999, 250, 3000), 11);
    assert.equal(bucketIndex(-1, 250, 3000), 0);
  });
});

describe('timeline', () => {
  const short = { window: { faultStartMs: 300, faultEndMs: 600, endMs: 1100 } };

  it('covers [0, endMs) in steps of bucketMs, the last bucket shorter', () => {
    const tl = buildTimeline(input(short));
    assert.deepEqual(tl.map((b) => [b.startMs, b.endMs]), [[0, 250], [250, 500], [500, 750], [750, 1000], [1000, 1100]]);
  });

  it('marks a bucket during when it overlaps the fault window', () => {
    assert.deepEqual(buildTimeline(input(short)).map((b) => b.phase), ['before', 'during', 'during', 'after', 'after']);
  });

  it('counts 2xx, 401, 503 and other statuses apart, and timeouts among the errors', () => {
    const [b] = buildTimeline(input({ ...short, responses: [res(0), res(10, 204), res(20, 401), res(30, 503), res(40, 500), res(50, 404)], errors: [err(60), err(70, true)] }));
    assert.deepEqual(
      { ok2xx: b?.ok2xx, unauthorized401: b?.unauthorized401, unavailable503: b?.unavailable503, other: b?.other, errors: b?.errors, timeouts: b?.timeouts },
      { ok2xx: 2, unauthorized401: 1, unavailable503: 1, other: 2, errors: 2, timeouts: 1 },
    );
  });

  it('counts the 2xx that answered a revoked token apart, among the 2xx', () => {
    const revoked = (t: number, status = 200): ResponseEvent => res(t, status, { kind: 'revoked', token: 'r1' });
    const [b, c] = buildTimeline(input({ ...short, responses: [res(0), revoked(10), revoked(20, 204), revoked(30, 401), res(260)] }));
    assert.deepEqual([b?.ok2xx, b?.revoked2xx, b?.unauthorized401], [3, 2, 1]);
    assert.deepEqual([c?.ok2xx, c?.revoked2xx], [1, 0]);
  });

  it('puts a response exactly on a boundary in the later bucket and late ones in the last', () => {
    const tl = buildTimeline(input({ ...short, responses: [res(249.9), res(250), res(1100), res(5000)], errors: [err(1000)] }));
    assert.deepEqual(tl.map((b) => b.ok2xx), [1, 1, 0, 0, 2]);
    assert.equal(tl[4]?.errors, 1);
  });

  it('takes the percentiles from the latencies in the bucket, null when it has none', () => {
    const responses = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((latencyMs, i) => res(i, 200, { latencyMs }));
    const tl = buildTimeline(input({ ...short, responses }));
    assert.deepEqual([tl[0]?.p50Ms, tl[0]?.p99Ms], [5, 10]);
    assert.deepEqual([tl[1]?.p50Ms, tl[1]?.p99Ms], [null, null]);
  });

  it('takes each health field from the last sample in the bucket that has it', () => {
    const health = [
      { t: 200, inFlight: 2, rssBytes: 20, eventLoopDelayP99Ms: 3, eventLoopDelayMaxMs: 4 },
      { t: 100, inFlight: 1, rssBytes: 10 },
      { t: 240 }, // a failed probe does not erase the values before it
      { t: 250, inFlight: 9 },
      { t: 9000, rssBytes: 77 },
    ];
    const tl = buildTimeline(input({ ...short, health }));
    assert.deepEqual(
      { inFlight: tl[0]?.inFlight, rssBytes: tl[0]?.rssBytes, p99: tl[0]?.eventLoopDelayP99Ms, max: tl[0]?.eventLoopDelayMaxMs },
      { inFlight: 2, rssBytes: 20, p99: 3, max: 4 },
    );
    assert.equal(tl[1]?.inFlight, 9);
    assert.equal('rssBytes' in (tl[1] ?? {}), false);
    assert.deepEqual(Object.keys(tl[2] ?? {}).filter((k) => ['inFlight', 'rssBytes', 'eventLoopDelayP99Ms', 'eventLoopDelayMaxMs'].includes(k)), []);
    assert.equal(tl[4]?.rssBytes, 77);
  });
});

describe('outage figures', () => {
  it('a clean run: full availability, no detection, nothing to recover, nothing hung or lost', () => {
    const s = analyseOutage(input({ responses: steady(0, 3000) }));
    assert.deepEqual(
      [s.availability, s.timeToDetectMs, s.timeToRecoverMs, s.timeToSustainedMs, s.worstLatencyMs, s.hungRequests, s.lostRequests, s.unknownOutcome, s.sessionsLost],
      [1, null, 0, 0, 5, 0, 0, 0, 0],
    );
    assert.deepEqual(s.revokedAccepted, { before: 0, during: 0, after: 0 });
    assert.equal(s.timeline.length, 12);
  });

  it('availability is the share of answers below 500 among what ended in the fault window', () => {
    const responses = [...steady(1000, 1600), res(1600, 401), res(1700, 503), res(1800, 503), res(500, 503), res(2500, 503)];
    const s = analyseOutage(input({ responses, errors: [err(1900), err(2100)] }));
    assert.equal(s.availability, 0.7); // 6 × 200 + 1 × 401 of 10 (2 × 503, 1 error)
  });

  it('availability is null when nothing ended in the fault window', () => {
    const s = analyseOutage(input({ responses: [...steady(0, 1000), ...steady(2000, 3000)] }));
    assert.equal(s.availability, null);
  });

  it('time to detect runs from the fault start to the first fast 503', () => {
    const responses = [res(900, 503), res(1000), res(1050), res(1100, 503, { latencyMs: 1500 }), res(1120, 503, { latencyMs: 20 }), ...steady(1200, 2000, 503)];
    assert.equal(analyseOutage(input({ responses })).timeToDetectMs, 120);
  });

  it('a design that never answers 503 never detects', () => {
    const s = analyseOutage(input({ strategy: 'jwt', policy: 'none', responses: steady(0, 3000), expectRevokedRefused: false }));
    assert.equal(s.timeToDetectMs, null);
  });

  it('slow 503s past the hung threshold are not detection but count as hung, with timeouts', () => {
    const responses = [...steady(0, 1000), res(1500, 503, { latencyMs: 1500 }), res(1800, 503, { latencyMs: 1001 }), res(2100, 200, { latencyMs: 1200 })];
    const s = analyseOutage(input({ responses, errors: [err(1900, true), err(1950)] }));
    assert.equal(s.timeToDetectMs, null);
    assert.equal(s.hungRequests, 4); // 3 slow responses + 1 timeout; the connection error is not hung
    assert.equal(s.worstLatencyMs, 1500); // the 1200 ms response ended after the window
  });

  it('a latency exactly at the threshold is neither hung nor too slow to detect', () => {
    const s = analyseOutage(input({ hungThresholdMs: 200, responses: [res(1300, 503, { latencyMs: 200 }), res(1400, 200, { latencyMs: 201 })] }));
    assert.equal(s.timeToDetectMs, 300);
    assert.equal(s.hungRequests, 1);
  });

  it('recovery is the first valid 2xx after the fault; sustained waits for the flapping to stop', () => {
    const after = [res(2050, 200, { kind: 'revoked', token: 'r1' }), res(2100), res(2200), res(2300, 503), res(2400), res(2500), res(2600), res(2800), res(2900)];
    const s = analyseOutage(input({ responses: [...steady(0, 1000), ...steady(1000, 2000, 503), ...after], errors: [err(2700)] }));
    assert.equal(s.timeToRecoverMs, 100); // the revoked token's 2xx at 2050 does not count
    assert.equal(s.timeToSustainedMs, 750); // [2250, 2500) has a 503, [2500, 2750) an error; [2750, 3000) is clean
  });

  it('sustained recovery is null when the last bucket still has a 5xx', () => {
    const s = analyseOutage(input({ responses: [...steady(1000, 2000, 503), ...steady(2000, 3000), res(2950, 502)] }));
    assert.equal(s.timeToRecoverMs, 0); // the first valid 2xx arrived exactly at the fault end
    assert.equal(s.timeToSustainedMs, null);
  });

  it('an empty bucket is not healthy: a server that falls silent has not recovered', () => {
    const s = analyseOutage(input({ responses: [...steady(1000, 2000, 503), res(2100)] }));
    assert.equal(s.timeToRecoverMs, 100);
    assert.equal(s.timeToSustainedMs, null);
  });

  it('sustained recovery starts at the first wholly healthy bucket when the fault ends mid-bucket', () => {
    const window = { faultStartMs: 1000, faultEndMs: 2100, endMs: 3000 };
    const s = analyseOutage(input({ window, responses: [...steady(1000, 2100, 503), ...steady(2100, 3000)] }));
    assert.equal(s.timeToSustainedMs, 150); // [2000, 2250) holds the 503 at 2000; [2250, 2500) is the first clean bucket
  });

  it('with no time left after the fault, neither recovery can be seen', () => {
    const s = analyseOutage(input({ window: { faultStartMs: 1000, faultEndMs: 3000, endMs: 3000 }, responses: [...steady(0, 1000), ...steady(1000, 3000, 503)] }));
    assert.deepEqual([s.timeToRecoverMs, s.timeToSustainedMs], [null, null]);
  });

  it('a failure from the fault start on means there is something to recover from, even when the window is empty', () => {
    const s = analyseOutage(input({ responses: [...steady(0, 1000), res(2150, 200, { latencyMs: 1400 }), res(2300)] }));
    assert.equal(s.availability, null);
    assert.equal(s.timeToRecoverMs, 150); // the slow response ended after the fault; it still counts as served
  });

  it('the worst latency is the largest in the fault window only', () => {
    const responses = [res(500, 200, { latencyMs: 900 }), res(1200, 503, { latencyMs: 40 }), res(1999, 200, { latencyMs: 60 }), res(2000, 200, { latencyMs: 800 })];
    assert.equal(analyseOutage(input({ responses })).worstLatencyMs, 60);
  });

  it('counts revoked tokens accepted by the phase of the response', () => {
    const revoked = (t: number, status = 200): ResponseEvent => res(t, status, { kind: 'revoked', token: 'r1' });
    const responses = [revoked(500), revoked(1000), revoked(1500, 204), revoked(1999), revoked(2000), revoked(2500), revoked(1200, 401), res(1300)];
    const s = analyseOutage(input({ policy: 'open', responses, uncheckedServed: 3 }));
    assert.deepEqual(s.revokedAccepted, { before: 1, during: 3, after: 2 });
    assert.equal(s.uncheckedServed, 3);
  });

  it('copies whether revocation was expected, so jwt is not blamed for a design limit', () => {
    assert.equal(analyseOutage(input({ strategy: 'jwt', expectRevokedRefused: false })).expectRevokedRefused, false);
  });

  it('sessions lost counts distinct valid tokens refused after the fault', () => {
    const responses = [
      res(2100, 401, { token: 'v1' }),
      res(2200, 401, { token: 'v1' }),
      res(2300, 401, { token: 'v2' }),
      res(1500, 401, { token: 'v3' }), // during: not lost for good
      res(2400, 401, { kind: 'revoked', token: 'r1' }), // refusing a revoked token is right
      res(2500, 200, { token: 'v4' }),
    ];
    const s = analyseOutage(input({ responses }));
    assert.equal(s.sessionsLost, 2);
    assert.deepEqual(s.validRefused, { before: 0, during: 1, after: 3 });
  });

  it('lost requests were neither answered nor errored; unknown outcome counts the timeouts', () => {
    const s = analyseOutage(input({ sent: 20, responses: steady(0, 1200), errors: [err(1300, true), err(1400, true), err(1500), err(1600), err(1700)] }));
    assert.equal(s.lostRequests, 3); // 20 - 12 - 5
    assert.equal(s.unknownOutcome, 2);
  });

  it('lost requests are never negative', () => assert.equal(analyseOutage(input({ sent: 5, responses: steady(0, 1200) })).lostRequests, 0));
});

describe('input validation', () => {
  for (const bucketMs of [0, -1, 251, Number.NaN]) {
    it(`refuses bucketMs ${bucketMs}`, () => assert.throws(() => analyseOutage(input({ bucketMs })), { name: 'RangeError', message: /bucketMs must be/ }));
  }

  it('accepts bucketMs of exactly 250', () => assert.doesNotThrow(() => analyseOutage(input({ bucketMs: 250 }))));

  const windows = {
    'a fault that ends before it starts': { faultStartMs: 2000, faultEndMs: 1000, endMs: 3000 },
    'a fault that ends after the load': { faultStartMs: 1000, faultEndMs: 3500, endMs: 3000 },
    'a negative fault start': { faultStartMs: -1, faultEndMs: 1000, endMs: 3000 },
    'a load of zero length': { faultStartMs: 0, faultEndMs: 0, endMs: 0 },
  };
  for (const [name, window] of Object.entries(windows)) {
    it(`refuses ${name}`, () => assert.throws(() => analyseOutage(input({ window })), { name: 'RangeError', message: /window must satisfy/ }));
  }

  it('accepts an empty fault window (a run without a fault)', () => {
    const s = analyseOutage(input({ window: { faultStartMs: 1000, faultEndMs: 1000, endMs: 3000 }, responses: steady(0, 3000) }));
    assert.deepEqual([s.availability, s.timeToRecoverMs, s.timeToSustainedMs], [null, 0, 0]);
  });

  it('refuses a hung threshold that is not positive', () =>
    assert.throws(() => analyseOutage(input({ hungThresholdMs: 0 })), { name: 'RangeError', message: /hungThresholdMs must be/ }));
});
