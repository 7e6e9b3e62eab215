import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bracket, capacityOf, judgeStep, nextProbe, nextRate, roundOrder, type CapacityStep, type StepVerdict } from './steps.js';

const rules = { sloP99Ms: 10, maxErrorRate: 0.01, minAchievedShare: 0.9 };
const step = (rate: number, over: Partial<CapacityStep> = {}): CapacityStep => ({ rate, achievedRps: rate, p99CorrectedMs: 2, p99UncorrectedMs: 1, errorRate: 0, ...over });

describe('capacity steps', () => {
  it('passes a step inside the target with no errors at the asked rate', () => assert.equal(judgeStep(step(1000), rules), 'ok'));
  it('fails a step whose corrected p99 exceeds the target, whatever the uncorrected one says', () =>
    assert.equal(judgeStep(step(1000, { p99CorrectedMs: 12, p99UncorrectedMs: 3 }), rules), 'slo-exceeded'));
  it('fails a step with more than 1% errors', () => assert.equal(judgeStep(step(1000, { errorRate: 0.02 }), rules), 'errors'));
  it('calls a step generator-limited when the rate was not reached but the server was fine', () =>
    assert.equal(judgeStep(step(1000, { achievedRps: 800 }), rules), 'generator-limited'));
  it('passes a step within the target whatever the pacer lag: a late send only adds to the corrected latency', () => {
    assert.equal(judgeStep(step(1000, { pacerLagP99Ms: 5, p99CorrectedMs: 8 }), rules), 'ok');
  });
  it('calls a step over the target generator-limited when its pacer lag p99 is over 200 µs and over 10% of the p99', () => {
    assert.equal(judgeStep(step(1000, { pacerLagP99Ms: 3, p99CorrectedMs: 12 }), rules), 'generator-limited');
    // 1 ms of lag is under 10% of a 20 ms p99: the miss is the server's.
    assert.equal(judgeStep(step(1000, { pacerLagP99Ms: 1, p99CorrectedMs: 20 }), rules), 'slo-exceeded');
  });
  it('fails a step over the target whatever the lag when even its uncorrected p99 (timed from the actual write) is over it', () => {
    // The lag cannot be the cause: without it the server still missed the target (jwt-blacklist at 3,000 req/s here).
    assert.equal(judgeStep(step(1000, { pacerLagP99Ms: 20, p99CorrectedMs: 67.9, p99UncorrectedMs: 31.6 }), rules), 'slo-exceeded');
    assert.equal(judgeStep(step(1000, { pacerLagP99Ms: 3, p99CorrectedMs: 12, p99UncorrectedMs: 10.5 }), rules), 'slo-exceeded');
    // Within the target once the lag is left out: the lag may be why the corrected one is over.
    assert.equal(judgeStep(step(1000, { pacerLagP99Ms: 3, p99CorrectedMs: 12, p99UncorrectedMs: 9 }), rules), 'generator-limited');
    assert.equal(judgeStep(step(1000, { pacerLagP99Ms: 3, p99CorrectedMs: 12, p99UncorrectedMs: null }), rules), 'generator-limited');
  });
  it('steps the rate geometrically, always upward', () => {
    assert.equal(nextRate(1000, 1.25), 1250);
    assert.equal(nextRate(1, 1.25), 2);
  });
});

