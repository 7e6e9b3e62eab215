import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outageCellsOf, type OutageCell, type RunResult } from '../result/schema.js';
import { OUTAGE_TIMEOUT_SEC, outageVariants } from './outage-cells.js';
import { designNames } from '../../servers/designs/index.js';
import { spawnCli } from '../../test-support/cli-process.js';
import { sleep, waitFor } from '../../test-support/faults.js';
import { descendants, isAlive } from '../../test-support/processes.js';
import { runCli } from '../../test-support/server-process.js';

/** Short outage runs of the real CLI against real servers and real Redis processes; assertions read the JSON. */
async function outageRun(args: string[]): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'authbench-outage-'));
  try {
    const r = await runCli(['run', '--scenarios', 'outage', '--phases', '1,2,2', '--rate', '200', '--duration', '0.5', '--warmup', '0', '--repeat', '1', '--out', dir, ...args], {}, 300_000);
    assert.equal(r.code, 0, `exit ${r.code}; stderr:\n${r.stderr}`);
    return JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function cellOf(result: RunResult, fault: string, strategy: string, policy: string): OutageCell & { outage: NonNullable<OutageCell['outage']> } {
  const cell = outageCellsOf(result).find((c) => c.fault === fault && c.strategy === strategy && c.policy === policy);
  assert.ok(cell, `no cell ${fault} × ${strategy} (${policy})`);
  assert.equal(cell.status, 'ok', `${fault} × ${strategy} (${policy}): ${cell.errors.join('; ')}`);
  assert.ok(cell.outage, `${fault} × ${strategy} (${policy}) has no outage figures`);
  return cell as OutageCell & { outage: NonNullable<OutageCell['outage']> };
}

describe('outage scenario without persistence: kill, stop, flush', () => {
  let result: RunResult;
  before(async () => {
    result = await outageRun(['--faults', 'kill,stop,flush']);
  });

  it('has a cell per fault and design, jwt-blacklist with both failure policies', () => {
    const outage = outageCellsOf(result);
    assert.equal(outage.length, 3 * outageVariants(designNames()).length);
    assert.equal(outage.filter((c) => c.strategy === 'jwt-blacklist').length, 3 * 2);
    for (const c of outage) assert.ok(c.outage !== undefined && c.outage.timeline.length > 0, `${c.fault} × ${c.strategy} has a timeline`);
  });

  it('jwt-local-denylist keeps answering through every fault, and never accepts a token revoked before it (its set outlives Redis\'s data)', () => {
    for (const fault of ['kill', 'stop', 'flush']) {
      const o = cellOf(result, fault, 'jwt-local-denylist', 'none').outage;
      assert.equal(o.availability, 1, `${fault}: availability`);
      assert.deepEqual(o.revokedAccepted, { before: 0, during: 0, after: 0 }, `${fault}: revoked tokens accepted`);
    }
  });

  it('jwt keeps answering through every fault', () => {
    for (const fault of ['kill', 'stop', 'flush']) {
      const o = cellOf(result, fault, 'jwt', 'none').outage;
      assert.equal(o.availability, 1, `${fault}: jwt availability`);
      assert.equal(o.timeline.reduce((n, b) => n + b.unavailable503, 0), 0, `${fault}: jwt answered 503`);
    }
  });

  it('the Redis designs answer 503 while Redis is stopped or killed, never hang, and recover by themselves', () => {
    for (const fault of ['kill', 'stop']) {
      for (const [strategy, policy] of [['jwt-blacklist', 'closed'], ['redis-token', 'closed'], ['redis-token-cached', 'closed']] as const) {
        const what = `${fault} × ${strategy}`;
        const o = cellOf(result, fault, strategy, policy).outage;
        assert.ok(o.timeToDetectMs !== null, `${what}: no 503 was seen`);
        assert.ok(o.availability !== null && o.availability < 0.5, `${what}: availability ${o.availability}`);
        // Behaviour, not a latency bound (the table's figures say how fast, and a busy machine can stretch any
        // one request): a server that waits on Redis answers nothing until Redis is back, so no 503 lands in the
        // fault phase but in its last bucket (the waiting requests end late, as 200s or client timeouts); one that
        // fails fast answers 503 all through the fault.
        const during = o.timeline.filter((b) => b.phase === 'during');
        assert.ok(during.slice(0, -1).filter((b) => b.unavailable503 > 0).length >= 2, `${what}: 503s answered while Redis was down: ${JSON.stringify(during)}`);
        assert.equal(o.unknownOutcome, 0, `${what}: requests the load generator gave up on (no answer in ${OUTAGE_TIMEOUT_SEC} s)`);
        assert.equal(o.lostRequests, 0, `${what}: requests lost`);
        // Every bucket from one in the after phase on is healthy: recovered within the after phase, by itself.
        assert.ok(o.timeToSustainedMs !== null, `${what}: never recovered`);
      }
    }
  });

  it('jwt-blacklist accepts tokens revoked before the fault once a kill or a flush emptied the blacklist', () => {
    for (const fault of ['kill', 'flush']) {
      const o = cellOf(result, fault, 'jwt-blacklist', 'closed').outage;
      assert.equal(o.revokedAccepted.before, 0, `${fault}: revoked accepted before the fault`);
      assert.ok(o.revokedAccepted.after > 0, `${fault}: the lost blacklist should let revoked tokens through`);
    }
    const stop = cellOf(result, 'stop', 'jwt-blacklist', 'closed').outage;
    assert.equal(stop.revokedAccepted.after, 0, 'a stopped Redis keeps its data');
  });

  it('redis-token refuses every old session after a kill or a flush: a mass logout', () => {
    for (const fault of ['kill', 'flush']) {
      const o = cellOf(result, fault, 'redis-token', 'closed').outage;
      assert.equal(o.revokedAccepted.after, 0);
      assert.ok(o.sessionsLost > 0, `${fault}: sessions lost`);
      assert.equal(o.validRefused.before, 0);
    }
    assert.equal(cellOf(result, 'stop', 'redis-token', 'closed').outage.sessionsLost, 0);
  });

  it('fail-open serves requests without a revocation check, counted, where fail-closed answers 503', () => {
    const open = cellOf(result, 'stop', 'jwt-blacklist', 'open').outage;
    const closed = cellOf(result, 'stop', 'jwt-blacklist', 'closed').outage;
    assert.ok(open.uncheckedServed > 0, 'unchecked requests are counted');
    assert.ok((open.availability ?? 0) > (closed.availability ?? 1), 'open keeps answering');
    assert.equal(closed.uncheckedServed, 0);
  });

  it('samples the server health into the timeline', () => {
    const o = cellOf(result, 'stop', 'redis-token', 'closed').outage;
    assert.ok(o.timeline.some((b) => typeof b.inFlight === 'number' && typeof b.rssBytes === 'number'));
  });
});

describe('outage scenario with --redis-persistence aof', () => {
  it('after a kill neither design loses its data: no revoked token accepted, no session lost', async () => {
    const result = await outageRun(['--faults', 'kill', '--strategies', 'jwt-blacklist,redis-token', '--redis-persistence', 'aof']);
    const blacklist = cellOf(result, 'kill', 'jwt-blacklist', 'closed').outage;
    assert.equal(blacklist.revokedAccepted.after, 0);
    const token = cellOf(result, 'kill', 'redis-token', 'closed').outage;
    assert.equal(token.sessionsLost, 0);
    assert.ok(token.timeline.some((b) => b.phase === 'after' && b.ok2xx > 0), 'old sessions are served after the restart');
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
      await waitFor('the ceiling to finish', async () => (await stat(join(dir, 'result.json')).catch(() => undefined)) !== undefined || undefined, 60_000, 100);
      const stopped = await waitFor(
        'a stopped redis-server',
        () => descendants(run.child.pid ?? -1).find((p) => p.cmdline.includes('redis-server') && /\) T /.test(procStat(p.pid))),
        30_000,
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
