import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../test-support/server-process.js';

/** `authbench sweep` refuses bad flags before anything starts; a real sweep is in sweep.slow.test.ts. */
describe('authbench sweep: bad arguments exit 2 before anything starts', () => {
  const never = join(tmpdir(), 'authbench-never-written-sweep');

  it('rejects a bad latency list or more than one rate before anything starts', async () => {
    const r = await runCli(['sweep', '--redis-latency', '0,abc', '--out', never]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--redis-latency must be a duration/);
    const rates = await runCli(['sweep', '--rate', '25%,50%', '--out', never]);
    assert.equal(rates.code, 2);
    assert.match(rates.stderr, /--rate: a sweep takes one rate/);
  });

  it('takes --jwt-alg as a list, and names the valid algorithms for an unknown one (exit 2)', async () => {
    const r = await runCli(['sweep', '--jwt-alg', 'HS256,nope', '--out', never]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--jwt-alg: unknown "nope"; valid values: HS256, RS256, ES256, EdDSA/);
  });
});
