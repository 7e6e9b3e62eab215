import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../../lib/http.js';
import { runPacedLoad } from './paced.js';

/**
 * A plain HTTP server in its own process that answers every request with 200 (401 for the token `bad`; POST /login
 * gives the token `tok`, whose GET /me names user0; POST /logout answers 204) and
 * remembers when each request arrived (Date.now()), so that the test can see when the generator sent.
 */
const SERVER = `
const http = require('node:http');
const arrivals = [];
http.createServer((req, res) => {
  if (req.url === '/arrivals') { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(arrivals)); return; }
  arrivals.push(Date.now());
  if (req.url === '/login') { res.end('{"token":"tok"}'); return; }
  if (req.url === '/logout') { res.statusCode = 204; res.end(); return; }
  res.statusCode = req.headers.authorization === 'Bearer bad' ? 401 : 200;
  res.end(req.headers.authorization === 'Bearer tok' ? '{"username":"user0"}' : '{}');
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });
`;

describe('the paced open-loop generator', () => {
  let child: ChildProcess;
  let url: string;
  before(async () => {
    child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
    url = `http://127.0.0.1:${line.toString().trim()}`;
  });
  after(() => {
    child.kill('SIGKILL');
  });

  it('sends rate × duration measured requests after its warm-up, each answered or counted failed, in µs histograms', async () => {
    const r = await runPacedLoad({ url, rate: 200, connections: 4, durationSec: 1, warmupSec: 0.5, timeoutSec: 5, validTokens: ['a', 'b'], revokedTokens: ['bad'], revokedShare: 0.25 });
    assert.equal(r.sent, 200, 'the 100 warm-up requests are not counted');
    const answered = Object.values(r.statusCounts).reduce((a, n) => a + n, 0);
    assert.equal(answered + r.errors, r.sent);
    assert.deepEqual(r.statusCounts, { '200': 150, '401': 50 }, 'every fourth request carries the revoked token');
    assert.equal(r.corrected.count, answered);
    assert.equal(r.pacerLag.count, r.sent);
    // Corrected latency runs from the due time, uncorrected from the write, which is never before it is due.
    assert.ok(r.corrected.max >= r.uncorrected.max, `${r.corrected.max} ≥ ${r.uncorrected.max}`);
    assert.ok(r.corrected.p50 > 0 && r.corrected.p50 < 1000, 'sub-millisecond resolution: a float of ms, not whole ms');
    assert.equal(r.responses.length, 0, 'no events unless asked');
    assert.equal(r.contentChecked, 0, 'no users given: no body checked');
  });

  it('checks the 200 bodies against the users of the tokens when given: another user is a mismatch', async () => {
    // The test server answers {} (no username): every checked body is a mismatch, and all 100 are checked.
    const r = await runPacedLoad({ url, rate: 200, connections: 2, durationSec: 0.5, timeoutSec: 5, validTokens: ['a'], validUsers: ['user0'], revokedTokens: [], revokedShare: 0 });
    assert.equal(r.contentChecked, 100);
    assert.equal(r.contentMismatches, 100);
  });

  it('drives whole sessions at the offered request rate: login, each GET /me with its token, logout', async () => {
    // 140 req/s in sessions of 7 requests: a session due every 50 ms, 20 in the measured second.
    const session = { logins: [{ body: '{"username":"user0","password":"pass0"}', username: 'user0' }], mePerSession: 5 };
    const r = await runPacedLoad({ url, rate: 140, connections: 4, durationSec: 1, warmupSec: 0.2, timeoutSec: 5, validTokens: [], revokedTokens: [], revokedShare: 0, session });
    assert.equal(r.sent, 140, 'every request of the 20 measured sessions, none of the warm-up');
    assert.deepEqual(r.statusCounts, { '200': 120, '204': 20 }, 'a login and five GET /me answered 200 per session, its logout 204');
    assert.equal(r.corrected.count, 140);
    assert.equal(r.pacerLag.count, 20, 'the pacer is judged on when each session starts');
    assert.deepEqual([r.contentChecked, r.contentMismatches], [100, 0], 'every GET /me body named the user of its login');
  });

  it('keeps sending while the caller\'s thread is blocked: the generator is not on it', async () => {
    const before = ((await getJson(`${url}/arrivals`, 2000)) as unknown as number[]).length;
    let blocked: [number, number] = [0, 0];
    const run = runPacedLoad({ url, rate: 200, connections: 4, durationSec: 1.5, timeoutSec: 5, validTokens: ['a'], revokedTokens: [], revokedShare: 0 }, () => {
      // 300 ms into the load, the runner's own thread is busy for 600 ms (as a slow fault injection or a GC would be).
      setTimeout(() => {
        const start = Date.now();
        while (Date.now() - start < 600);
        blocked = [start, Date.now()];
      }, 300);
    });
    const r = await run;
    assert.equal(r.sent, 300);
    const arrivals = ((await getJson(`${url}/arrivals`, 2000)) as unknown as number[]).slice(before);
    const during = arrivals.filter((t) => t > blocked[0] + 100 && t < blocked[1] - 100);
    // At 200 req/s, 400 ms inside the blocked window hold about 80 requests; a generator on the blocked thread sends none.
    assert.ok(during.length > 0, `requests arrived while the caller was blocked: ${during.length}`);
  });

  it('keeps every event when asked, with a clock shared with onStart, and stops early on abort', async () => {
    const controller = new AbortController();
    let started: (() => number) | undefined;
    const r = await runPacedLoad({ url, rate: 100, connections: 2, durationSec: 5, timeoutSec: 5, validTokens: ['a'], revokedTokens: [], revokedShare: 0, keepEvents: true, signal: controller.signal }, (now) => {
      started = now;
      setTimeout(() => controller.abort(), 300);
    });
    assert.ok(started !== undefined, 'onStart was called');
    assert.ok(r.sent < 500, `stopped before the 500 scheduled requests: ${r.sent}`);
    assert.equal(r.responses.length + r.errorList.length, r.sent);
    assert.ok(r.responses.every((e) => e.t >= 0 && e.latencyMs >= 0 && e.status === 200));
  });

  it('fails with a clear error when the server is not there, after counting every request failed', async () => {
    const r = await runPacedLoad({ url: 'http://127.0.0.1:1', rate: 50, connections: 1, durationSec: 0.2, timeoutSec: 1, validTokens: ['a'], revokedTokens: [], revokedShare: 0 });
    assert.equal(r.errors, r.sent);
    assert.equal(r.corrected.count, 0);
  });
});
