import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { REQUEST_TIMEOUT_MS, buildServer } from './app.js';
import { resolveServerConfig } from './config.js';
import { designNames, designOf } from './designs/index.js';
import { UNAUTHORIZED_BODY, login, request } from '../test-support/http.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';
import { startServerProcess, type ServerProcess } from '../test-support/server-process.js';

/**
 * HTTP manners of every design (RFC 6749 §5.1, RFC 6750 §2.1 and §3, RFC 9110 §11): responses with a token or user
 * data are not stored by caches, a 401 carries its Bearer challenge, the scheme is case-insensitive, two
 * Authorization headers are refused, and nothing is sniffed. Real server processes, real Redis.
 */

/** One raw HTTP/1.1 request (two Authorization headers cannot be sent through fetch); resolves with the status line and headers. */
function rawRequest(url: string, lines: readonly string[]): Promise<{ status: number; head: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = '';
    socket.on('data', (c: Buffer) => {
      data += c.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1]), head: data.slice(0, end) });
      }
    });
    socket.on('error', reject);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

describe('HTTP manners', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.close();
  });

  for (const design of designNames()) {
    describe(design, () => {
      let server: ServerProcess;
      before(async () => {
        server = await startServerProcess(design, ['--redis-url', redis.server.url]);
      });
      after(async () => {
        await server?.stop();
      });

      it('login and /me answers carry Cache-Control: no-store; every answer X-Content-Type-Options: nosniff', async () => {
        const res = await request(`${server.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'user1', password: 'pass1' }) });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('cache-control'), 'no-store');
        const token = (res.body as { token: string }).token;
        const mine = await request(`${server.url}/me`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(mine.status, 200);
        assert.equal(mine.headers.get('cache-control'), 'no-store');
        for (const r of [res, mine, await request(`${server.url}/health`), await request(`${server.url}/nowhere`)]) assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      });

      it('a 401 carries WWW-Authenticate: Bearer, with error="invalid_token" for a refused token and none for a missing one', async () => {
        const missing = await request(`${server.url}/me`);
        assert.equal(missing.status, 401);
        assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="authbench"');
        for (const header of ['Bearer not-a-token', 'Basic dXNlcjE6cGFzczE=']) {
          const refused = await request(`${server.url}/me`, { headers: { authorization: header } });
          assert.equal(refused.status, 401, header);
          assert.deepEqual(refused.body, UNAUTHORIZED_BODY);
          assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="authbench", error="invalid_token"', header);
        }
        const badLogin = await request(`${server.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'user1', password: 'wrong' }) });
        assert.equal(badLogin.status, 401);
        assert.equal(badLogin.headers.get('www-authenticate'), 'Bearer realm="authbench"');
      });

      it('login: an unknown user and a wrong password get the same status, body and challenge', async () => {
        const attempt = (username: string, password: string) => request(`${server.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
        const answers = [await attempt('user1', 'not-pass1'), await attempt('nobody', 'pass1'), await attempt('user999999', 'pass999999')];
        const shape = (r: (typeof answers)[number]) => ({ status: r.status, body: r.body, challenge: r.headers.get('www-authenticate'), length: r.headers.get('content-length') });
        assert.equal(answers[0]?.status, 401);
        for (const r of answers.slice(1)) assert.deepEqual(shape(r), shape(answers[0] as (typeof answers)[number]));
      });

      it('the scheme is case-insensitive: bearer and BEARER are Bearer', async () => {
        const token = await login(server.url, 2);
        for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
          const r = await request(`${server.url}/me`, { headers: { authorization: `${scheme} ${token}` } });
          assert.equal(r.status, 200, scheme);
        }
      });

      it('two Authorization headers are refused (400 invalid_request), even when both are the same valid token', async () => {
        const token = await login(server.url, 3);
        const { host } = new URL(server.url);
        const r = await rawRequest(server.url, ['GET /me HTTP/1.1', `Host: ${host}`, `Authorization: Bearer ${token}`, `Authorization: Bearer ${token}`, 'Connection: close']);
        assert.equal(r.status, 400, r.head);
        assert.match(r.head, /www-authenticate: Bearer realm="authbench", error="invalid_request"/i);
        const one = await rawRequest(server.url, ['GET /me HTTP/1.1', `Host: ${host}`, `Authorization: Bearer ${token}`, 'Connection: close']);
        assert.equal(one.status, 200, one.head);
      });
    });
  }
});

describe('a client that trickles its request body', () => {
  it(`is answered 408 and cut off within REQUEST_TIMEOUT_MS (${REQUEST_TIMEOUT_MS} ms) and the check interval, not kept for minutes`, async () => {
    const server = await startServerProcess('jwt', []);
    try {
      const { hostname, port, host } = new URL(server.url);
      const socket = connect(Number(port), hostname);
      const started = Date.now();
      let answer = '';
      socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.on('error', () => {});
      socket.write(`POST /login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n{"u`);
      // One byte a second, never finishing (60 bytes announced).
      const trickle = setInterval(() => socket.writable && socket.write('x'), 1000);
      try {
        await closed;
      } finally {
        clearInterval(trickle);
      }
      const took = Date.now() - started;
      assert.match(answer, /^HTTP\/1\.1 408 /, answer);
      // Not before the deadline; and long before the 60 bytes would have been sent (a minute): cut off, not served.
      assert.ok(took >= REQUEST_TIMEOUT_MS - 100 && took < 50_000, `closed after ${took} ms`);
    } finally {
      await server.stop();
    }
  });
});

describe('a request that arrives while the server closes', () => {
  it("is answered 503 with the contract's body ({error, code: ERR_SHUTTING_DOWN}), Retry-After and Connection: close", async () => {
    const app = await buildServer(designOf('jwt'), resolveServerConfig({}));
    // A keep-alive connection opened before close(): the request on it is written while close() runs its preClose
    // hooks (this test's, after the server's own), before Fastify drops the connections.
    let socket: Socket | undefined;
    let data = '';
    app.addHook('preClose', async () => {
      socket?.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
      const deadline = Date.now() + 5000;
      while (!/\r\n\r\n[\s\S]*\}/.test(data) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.server.address();
      assert.ok(typeof address === 'object' && address !== null);
      socket = connect(address.port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => socket?.once('connect', resolve).once('error', reject));
      socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    } finally {
      await app.close();
      socket?.destroy();
    }
    const [head = '', body = ''] = data.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 503 /, data);
    assert.match(head, /\r\nretry-after: \d+\r\n/i);
    assert.match(head, /\r\nconnection: close\r\n/i);
    assert.match(head, /\r\ncontent-type: application\/json/i);
    assert.deepEqual(JSON.parse(body), { error: 'the server is shutting down; retry', code: 'ERR_SHUTTING_DOWN' });
  });
});
