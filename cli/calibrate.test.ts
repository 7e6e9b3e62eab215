import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pacerLimitOf, stepHolds, type CalibrationResult, type PacerStep } from '../bench/calibrate/run-calibration.js';
import { runCli } from '../test-support/server-process.js';
import { resolveCalibrationConfig } from './calibrate.js';

const step = (rate: number, lagP99Ms: number, answeredPerSec = rate): PacerStep => ({ rate, answeredPerSec, lagP50Ms: 0.05, lagP99Ms, lagMaxMs: 1, p50Ms: 0.3, p99Ms: 1, generatorBusy: 0.3, holds: stepHolds({ rate, answeredPerSec, lagP99Ms }) });

describe('the paced generator\'s limit', () => {
  it('is the highest rate with lag p99 within 200 µs and the rate answered, before the first that fails', () => {
    assert.equal(pacerLimitOf([step(1000, 0.05), step(2000, 0.15), step(4000, 0.35), step(8000, 0.1)]), 2000);
    assert.equal(pacerLimitOf([step(1000, 0.05), step(2000, 0.05, 1500)]), 1000, 'a rate not answered does not hold');
    assert.equal(pacerLimitOf([step(1000, 0.3)]), null);
  });
  it('rejects bad options, naming the flag', () => {
    assert.throws(() => resolveCalibrationConfig({ rates: '1000,fast' }), /--rates must be .* got "fast"/);
    assert.throws(() => resolveCalibrationConfig({ rounds: '-1' }), /--rounds must be/);
    assert.deepEqual(resolveCalibrationConfig({ rates: '300,100' }).rates, [100, 300]);
  });
});

describe('authbench calibrate on a real server', () => {
  it('steps the paced generator against GET /health and records each step with its lag', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'authbench-calibrate-'));
    try {
      const r = await runCli(['calibrate', '--rounds', '0', '--rates', '100,200', '--duration', '0.5', '--warmup', '0.2', '--out', dir], {}, 60_000);
      assert.equal(r.code, 0, r.stderr);
      const result = JSON.parse(await readFile(join(dir, 'calibration.json'), 'utf8')) as CalibrationResult;
      assert.equal(result.status, 'complete');
      assert.ok(result.pacer.length >= 1, 'at least one step');
      for (const s of result.pacer) {
        assert.equal(s.holds, stepHolds(s), `the ${s.rate} req/s step is judged by its own figures`);
        assert.ok(s.lagP99Ms >= s.lagP50Ms && s.lagMaxMs >= s.lagP99Ms, 'lag percentiles in order');
      }
      assert.equal(result.pacerLimit, pacerLimitOf(result.pacer));
      assert.match(r.stdout, /open loop, the paced generator/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
