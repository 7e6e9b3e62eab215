import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunResult } from '../result/schema.js';
import { fakeRun, steady } from '../../test-support/compare-fixtures.js';
import { comparability, environmentClass } from './comparable.js';
import { compareRuns, exitCodeOf } from './verdict.js';

const base = (): RunResult => fakeRun({ rps: steady });

describe('which runs can be compared', () => {
  it('accepts two runs of the same settings on the same class of machine', () => {
    assert.deepEqual(comparability(base(), base()), { problems: [], allowed: [] });
  });

  it('ignores what does not change the class: kernel release, CPU model, memory, load, package versions, repetitions', () => {
    const other = fakeRun({ rps: steady, repeat: 7, environment: { platform: 'Linux 6.1.0-99', cpuModel: 'Intel Xeon', totalMemoryMiB: 7000, loadAverage: [3, 3, 3], node: 'v20.11.0', redisVersion: '7.2.4', packages: { fastify: '5.13.0' } } });
    assert.deepEqual(comparability(base(), other).problems, []);
  });

  const refusals: [string, () => RunResult, RegExp][] = [
    ['another schema version', () => ({ ...base(), schemaVersion: 3 as 2 }), /schemaVersion: baseline 2, current 3/],
    ['another scenario set', () => fakeRun({ rps: steady, flags: { scenarios: 'validate' } }), /cells only in the baseline: login × jwt/],
    ['an extra scenario', () => fakeRun({ rps: steady, flags: { scenarios: 'validate,login,session' } }), /cells only in the current run: session × jwt/],
    ['another strategy set', () => fakeRun({ rps: steady, flags: { strategies: 'jwt,redis-token' } }), /cells only in the baseline: login × jwt-blacklist/],
    ['more connections', () => fakeRun({ rps: steady, flags: { connections: '50' } }), /load option connections: baseline 10, current 50/],
    ['a longer duration', () => fakeRun({ rps: steady, flags: { duration: '3' } }), /load option duration: baseline 1 s, current 3 s/],
    // --rate once drove every cell open loop (autocannon overallRate); such a result still reads, and is refused.
    ['an open loop (a result from before the equal-load cells)', () => { const r = fakeRun({ rps: steady }); return { ...r, config: { ...r.config, rate: 5000 } }; }, /load option rate: baseline closed loop, current 5000 req\/s/],
    ['another JWT algorithm', () => fakeRun({ rps: steady, flags: { jwtAlg: 'RS256' } }), /load option jwt-alg: baseline HS256, current RS256/],
    ['a Redis latency', () => fakeRun({ rps: steady, flags: { redisLatency: '1ms' } }), /load option redis-latency: baseline 0 ms, current 1 ms/],
    ['another core count', () => fakeRun({ rps: steady, environment: { cpuCount: 4 } }), /environment class: baseline Linux x64, 2 CPUs, Node 20, Redis 7, current Linux x64, 4 CPUs, Node 20, Redis 7/],
    ['another Node major', () => fakeRun({ rps: steady, environment: { node: 'v22.1.0' } }), /Node 20, .*current .*Node 22/],
    ['another architecture', () => fakeRun({ rps: steady, environment: { arch: 'arm64' } }), /current Linux arm64/],
    ['another Redis major', () => fakeRun({ rps: steady, environment: { redisVersion: '8.0.1' } }), /current .*Redis 8/],
  ];
  for (const [what, make, reason] of refusals) {
    it(`refuses ${what}, with the reason, and judges nothing (exit 2)`, () => {
      const c = compareRuns(base(), make(), { threshold: 0.1 });
      assert.equal(c.comparable, false);
      assert.match(c.problems.join('\n'), reason);
      assert.equal(c.rows.length, 0);
      assert.equal(exitCodeOf(c), 2);
    });
  }

  it('accepts a difference named with --allow-difference, and reports it', () => {
    const r = comparability(base(), fakeRun({ rps: steady, flags: { redisLatency: '1ms' } }), { allowDifferent: ['redis-latency'] });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.allowed, ['redis-latency: baseline 0 ms, current 1 ms']);
  });

  it('refuses loads from different generators: imports at different Artillery rates, or an import and authbench\'s own', () => {
    const imported = (rps: number[]): RunResult => ({ ...base(), importedFrom: 'artillery', importedRps: rps });
    assert.deepEqual(comparability(imported([500]), imported([500])).problems, []);
    assert.deepEqual(comparability(imported([500]), imported([1000])).problems, ['load option generator: baseline Artillery, open arrivals at 500 req/s, current Artillery, open arrivals at 1000 req/s']);
    assert.deepEqual(comparability(base(), imported([500])).problems, ['load option generator: baseline authbench, current Artillery, open arrivals at 500 req/s']);
    assert.deepEqual(comparability(imported([500]), imported([1000]), { allowDifferent: ['generator'] }).problems, [], 'allowed on purpose');
  });

  it('accepts a subset of the baseline\'s cells for a re-measurement, never cells it lacks', () => {
    const some = fakeRun({ rps: steady, flags: { scenarios: 'validate', strategies: 'redis-token' } });
    assert.deepEqual(comparability(base(), some, { subset: true }).problems, []);
    const more = fakeRun({ rps: steady, flags: { scenarios: 'session' } });
    assert.match(comparability(base(), more, { subset: true }).problems.join(), /cells only in the current run: session × jwt/);
  });

  it('names the environment class from the recorded environment', () => {
    assert.deepEqual(environmentClass(base().environment), { os: 'Linux', arch: 'x64', cpuCount: 2, nodeMajor: '20', redisMajor: '7' });
  });
});
