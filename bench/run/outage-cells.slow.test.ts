import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { outageCellsOf, type RunResult } from '../result/schema.js';
import { outageVariants } from './outage-cells.js';
import { designNames } from '../../servers/designs/index.js';
import {
  cellOf,
  checkBlacklistLost,
  checkFailOpen,
  checkFailsFastAndRecovers,
  checkHealthSampled,
  checkLocalDenylistHolds,
  checkSessionsLost,
  outageRun,
} from '../../test-support/outage-run.js';

/**
 * The outage scenario in full: every design through kill, stop and flush, and a kill with AOF persistence. About
 * 3.5 minutes on 2 cores, so it runs in `npm run test:slow` (AUTHBENCH_SLOW=1); outage-cells.test.ts runs one fault
 * in `npm test`.
 */
const slow = { skip: process.env['AUTHBENCH_SLOW'] !== '1' && 'slow: npm run test:slow' };

describe('outage scenario without persistence: kill, stop, flush, every design', slow, () => {
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
    for (const fault of ['kill', 'stop', 'flush']) checkLocalDenylistHolds(result, fault);
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
      for (const strategy of ['jwt-blacklist', 'redis-token', 'redis-token-cached']) checkFailsFastAndRecovers(result, fault, strategy);
    }
  });

  it('jwt-blacklist accepts tokens revoked before the fault once a kill or a flush emptied the blacklist', () => {
    for (const fault of ['kill', 'flush']) checkBlacklistLost(result, fault);
    const stop = cellOf(result, 'stop', 'jwt-blacklist', 'closed').outage;
    assert.equal(stop.revokedAccepted.after, 0, 'a stopped Redis keeps its data');
  });

  it('redis-token refuses every old session after a kill or a flush: a mass logout', () => {
    for (const fault of ['kill', 'flush']) checkSessionsLost(result, fault);
    assert.equal(cellOf(result, 'stop', 'redis-token', 'closed').outage.sessionsLost, 0);
  });

  it('fail-open serves requests without a revocation check, counted, where fail-closed answers 503', () => {
    checkFailOpen(result, 'stop');
  });

  it('samples the server health into the timeline', () => {
    checkHealthSampled(result, 'stop');
  });
});

describe('outage scenario with --redis-persistence aof', slow, () => {
  it('after a kill neither design loses its data: no revoked token accepted, no session lost', async () => {
    const result = await outageRun(['--faults', 'kill', '--strategies', 'jwt-blacklist,redis-token', '--redis-persistence', 'aof']);
    const blacklist = cellOf(result, 'kill', 'jwt-blacklist', 'closed').outage;
    assert.equal(blacklist.revokedAccepted.after, 0);
    const token = cellOf(result, 'kill', 'redis-token', 'closed').outage;
    assert.equal(token.sessionsLost, 0);
    assert.ok(token.timeline.some((b) => b.phase === 'after' && b.ok2xx > 0), 'old sessions are served after the restart');
  });
});
