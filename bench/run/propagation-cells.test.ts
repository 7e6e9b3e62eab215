import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PropagationCell, RunResult } from '../result/schema.js';
import { runCli } from '../../test-support/server-process.js';

/**
 * The propagation scenario end to end: `authbench run --quick --scenarios propagation`, two real server processes
 * per design on one real Redis. What is asserted is what each design's revocation must do, not how fast.
 */
describe('authbench run --scenarios propagation', () => {
  let dir: string;
  let result: RunResult;
  let stdout: string;
  const cell = (strategy: string, loaded = false): PropagationCell => {
    const found = result.propagation?.find((c) => c.strategy === strategy && (c.loadRps > 0) === loaded);
    assert.ok(found, `${strategy} has a propagation cell`);
    assert.equal(found.status, 'ok', found.errors.join('; '));
    assert.ok(found.summary);
    return found;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-propagation-'));
    const r = await runCli(['run', '--quick', '--scenarios', 'propagation', '--strategies', 'jwt,jwt-blacklist,redis-token,jwt-local-denylist', '--rate', 'none', '--out', dir], {}, 240_000);
    assert.equal(r.code, 0, r.stderr);
    stdout = r.stdout;
    result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('probes every logout of every design on the second instance, idle and under load', () => {
    for (const [strategy, loaded] of ['jwt', 'jwt-blacklist', 'redis-token', 'jwt-local-denylist'].flatMap((s) => [[s, false], [s, true]] as const)) {
      const c = cell(strategy, loaded);
      if (loaded) {
        assert.ok((c.load?.achievedRps ?? 0) > 0, `${strategy}: the load ran`);
        assert.ok((c.load?.statusCounts['200'] ?? 0) > 0, `${strategy}: the load was served`);
      } else {
        assert.equal(c.load, undefined);
      }
      assert.equal(c.instances, 2);
      assert.equal(c.summary?.logouts, 5);
      assert.equal(c.summary?.failed, 0, c.errors.join('; '));
      assert.equal(c.logouts?.length, 5);
      for (const probe of c.logouts ?? []) assert.equal(probe.instances.length, 1, 'one polled instance per logout');
    }
  });

  it('measures no ceiling, which nothing in a propagation run reads', () => {
    assert.deepEqual(result.cells, []);
    assert.deepEqual(result.ceiling, {});
    assert.doesNotMatch(stdout, /^ceiling · /m);
  });

  it('jwt-blacklist and redis-token refuse on the other instance from the first request after the 204, idle and under load', () => {
    for (const [strategy, loaded] of ['jwt-blacklist', 'redis-token'].flatMap((s) => [[s, false], [s, true]] as const)) {
      const s = cell(strategy, loaded).summary;
      assert.equal(s?.refusedEverywhere, 5, strategy);
      assert.equal(s?.acceptedAfterAck, 0, `${strategy}: nothing accepted after the logout`);
      assert.equal(s?.acceptedAfterRefusal, 0);
    }
  });

  it('jwt-local-denylist refuses on the other instance within the window, and never accepts the token again once it refused', () => {
    for (const loaded of [false, true]) {
      const s = cell('jwt-local-denylist', loaded).summary;
      assert.equal(s?.refusedEverywhere, 5);
      assert.equal(s?.acceptedAfterRefusal, 0);
    }
  });

  it('jwt keeps accepting a logged-out token on the other instance until its exp (the cell gives tokens 3 s)', () => {
    const c = cell('jwt');
    const s = c.summary;
    assert.ok((s?.acceptedAfterAck ?? 0) > 0, 'accepted after the logout');
    // Refused only once expired: exp is in whole seconds, iat + 3, so no refusal before 2 s after the login answered.
    for (const probe of c.logouts ?? []) {
      const refusedAt = probe.instances[0]?.refusedAtMs;
      if (refusedAt !== undefined) assert.ok(refusedAt + (probe.issuedToAckMs ?? 0) >= 2000, `refused ${refusedAt} ms after the logout, ${probe.issuedToAckMs} ms after the login`);
    }
  });

  it('prints the propagation table with the method, and the report has the section', async () => {
    assert.match(stdout, /propagation: logout on 1 of 2 instances/);
    assert.match(stdout, /jwt-local-denylist/);
    assert.match(result.method.join('\n'), /propagation: per design 2 server processes sharing one JWT key/);
    assert.match(await readFile(join(dir, 'report.html'), 'utf8'), /Revocation across servers/);
  });
});
