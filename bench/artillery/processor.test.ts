import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServerProcess, type ServerProcess } from '../../test-support/server-process.js';
import { designOf } from '../../servers/designs/index.js';
import { COUNTERS, createProcessor, type ArtilleryRequest, type Processor } from './processor.js';

/** Plays Artillery's part for one virtual user: each request through the hooks, sent with fetch. */
async function virtualUser(processor: Processor, target: string, steps: number, counters: Map<string, number>, body?: (real: string) => string): Promise<number[]> {
  const events = { emit: (_kind: 'counter', name: string, value: number) => void counters.set(name, (counters.get(name) ?? 0) + value) };
  const context = { vars: {} };
  const statuses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const req: ArtilleryRequest = { url: `${target}/`, method: 'GET' };
    await processor.authbenchBeforeRequest(req, context, events);
    const res = await fetch(req.url, { method: req.method, ...(req.headers === undefined ? {} : { headers: req.headers }), ...(req.body === undefined ? {} : { body: req.body }) });
    const text = await res.text();
    statuses.push(res.status);
    await processor.authbenchAfterResponse(req, { statusCode: res.status, body: body === undefined ? text : body(text) }, context, events);
  }
  return statuses;
}

describe('the Artillery processor runs the scenario as authbench defines it, against a real server', () => {
  let server: ServerProcess | undefined;
  const jwt = designOf('jwt');
  before(async () => {
    server = await startServerProcess('jwt', ['--users', '50']);
  });
  after(async () => {
    await server?.stop();
  });

  it('validate: each virtual user sends GET /me with the next token of a pool it issued, and every 200 names the token\'s user', async () => {
    const target = server?.url as string;
    const processor = await createProcessor({ scenario: 'validate', design: 'jwt', traits: jwt.traits, target, users: 50, poolSize: 20, rps: 100 });
    const counters = new Map<string, number>();
    const statuses = (await Promise.all(Array.from({ length: 30 }, () => virtualUser(processor, target, 1, counters)))).flat();
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.equal(counters.get(COUNTERS.correct), 30);
    assert.equal(counters.get(COUNTERS.wrong), 0);
    assert.equal(counters.get(COUNTERS.contentChecked), 30);
    assert.equal(counters.get(COUNTERS.contentMismatches), undefined, 'no mismatch counted');
    assert.equal(counters.get(COUNTERS.workers), 1, 'announced once');
    assert.equal(counters.get(`${COUNTERS.design}jwt`), 1);
  });

  it('validate: a 200 whose body names another user is a wrong answer, not a correct one', async () => {
    const target = server?.url as string;
    const processor = await createProcessor({ scenario: 'validate', design: 'jwt', traits: jwt.traits, target, users: 50, poolSize: 5, rps: 100 });
    const counters = new Map<string, number>();
    await virtualUser(processor, target, 1, counters, () => JSON.stringify({ username: 'somebody-else' }));
    assert.equal(counters.get(COUNTERS.contentMismatches), 1);
    assert.equal(counters.get(COUNTERS.correct), 0);
    assert.equal(counters.get(COUNTERS.wrong), 1);
  });

  it('session: a virtual user logs in, uses the token it got for every GET /me, and logs out', async () => {
    const target = server?.url as string;
    const processor = await createProcessor({ scenario: 'session', design: 'jwt', traits: jwt.traits, target, users: 50, poolSize: 0, rps: 70 });
    const counters = new Map<string, number>();
    const statuses = await virtualUser(processor, target, 7, counters);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 204]);
    assert.equal(counters.get(COUNTERS.sessions), 1);
    assert.equal(counters.get(COUNTERS.contentChecked), 5);
    assert.equal(counters.get(COUNTERS.correct), 7);
  });
});
