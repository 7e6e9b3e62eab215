import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../test-support/server-process.js';

// The relative gate's whole run (a base built in a worktree, pairs of real runs) is in cli/gate.slow.test.ts.
describe('authbench ci: the relative mode refuses what it cannot do, before building anything', () => {
  it('names a ref that is not a commit', async () => {
    const r = await runCli(['ci', '--base', 'no-such-branch-xyz']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--base: "no-such-branch-xyz" is not a commit here/);
  });

  it('takes 2 to 50 pairs, --pairs and --strategies only with --base, and no --allow-difference with it', async () => {
    const pairs = await runCli(['ci', '--base', 'HEAD', '--pairs', '1']);
    assert.equal(pairs.code, 2, pairs.stderr);
    assert.match(pairs.stderr, /--pairs must be a whole number from 2 to 50 \(6 or more for a verdict at 95%\), got "1"/);
    const noBase = await runCli(['ci', '--pairs', '6']);
    assert.equal(noBase.code, 2);
    assert.match(noBase.stderr, /--pairs: only with --base <ref>/);
    const strategies = await runCli(['ci', '--strategies', 'jwt']);
    assert.match(strategies.stderr, /--strategies: only with --base <ref>/);
    const allow = await runCli(['ci', '--base', 'HEAD', '--allow-difference', 'redis-latency']);
    assert.equal(allow.code, 2);
    assert.match(allow.stderr, /--allow-difference: not with --base/);
    const design = await runCli(['ci', '--base', 'HEAD', '--strategies', 'jwt,nope']);
    assert.equal(design.code, 2);
    assert.match(design.stderr, /--strategies.*nope.*jwt, jwt-blacklist, redis-token|nope.*valid/);
  });
});
