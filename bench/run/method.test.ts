import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveRunConfig } from './config.js';
import { describeMethod } from './method.js';

const method = (flags: Record<string, string>): string => describeMethod(resolveRunConfig(flags, {}), true).join('\n');

describe('the method lines of a run', () => {
  it('describe the throughput cells, the ceiling and the equal-load cells of a run that measures them', () => {
    const text = method({});
    assert.match(text, /^throughput cells: autocannon, closed loop/m);
    assert.match(text, /^× ceiling: /m);
    assert.match(text, /^equal-load cells \(validate\)/m);
    assert.match(text, /that runs the ceiling, then each scenario/);
  });

  it('leave them out of a run of propagation alone, which measures none of them', () => {
    const text = method({ scenarios: 'propagation' });
    for (const absent of [/throughput cells/, /× ceiling/, /equal-load/, /runs the ceiling/, /^limit: /m]) assert.doesNotMatch(text, absent);
    assert.match(text, /^propagation: per design 2 server processes/m);
    assert.match(text, /^each cell starts fresh server processes/m);
  });

  it('leave out the equal-load cells of outages at a given rate: that rate is the outages\', no validate runs at it', () => {
    const text = method({ scenarios: 'outage', rate: '200' });
    assert.doesNotMatch(text, /equal-load/);
    assert.doesNotMatch(text, /throughput cells/);
  });
});
