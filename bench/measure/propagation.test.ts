import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PollRecorder, summarizePropagation, type InstancePoll, type LogoutProbe } from './propagation.js';

const poll = (over: Partial<InstancePoll>): InstancePoll => ({ acceptedAfterAck: 0, refusedAtMs: 0, acceptedAfterRefusal: 0, otherAnswers: 0, polls: 3, pollRoundTripMs: 0.3, ...over });

describe('PollRecorder', () => {
  it('counts 200s before the first refusal as accepted after the logout, and 200s after it as undone', () => {
    const r = new PollRecorder();
    r.record(200, 0.1, 0.3);
    r.record(200, 0.5, 0.3);
    r.record(401, 0.9, 0.2);
    r.record(200, 1.2, 0.4);
    r.record(503, 1.5, 0.3);
    r.record(401, 1.9, 0.3);
    assert.deepEqual(r.result(), { acceptedAfterAck: 2, refusedAtMs: 0.9, acceptedAfterRefusal: 1, otherAnswers: 1, polls: 6, pollRoundTripMs: 0.3 });
  });

  it('is confirmed after n refusals in a row, and a 200 starts the count again', () => {
    const r = new PollRecorder();
    r.record(401, 0, 0.1);
    r.record(401, 1, 0.1);
    assert.equal(r.confirmed(3), false);
    r.record(200, 2, 0.1);
    r.record(401, 3, 0.1);
    r.record(401, 4, 0.1);
    assert.equal(r.confirmed(3), false);
    r.record(401, 5, 0.1);
    assert.equal(r.confirmed(3), true);
    assert.equal(r.result().refusedAtMs, 0, 'the first refusal is when it began refusing');
  });

  it('never refused: no refusal time', () => {
    const r = new PollRecorder();
    r.record(200, 0, 0.1);
    assert.equal(r.result().refusedAtMs, undefined);
  });
});

describe('summarizePropagation', () => {
  it('takes, per logout, the last instance to refuse, and percentiles over the logouts refused everywhere', () => {
    const probes: LogoutProbe[] = [
      { logoutMs: 1, instances: [poll({ refusedAtMs: 1 }), poll({ refusedAtMs: 4, acceptedAfterAck: 2 })] },
      { logoutMs: 1, instances: [poll({ refusedAtMs: 2 }), poll({ refusedAtMs: 2 })] },
      { logoutMs: 1, instances: [poll({ refusedAtMs: 3 }), poll({ refusedAtMs: undefined, acceptedAfterAck: 40 })] },
      { logoutMs: NaN, instances: [], error: 'login answered 503' },
    ];
    const s = summarizePropagation(probes, 4500);
    assert.equal(s.logouts, 4);
    assert.equal(s.failed, 1);
    assert.equal(s.refusedEverywhere, 2);
    assert.equal(s.notRefusedInWindow, 1);
    assert.deepEqual(s.delayMs, { p50: 2, p99: 4, max: 4 });
    assert.equal(s.acceptedAfterAck, 42);
    assert.equal(s.maxAcceptedAfterOneLogout, 40);
    assert.equal(s.pollRoundTripMs, 0.3);
    assert.deepEqual(s.window, { ms: 4500 });
  });

  it('has no delay percentiles when no logout was refused everywhere', () => {
    const s = summarizePropagation([{ logoutMs: 1, instances: [poll({ refusedAtMs: undefined })] }], 100);
    assert.deepEqual(s.delayMs, { p50: null, p99: null, max: null });
  });
});
