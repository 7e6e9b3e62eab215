import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { CI_RUN_FLAGS } from '../bench/gate/gate.js';
import { NOISY_DETECTABLE_DROP, type Comparison, type MetricComparison } from '../bench/gate/verdict.js';
import { runCli } from '../test-support/server-process.js';

/** The bench:ci settings as `run` flags, on the validate scenario only (about 50 s a run on 2 cores). */
const ciArgs = (out: string, ...extra: string[]): string[] => [
  'run',
  ...Object.entries({ ...CI_RUN_FLAGS, scenarios: 'validate' }).flatMap(([k, v]) => [`--${k}`, String(v)]),
  '--out',
  out,
  ...extra,
];

describe('the gate catches a slower Redis (sensitivity), on real servers', () => {
  let dir: string;
  let comparison: Comparison;
  let code: number | null;
  let stdout: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-sensitivity-'));
    const base = await runCli(ciArgs(join(dir, 'base')), {}, 150_000);
    assert.equal(base.code, 0, base.stderr);
    const slow = await runCli(ciArgs(join(dir, 'slow'), '--redis-latency', '1ms'), {}, 150_000);
    assert.equal(slow.code, 0, slow.stderr);
    const r = await runCli(['compare', join(dir, 'base', 'result.json'), join(dir, 'slow', 'result.json'), '--allow-difference', 'redis-latency', '--json', join(dir, 'c.json')]);
    code = r.code;
    stdout = r.stdout;
    comparison = JSON.parse(await readFile(join(dir, 'c.json'), 'utf8')) as Comparison;
    process.stderr.write(`${stdout}\n`);
  });
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  /**
   * On a machine so busy that not even a 50% drop could be flagged (other jobs on the same cores), the
   * verdicts mean nothing either way: the test says so and skips rather than pass or fail by chance.
   */
  const tooNoisy = (t: TestContext): boolean => {
    const drop = comparison.detectableDrop ?? 1;
    if (drop <= NOISY_DETECTABLE_DROP) return false;
    t.skip(`machine too busy to judge: only a drop beyond ${Math.round(drop * 100)}% could have been flagged`);
    return true;
  };
  const throughput = (strategy: string): MetricComparison => {
    const row = comparison.rows.find((r) => r.scenario === 'validate' && r.strategy === strategy && r.metric === 'throughput');
    assert.ok(row, `validate × ${strategy} missing`);
    return row;
  };

  it('exits 1: a regression', (t) => {
    if (tooNoisy(t)) return;
    assert.equal(code, 1, stdout);
  });

  for (const strategy of ['redis-token', 'jwt-blacklist']) {
    it(`flags validate × ${strategy}: one Redis round trip per request, each 1 ms longer`, (t) => {
      if (tooNoisy(t)) return;
      const row = throughput(strategy);
      assert.equal(row.verdict, 'regressed', `change ${row.change}, interval ${row.low} … ${row.high}`);
    });
  }

  it('does not flag validate × jwt, which never calls Redis', (t) => {
    if (tooNoisy(t)) return;
    const row = throughput('jwt');
    assert.notEqual(row.verdict, 'regressed', `change ${row.change}, interval ${row.low} … ${row.high}`);
    assert.notEqual(comparison.rows.find((r) => r.strategy === 'jwt' && r.metric === 'p99')?.verdict, 'regressed');
  });
});
