import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outageCellsOf, type RunResult } from '../result/schema.js';
import { spawnCli } from '../../test-support/cli-process.js';
import { sleep, waitFor } from '../../test-support/faults.js';
import {
  checkBlacklistLost,
  checkFailOpen,
  checkFailsFastAndRecovers,
  checkHealthSampled,
  checkLocalDenylistHolds,
  checkSessionsLost,
  outageRun,
} from '../../test-support/outage-run.js';
import { descendants, isAlive } from '../../test-support/processes.js';

/**
 * The outage scenario on one fault (kill: Redis gone and its data with it) and the designs whose rules differ there;
 * every design through kill, stop and flush, and AOF persistence, are in outage-cells.slow.test.ts
 * (`npm run test:slow`), with the same checks (test-support/outage-run.ts).
 */
describe('outage scenario: a killed Redis', () => {
  let result: RunResult;
  before(async () => {
    result = await outageRun(['--faults', 'kill', '--strategies', 'jwt-blacklist,redis-token,jwt-local-denylist']);
  });

  it('has a cell per design and failure policy, jwt-blacklist with both, each with a timeline', () => {
    const outage = outageCellsOf(result);
    assert.deepEqual(outage.map((c) => `${c.strategy}/${c.policy}`).sort(), ['jwt-blacklist/closed', 'jwt-blacklist/open', 'jwt-local-denylist/none', 'redis-token/closed']);
    for (const c of outage) assert.ok(c.outage !== undefined && c.outage.timeline.length > 0, `${c.fault} × ${c.strategy} has a timeline`);
  });

  it('jwt-local-denylist keeps answering, and never accepts a token revoked before the fault', () => {
    checkLocalDenylistHolds(result, 'kill');
  });

  it('the Redis designs answer 503 while Redis is down, never hang, and recover by themselves', () => {
    for (const strategy of ['jwt-blacklist', 'redis-token']) checkFailsFastAndRecovers(result, 'kill', strategy);
  });

  it('jwt-blacklist accepts tokens revoked before the kill: the blacklist died with Redis', () => {
    checkBlacklistLost(result, 'kill');
  });

  it('redis-token refuses every old session after the kill: a mass logout', () => {
    checkSessionsLost(result, 'kill');
  });

  it('fail-open serves requests without a revocation check, counted, where fail-closed answers 503', () => {
    checkFailOpen(result, 'kill');
  });

  it('samples the server health into the timeline', () => {
    checkHealthSampled(result, 'kill');
  });
});

describe('outage scenario interrupted mid-fault', () => {
  let dir: string;
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('SIGINT during a stopped Redis leaves no stopped Redis, proxy or server behind', async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-outage-int-'));
    const run = spawnCli(['run', '--scenarios', 'outage', '--faults', 'stop', '--strategies', 'redis-token', '--phases', '1,8,1', '--rate', '100', '--duration', '0.5', '--warmup', '0', '--repeat', '1', '--out', dir]);
    try {
      // No ceiling runs first: the outage's rate is given (bench/run/config.ts, measuresCeiling).
      const stopped = await waitFor(
        'a stopped redis-server',
        () => descendants(run.child.pid ?? -1).find((p) => p.cmdline.includes('redis-server') && /\) T /.test(procStat(p.pid))),
        60_000,
        50,
      );
      const before = descendants(run.child.pid ?? -1);
      run.child.kill('SIGINT');
      const exit = await run.exited(30_000);
      assert.equal(exit.code, 130, run.stderr());
      await sleep(200);
      for (const p of before) assert.equal(isAlive(p.pid), false, `left behind: ${p.pid} ${p.cmdline}`);
      assert.equal(isAlive(stopped.pid), false);
    } finally {
      await run.stop();
    }
  });
});

function procStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return '';
  }
}
