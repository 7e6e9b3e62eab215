import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../../lib/http.js';
import { revocation } from '../../scenarios/revocation.js';
import { designOf } from '../../servers/designs/index.js';
import { startTestRedis, type TestRedis } from '../../test-support/redis.js';
import { startServerProcess, type ServerProcess } from '../../test-support/server-process.js';
import { runLoad } from '../load/autocannon.js';
import { httpTokenSource } from '../load/tokens.js';
import { judge } from './aggregate.js';
import { refusalDelta, rejectedOf, unexpectedRefusals } from './refusals.js';

describe('refusals by reason', () => {
  it('reads the rejected counters of GET /metrics, and nothing from a document without them', () => {
    assert.deepEqual(rejectedOf({ strategy: 'x', rejected: { revoked: 3, malformed: 1, odd: 'no' } }), { revoked: 3, malformed: 1 });
    assert.equal(rejectedOf({ strategy: 'x' }), undefined);
    assert.equal(rejectedOf(undefined), undefined);
  });

  it('counts the refusals between two readings, by reason, leaving out the reasons that did not move', () => {
    const d = refusalDelta({ rejected: { revoked: 10, expired: 2 } }, { rejected: { revoked: 25, expired: 2, malformed: 1 } });
    assert.deepEqual(d, { revoked: 15, malformed: 1 });
    assert.equal(refusalDelta(undefined, { rejected: {} }), undefined);
  });

  it('counts the refusals whose reason is not expected', () => {
    assert.equal(unexpectedRefusals({ revoked: 15, malformed: 1, expired: 2 }, ['revoked']), 3);
    assert.equal(unexpectedRefusals({ revoked: 15 }, ['revoked']), 0);
    assert.equal(unexpectedRefusals({ unknown_token: 4 }, []), 4);
  });
});

describe('revocation on a real jwt-blacklist server: a malformed token is a wrong answer, not a refusal', () => {
  let redis: TestRedis;
  let server: ServerProcess;
  before(async () => {
    redis = await startTestRedis();
    server = await startServerProcess('jwt-blacklist', ['--redis-url', redis.server.url]);
  });
  after(async () => {
    await server?.stop();
    await redis?.close();
  });

  it('counts the revoked tokens refused as correct and the malformed ones as wrong, though all are 401', async () => {
    const { traits } = designOf('jwt-blacklist');
    const plan = await revocation.plan({ traits, tokens: httpTokenSource(server.url, 100, 4), users: 100, poolSize: 10, phase: 'measure' });
    const malformed = { method: 'GET' as const, path: '/me', headers: { authorization: 'Bearer not-a-token' } };
    // One connection alternates a revoked token and a malformed one.
    const withMalformed = { ...plan, requests: [...plan.requests, malformed], amount: 20 };
    const metricsBefore = await getJson(server.metricsUrl ?? '', 2000);
    const m = await runLoad(withMalformed, { url: server.url, connections: 1, durationSec: 10, timeoutSec: 5 });
    const refusals = refusalDelta(metricsBefore, await getJson(server.metricsUrl ?? '', 2000));
    assert.ok(refusals !== undefined, 'GET /metrics read');
    assert.ok((refusals['malformed'] ?? 0) > 0 && (refusals['revoked'] ?? 0) > 0, `refusals ${JSON.stringify(refusals)}`);
    assert.equal(m.statusCounts['401'], m.responses, 'every answer is a 401: by status alone all would be correct');
    const j = judge(m, revocation.expect(traits), refusals);
    assert.equal(j.wrongAnswers, refusals['malformed'], 'each malformed refusal is a wrong answer');
    assert.equal(j.correct, refusals['revoked'], 'each refusal of a revoked token is correct');
  });
});
