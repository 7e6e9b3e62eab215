import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../test-support/server-process.js';

/**
 * `authbench run` refuses bad flags with exit 2, naming the flag, before anything starts. Apart from run.test.ts and
 * run-scale.test.ts, which drive load and run one file at a time (scripts/run-tests.mjs): these start no server, so
 * they run beside other files.
 */

describe('authbench run: bad arguments exit 2 before anything starts', () => {
  const cases: [string[], RegExp][] = [
    [['--strategies', 'jwt,oauth'], /--strategies: unknown "oauth"; valid values: jwt, jwt-blacklist, redis-token/],
    [['--scenarios', 'validate,nope'], /--scenarios: unknown "nope"; valid values: .*login.*validate.*logout.*revocation.*session/],
    [['--duration', '-1'], /--duration must be/],
    [['--duration', 'abc'], /--duration must be/],
    [['--rate', '0'], /--rate takes a comma-separated list .* got "0"/],
    [['--rate', '25%,abc'], /--rate takes .* got "abc"/],
    [['--rate', '150%'], /--rate takes .* got "150%"/],
    [['--connections', '1.5'], /--connections must be/],
    [['--repeat', '0'], /--repeat must be/],
    [['--jwt-alg', 'HS1'], /HS256, RS256, ES256, EdDSA/],
    [['--jwt-secret', 'short'], /at least 32 bytes/],
  ];
  for (const [args, message] of cases) {
    it(`rejects ${args.join(' ')}`, async () => {
      const r = await runCli(['run', ...args, '--out', join(tmpdir(), 'authbench-never-written')]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      await assert.rejects(stat(join(tmpdir(), 'authbench-never-written')), 'nothing was written');
    });
  }
});

describe('authbench run: scaling-out flags that are wrong exit 2 before anything starts', () => {
  const cases: [string[], RegExp][] = [
    [['--workers', '0'], /--workers must be a comma-separated list of integers from 1 to 64/],
    [['--workers', '1,two'], /--workers must be/],
    [['--target', 'ftp://127.0.0.1:21', '--strategies', 'jwt'], /--target must be an http:\/\/ or https:\/\/ URL/],
    [['--target', 'localhost:3000', '--strategies', 'jwt'], /--target must be an http:\/\/ or https:\/\/ URL/],
    [['--target', 'http://127.0.0.1:3000'], /--target needs --strategies with exactly one name/],
    [['--target', 'http://127.0.0.1:3000', '--strategies', 'jwt', '--workers', '2'], /--workers cannot apply/],
    [['--redis-cluster', 'nope'], /--redis-cluster must be local or host:port/],
    [['--redis-cluster', 'local', '--redis-latency', '1ms'], /--redis-latency/],
  ];
  for (const [args, message] of cases) {
    it(`rejects ${args.join(' ')}`, async () => {
      const out = join(tmpdir(), 'authbench-never-written-scale');
      const r = await runCli(['run', ...args, '--out', out]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      await assert.rejects(stat(out), 'nothing was written');
    });
  }
});
