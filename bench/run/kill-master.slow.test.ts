import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { outageCellsOf, type OutageCell, type RunResult } from '../result/schema.js';
import { spawnCli } from '../../test-support/cli-process.js';
import { descendants, isAlive, type ProcInfo } from '../../test-support/processes.js';

type KillMasterCell = OutageCell & { outage: NonNullable<OutageCell['outage']>; failover: NonNullable<OutageCell['failover']> };

/**
 * The kill-master outage fault on a Redis Cluster authbench starts (3 masters + 3 replicas, cluster-node-timeout
 * 1 s): the real CLI, real servers, real redis-server processes. The fault phase (6 s) is longer than a failover
 * takes here, so the timeline shows the failures, then answers again while the killed master is still down: the
 * recovery is the replica's promotion, not the restart at the end of the fault. About 90 s on 2 cores: it runs in
 * `npm run test:slow` (AUTHBENCH_SLOW=1).
 */
describe('outage scenario on a Redis Cluster: kill-master', { skip: process.env['AUTHBENCH_SLOW'] !== '1' && 'slow: npm run test:slow' }, () => {
  let result: RunResult;
  const seen = new Map<number, ProcInfo>();

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'authbench-kill-master-'));
    const run = spawnCli(['run', '--scenarios', 'outage', '--redis-cluster', 'local', '--strategies', 'redis-token,jwt-blacklist', '--phases', '2,6,2', '--rate', '200', '--out', dir]);
    const watch = setInterval(() => {
      for (const p of descendants(run.child.pid ?? -1)) seen.set(p.pid, p);
    }, 100);
    try {
      const exit = await run.exited(300_000);
      assert.equal(exit.code, 0, run.stderr());
      result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;
    } finally {
      clearInterval(watch);
      await run.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  function cellOf(strategy: string, policy: string): KillMasterCell {
    const cell = outageCellsOf(result).find((c) => c.fault === 'kill-master' && c.strategy === strategy && c.policy === policy);
    assert.ok(cell, `no kill-master cell for ${strategy} (${policy})`);
    assert.equal(cell.status, 'ok', cell.errors.join('; '));
    assert.ok(cell.outage && cell.failover, 'outage figures and the failover');
    return cell as KillMasterCell;
  }

  for (const strategy of ['redis-token', 'jwt-blacklist']) {
    describe(`${strategy}, failing closed`, () => {
      it('answers 503 for a while after the kill', () => {
        const { outage, failover } = cellOf(strategy, 'closed');
        const during = outage.timeline.filter((b) => b.phase === 'during');
        assert.ok(during.reduce((n, b) => n + b.unavailable503, 0) > 0, 'some 503s during the fault');
        assert.ok(failover.failingBuckets > 0 && failover.firstFailureAfterMs !== null);
        assert.ok(outage.availability !== null && outage.availability < 1);
      });

      it('answers again once the replica is promoted, while the killed master is still down', () => {
        const { outage, failover } = cellOf(strategy, 'closed');
        assert.notEqual(failover.promotedAfterMs, null, `replica ${failover.replica} promoted`);
        const lastFailing = outage.timeline.findLastIndex((b) => b.unavailable503 > 0 || b.errors > 0);
        const recovered = outage.timeline.slice(lastFailing + 1).filter((b) => b.phase === 'during');
        assert.ok(recovered.length > 0, 'buckets of the fault phase after the last failure');
        // Answers in the recovered stretch, not in each 250 ms bucket of it: a busy machine can leave one bucket
        // without an answer (the paced load catches up after), which says nothing about the server.
        assert.ok(recovered.reduce((n, b) => n + b.ok2xx, 0) > 0, `200s after the promotion: ${JSON.stringify(recovered)}`);
        const after = outage.timeline.filter((x) => x.phase === 'after');
        assert.ok(after.reduce((n, b) => n + b.ok2xx, 0) > 0, `200s after the fault: ${JSON.stringify(after)}`);
        assert.deepEqual(after.filter((b) => b.unavailable503 > 0 || b.errors > 0), [], 'no failure after the fault');
      });

      it('never hangs and loses no request; what had replicated survives (no session lost, no revoked token accepted)', () => {
        const { outage } = cellOf(strategy, 'closed');
        assert.equal(outage.hungRequests, 0);
        assert.equal(outage.lostRequests, 0);
        assert.equal(outage.sessionsLost, 0);
        assert.equal(outage.revokedAccepted.after, 0);
      });
    });
  }

  it('jwt-blacklist failing open stays available and counts what it served unchecked', () => {
    const { outage } = cellOf('jwt-blacklist', 'open');
    assert.equal(outage.availability, 1);
    assert.ok(outage.uncheckedServed > 0);
  });

  it('leaves no server or redis-server behind', () => {
    const started = [...seen.values()].filter((p) => / serve |redis-server/.test(p.cmdline));
    assert.ok(started.filter((p) => p.cmdline.includes('redis-server')).length >= 6, 'clusters were started');
    for (const p of started) assert.equal(isAlive(p.pid), false, `left behind: ${p.pid} ${p.cmdline}`);
  });
});