describe('the search', () => {
  const search = { startRate: 1000, factor: 2, maxSteps: 12, resolution: 0.05 };
  const t = (rate: number, verdict: StepVerdict = 'ok') => ({ rate, verdict });

  it('steps up by the factor while every rate passes', () => {
    assert.equal(nextProbe([], search), 1000);
    assert.equal(nextProbe([t(1000), t(2000)], search), 4000);
  });
  it('then bisects between the last passing and the first failing rate', () => {
    assert.equal(nextProbe([t(1000), t(2000), t(4000, 'slo-exceeded')], search), 3000);
    assert.equal(nextProbe([t(1000), t(2000), t(4000, 'slo-exceeded'), t(3000, 'errors')], search), 2500);
    assert.equal(nextProbe([t(1000), t(2000), t(4000, 'slo-exceeded'), t(3000)], search), 3500);
  });
  it('stops when the bracket is within the resolution and its first failing rate failed twice, or at max-steps', () => {
    assert.equal(nextProbe([t(1000), t(1040, 'slo-exceeded'), t(1040, 'slo-exceeded')], search), undefined);
    assert.equal(nextProbe([t(1000), t(2000)], { ...search, maxSteps: 2 }), undefined);
    assert.equal(nextProbe([t(1000), t(1040, 'slo-exceeded')], { ...search, maxSteps: 2 }), undefined, 'no confirmation past max-steps');
  });
  it('tries the first failing rate once more before it ends: one failing try is not believed', () => {
    assert.equal(nextProbe([t(1000), t(1040, 'slo-exceeded')], search), 1040);
    // The case that asked for it: 3,000 req/s failed on its first try, and the search bisected below it.
    const fromFailingStart = [t(3000, 'slo-exceeded'), t(2400), t(2700), t(2850), t(2925)];
    assert.equal(nextProbe(fromFailingStart, { ...search, startRate: 3000, factor: 1.25 }), 3000);
    // Its second try (judged with the first one's repetitions) passes: the search goes on above it.
    const passedAgain = [...fromFailingStart, t(3000)];
    assert.deepEqual(bracket(passedAgain), { pass: 3000 });
    assert.equal(nextProbe(passedAgain, { ...search, startRate: 3000, factor: 1.25 }), 3750);
    // It fails again: the answer stands, and it is said to have converged.
    const failedAgain = [...fromFailingStart, t(3000, 'slo-exceeded')];
    assert.equal(nextProbe(failedAgain, { ...search, startRate: 3000, factor: 1.25 }), undefined);
    assert.deepEqual(capacityOf(failedAgain, search), { sustainableRate: 2925, firstFailingRate: 3000, stoppedBy: 'slo-exceeded', converged: true });
  });
  it('judges a rate by its last try', () => {
    assert.deepEqual(bracket([t(1000), t(2000, 'slo-exceeded'), t(1500), t(2000)]), { pass: 2000 });
    assert.deepEqual(bracket([t(1000), t(2000), t(2000, 'errors')]), { pass: 1000, fail: 2000 });
  });
  it('steps down when the first rate already fails', () => {
    assert.equal(nextProbe([t(1000, 'errors')], search), 500);
    assert.equal(nextProbe([t(1000, 'errors'), t(500)], search), 750);
  });
  it('answers with the bracket: the last passing and the first failing rate, and what failed there', () => {
    const trials = [t(1000), t(2000), t(4000, 'slo-exceeded'), t(3000, 'errors'), t(2500), t(2750, 'slo-exceeded'), t(2625)];
    assert.deepEqual(capacityOf(trials, search), { sustainableRate: 2625, firstFailingRate: 2750, stoppedBy: 'slo-exceeded', converged: true });
  });
  it('says when every rate passed and the steps ran out, and when none passed', () => {
    assert.deepEqual(capacityOf([t(1000), t(2000)], search), { sustainableRate: 2000, firstFailingRate: null, stoppedBy: 'max-steps', converged: false });
    assert.deepEqual(capacityOf([t(1000, 'errors'), t(500, 'errors')], search), { sustainableRate: null, firstFailingRate: 500, stoppedBy: 'errors', converged: false });
  });
  it('keeps a passing rate above the first failure out of the answer (noise above the bracket)', () => {
    assert.deepEqual(bracket([t(1000), t(2000, 'slo-exceeded'), t(4000)]), { pass: 1000, fail: 2000 });
  });
});

describe('the interleaved rounds', () => {
  it('turn the order by one each round, so no design is always first or always after the same one', () => {
    const designs = ['a', 'b', 'c'];
    assert.deepEqual([0, 1, 2, 3].map((r) => roundOrder(designs, r).join('')), ['abc', 'bca', 'cab', 'abc']);
  });
  it('keep turning when designs drop out, and have nothing to run when none is left', () => {
    assert.deepEqual(roundOrder(['a', 'c'], 3), ['c', 'a']);
    assert.deepEqual(roundOrder([], 5), []);
  });
});
