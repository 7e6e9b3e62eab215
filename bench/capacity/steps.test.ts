import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capacityOf, judgeStep, nextRate, type CapacityStep } from './steps.js';

const rules = { sloP99Ms: 10, maxErrorRate: 0.01, minAchievedShare: 0.9 };
const step = (rate: number, over: Partial<CapacityStep> = {}): CapacityStep => ({ rate, achievedRps: rate, p99CorrectedMs: 2, p99UncorrectedMs: 1, errorRate: 0, ...over });

describe('capacity steps', () => {
  it('passes a step inside the target with no errors at the asked rate', () => assert.equal(judgeStep(step(1000), rules), 'ok'));
  it('fails a step whose corrected p99 exceeds the target, whatever the uncorrected one says', () =>
    assert.equal(judgeStep(step(1000, { p99CorrectedMs: 12, p99UncorrectedMs: 3 }), rules), 'slo-exceeded'));
  it('fails a step with more than 1% errors', () => assert.equal(judgeStep(step(1000, { errorRate: 0.02 }), rules), 'errors'));
  it('calls a step generator-limited when the rate was not reached but the server was fine', () =>
    assert.equal(judgeStep(step(1000, { achievedRps: 800 }), rules), 'generator-limited'));
  it('calls a step generator-limited when the pacer sent late: lag p99 over 200 µs and over 10% of the p99', () => {
    assert.equal(judgeStep(step(1000, { pacerLagP99Ms: 0.5, p99CorrectedMs: 2 }), rules), 'generator-limited');
    // 0.5 ms of lag is under 10% of a 8 ms p99: the latency is still the server's.
    assert.equal(judgeStep(step(1000, { pacerLagP99Ms: 0.5, p99CorrectedMs: 8 }), rules), 'ok');
    assert.equal(judgeStep(step(1000, { pacerLagP99Ms: 0.15, p99CorrectedMs: 0.4 }), rules), 'ok');
  });
  it('steps the rate geometrically, always upward', () => {
    assert.equal(nextRate(1000, 1.25), 1250);
    assert.equal(nextRate(1, 1.25), 2);
  });
});

describe('capacity of a search', () => {
  it('is the highest ok rate before the first failing step', () => {
    const steps = [step(1000), step(1250), step(1563, { p99CorrectedMs: 15 }), step(1953)];
    assert.deepEqual(capacityOf(steps, rules, 10), { sustainableRate: 1250, stoppedBy: 'slo-exceeded' });
  });
  it('is null when the first step already fails', () => {
    assert.deepEqual(capacityOf([step(1000, { errorRate: 0.5 })], rules, 10), { sustainableRate: null, stoppedBy: 'errors' });
  });
  it('says when it ran out of steps rather than finding the limit', () => {
    assert.deepEqual(capacityOf([step(1), step(2)], rules, 2), { sustainableRate: 2, stoppedBy: 'max-steps' });
  });
  it('stops at a generator-limited step and keeps the rate before it', () => {
    assert.deepEqual(capacityOf([step(1000), step(1250, { achievedRps: 900 })], rules, 10), { sustainableRate: 1000, stoppedBy: 'generator-limited' });
  });
});
