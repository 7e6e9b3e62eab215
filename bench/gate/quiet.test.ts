import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Limits } from '../measure/limits.js';
import { loadCellsOf, type RunResult } from '../result/schema.js';
import { fakeRun, steady } from '../../test-support/compare-fixtures.js';
import { BUSY_OTHERS_CPU, othersCpuOf, quietCheck, quietLines } from './quiet.js';

const limits = (othersCpuPerSec: number | null | undefined): Limits => ({
  windowSec: 1,
  serverCpuPerSec: 1,
  serverMainThreadCpuPerSec: 1,
  serverWorkers: 1,
  redisCpuPerSec: 0.1,
  generatorCpuPerSec: 0.6,
  machineIdle: 0.1,
  label: 'server-bound',
  ...(othersCpuPerSec === undefined ? {} : { othersCpuPerSec }),
});

/** A run whose every ok repetition has others = f(scenario, strategy, rep); the ceiling's req/s from `ceiling`. */
function runWith(others: (scenario: string, strategy: string, rep: number) => number | null | undefined, ceiling?: (strategy: string, rep: number) => number): RunResult {
  const r = fakeRun({ rps: (scenario, strategy, rep) => (scenario === 'ceiling' && ceiling !== undefined ? ceiling(strategy, rep) : steady(scenario, strategy, rep)) });
  return { ...r, cells: loadCellsOf(r).map((c) => ({ ...c, repetitions: c.repetitions.map((x) => (x.status === 'ok' ? { ...x, limits: limits(others(c.scenario, c.strategy, x.index)) } : x)) })) };
}

describe('whether a baseline met a quiet machine', () => {
  it('takes the median of what other processes used over every measured window, and names the largest', () => {
    const run = runWith((scenario, strategy, rep) => (scenario === 'login' && strategy === 'redis-token' && rep === 3 ? 0.29 : 0.03));
    const o = othersCpuOf(run);
    assert.equal(o?.windows, 45, '3 designs × (ceiling + 2 scenarios) × 5 repetitions');
    assert.equal(o?.median, 0.03);
    assert.equal(o?.max, 0.29);
    assert.equal(o?.maxAt, 'login × redis-token, repetition 4');
  });

  it('a quiet machine whose 1 s ceiling varies 2× is not busy: the others decide, the spread is only said', () => {
    const check = quietCheck(runWith(() => 0.04, (strategy, rep) => (strategy === 'jwt' ? [19_592, 20_244, 19_360, 27_720, 37_400][rep] ?? 0 : 30_000)));
    assert.equal(check.busy, false);
    assert.deepEqual(check.unevenCeilings, [{ design: 'jwt', min: 19_360, max: 37_400 }]);
    const lines = quietLines(check);
    assert.match(lines[0] ?? '', /^other processes used 0\.04 of a core while it measured \(median over 45 windows/);
    assert.match(lines[1] ?? '', /the jwt ceiling ranged 19360–37400 req\/s between repetitions with little else running/);
  });

  it('other processes above a fifth of a core in most windows make it busy, even with even ceilings', () => {
    const check = quietCheck(runWith((_s, _d, rep) => (rep < 3 ? 0.35 : 0.05)));
    assert.ok(BUSY_OTHERS_CPU < 0.35);
    assert.equal(check.busy, true);
    assert.deepEqual(check.unevenCeilings, []);
    assert.match(quietLines(check)[0] ?? '', /0\.35 of a core .*: more than 0\.20 of a core, a busy machine/);
  });

  it('one disturbed window among quiet ones does not', () => {
    assert.equal(quietCheck(runWith((scenario, _d, rep) => (scenario === 'ceiling' && rep === 0 ? 0.9 : 0.02))).busy, false);
  });

  it('without the figure (no /proc, or an older result) falls back to the ceilings: busy when one varied by more than half', () => {
    for (const unknown of [undefined, null]) {
      const uneven = quietCheck(runWith(() => unknown, (strategy, rep) => (strategy === 'redis-token' && rep === 2 ? 15_000 : 30_000)));
      assert.equal(uneven.others, undefined);
      assert.equal(uneven.busy, true);
      assert.match(quietLines(uneven)[0] ?? '', /redis-token ceiling ranged 15000–30000 .*no \/proc/);
      assert.equal(quietCheck(runWith(() => unknown)).busy, false);
    }
  });
});
