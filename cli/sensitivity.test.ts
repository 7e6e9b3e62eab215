import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../test-support/server-process.js';

/**
 * `authbench sensitivity` is a benchmark (it reports how large a slower Redis looks to the gate, on this machine,
 * now) and is never run here: two bench:ci runs take minutes, and the figure it reports is noise-dependent. The
 * gate's sensitivity to a known shift is tested deterministically in bench/gate/sensitivity.test.ts. Here: its
 * arguments; what a slower Redis does to a real pair of runs that no amount of machine noise can change is in
 * sensitivity.slow.test.ts (`npm run test:slow`).
 */

describe('authbench sensitivity: bad arguments exit 2 before anything runs', () => {
  const cases: [string, string[], RegExp][] = [
    ['a latency that is not a duration', ['--redis-latency', 'abc'], /--redis-latency must be a duration/],
    ['no added latency', ['--redis-latency', '0ms'], /--redis-latency must be above 0 for a sensitivity run/],
    ['a threshold that is not a percentage', ['--threshold', '150%'], /--threshold must be a percentage above 0 and below 100/],
    ['an unknown JWT algorithm', ['--jwt-alg', 'HS1'], /--jwt-alg/],
    ['a Redis Cluster, which the latency proxy cannot front', ['--redis-cluster', 'local'], /--redis-latency .* not with --redis-cluster/],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what} (${args.join(' ')}), naming the flag`, async () => {
      const out = join(tmpdir(), `authbench-never-written-sensitivity-${process.pid}`);
      const r = await runCli(['sensitivity', ...args, '--out', out]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
      await assert.rejects(stat(out), 'nothing was written');
    });
  }
});
