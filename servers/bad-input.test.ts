import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BODY_LIMIT_BYTES } from './app.js';
import { designNames } from './designs/index.js';
import { UNAUTHORIZED_BODY, request, type Reply } from '../test-support/http.js';
import { rawExchange, rawRequestBytes, type RawHeaderValue } from '../test-support/raw-http.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';
import { startServerProcess, type ServerProcess } from '../test-support/server-process.js';

/** Node's default --max-http-header-size: all request headers together. */
const MAX_HEADER_BYTES = 16 * 1024;

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Well-formed JWS compact serialization with plausible claims, signed by nobody this server knows. */
function foreignJwt(): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url({ alg: 'HS256', typ: 'JWT', kid: 'someone-else' });
  const payload = b64url({ sub: 'u1', jti: randomUUID(), iat: now, exp: now + 3600, roles: ['admin'], iss: 'authbench', aud: 'authbench-api' });
  return `${header}.${payload}.${randomBytes(32).toString('base64url')}`;
}

/** Authorization values no design may accept, sent with fetch (which needs ByteString values). */
const GARBAGE_AUTHORIZATION: readonly (readonly [label: string, value: string])[] = [
  ['an empty value', ''],
  ['a token with no scheme', 'abc123'],
  ['the Basic scheme', 'Basic xyz'],
  ['Bearer alone', 'Bearer'],
  ['Bearer and a space', 'Bearer '],
  ['Bearer with two spaces before the token', 'Bearer  abc'],
  ['Bearer and 5000 characters', `Bearer ${'a'.repeat(5000)}`],
  ['Bearer and random bytes in base64', `Bearer ${randomBytes(96).toString('base64')}`],
  ['random bytes in base64 with no scheme', randomBytes(96).toString('base64')],
  ['a.b.c with no scheme', 'a.b.c'],
  ['Bearer a.b.c', 'Bearer a.b.c'],
  ['Bearer and three empty segments', 'Bearer ..'],
  ['a JWS with alg none and no signature', `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'u1' })}.`],
  ['Bearer and Latin-1 letters', 'Bearer caf\u00e9-\u00fc\u00df'],
];

function assertErrorShape(reply: { status: number; body: unknown; text: string }, status: number, what: string): void {
  assert.equal(reply.status, status, `${what}: ${reply.text}`);
  assert.ok(typeof reply.body === 'object' && reply.body !== null, `${what}: a JSON object body, got ${JSON.stringify(reply.text)}`);
  assert.deepEqual(Object.keys(reply.body).sort(), ['code', 'error'], `${what}: body ${reply.text}`);
  const { error, code } = reply.body as { error: unknown; code: unknown };
  assert.equal(typeof error, 'string', what);
  assert.match(String(code), /^ERR_[A-Z_]+$/, what);
}

function assertRefused(reply: { status: number; body: unknown; text: string }, what: string): void {
  assert.equal(reply.status, 401, `${what}: ${reply.text}`);
  assert.deepEqual(reply.body, UNAUTHORIZED_BODY, what);
}

/** Bad input of every kind, against a real server process per design (and a real Redis for the two that use one). */
for (const strategy of designNames()) {
  describe(`${strategy}: bad input gets a 4xx and the server keeps serving`, () => {
    let redis: TestRedis;
    let server: ServerProcess;
    let base: string;

    before(async () => {
      redis = await startTestRedis();
      server = await startServerProcess(strategy, ['--redis-url', redis.server.url]);
      base = server.url;
    });
    after(async () => {
      await server?.stop();
      await redis?.close();
    });

    /** The process has not exited and still answers GET /health with 200. */
    async function assertStillServing(): Promise<void> {
      assert.equal(server.child.exitCode, null, `the server exited; stderr:\n${server.stderr()}`);
      assert.equal(server.child.signalCode, null, `the server was killed; stderr:\n${server.stderr()}`);
      const health = await request(`${base}/health`);
      assert.equal(health.status, 200, health.text);
    }

    const postLogin = (body: string | undefined, contentType: string | undefined): Promise<Reply> =>
      request(`${base}/login`, {
        method: 'POST',
        headers: contentType === undefined ? {} : { 'content-type': contentType },
        ...(body === undefined ? {} : { body }),
      });

    const postJson = (value: unknown): Promise<Reply> => postLogin(JSON.stringify(value), 'application/json');

    it('a malformed JSON body on /login is 400 with the error body shape', async () => {
      for (const body of ['{bad', '{"username":"user1",', '{"username":"user1" "password":"pass1"}', "{'username':'user1','password':'pass1'}", 'undefined', '{"username":"user1","password":"pass1"}}', '\u0000']) {
        assertErrorShape(await postLogin(body, 'application/json'), 400, JSON.stringify(body));
      }
      await assertStillServing();
    });

    it('a text/plain body on /login is 415, even when it holds valid JSON credentials', async () => {
      const r = await postLogin(JSON.stringify({ username: 'user1', password: 'pass1' }), 'text/plain');
      assertErrorShape(r, 415, 'text/plain');
      await assertStillServing();
    });

    it('a form-encoded body on /login is 415', async () => {
      const r = await postLogin('username=user1&password=pass1', 'application/x-www-form-urlencoded');
      assertErrorShape(r, 415, 'application/x-www-form-urlencoded');
      await assertStillServing();
    });

    it('a body with no content type on /login is 415', async () => {
      const body = JSON.stringify({ username: 'user1', password: 'pass1' });
      const bytes = rawRequestBytes(base, 'POST', '/login', { 'content-length': String(Buffer.byteLength(body)) }, body);
      assertErrorShape(await rawExchange(base, bytes), 415, 'no content-type');
      await assertStillServing();
    });

    it(`a valid login body padded past ${BODY_LIMIT_BYTES} bytes is 413`, async () => {
      const body = JSON.stringify({ username: 'user1', password: 'pass1', padding: 'x'.repeat(BODY_LIMIT_BYTES) });
      assert.ok(Buffer.byteLength(body) > BODY_LIMIT_BYTES);
      assertErrorShape(await postLogin(body, 'application/json'), 413, 'padded body');
      await assertStillServing();
    });

    it(`a chunked body past ${BODY_LIMIT_BYTES} bytes, with no content-length, is 413`, async () => {
      const chunk = 'x'.repeat(1024);
      const chunks = `{"username":"user1","password":"pass1","padding":"` + chunk.repeat(5) + '"}';
      const body = `${chunks.length.toString(16)}\r\n${chunks}\r\n0\r\n\r\n`;
      const bytes = rawRequestBytes(base, 'POST', '/login', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body);
      assertErrorShape(await rawExchange(base, bytes), 413, 'chunked body');
      await assertStillServing();
    });

    it('headers past 16 KiB are 431 with the error body shape, on any route', async () => {
      const cases: [string, string, Record<string, RawHeaderValue>][] = [
        ['GET', '/health', { 'x-filler': 'a'.repeat(MAX_HEADER_BYTES + 1024) }],
        ['GET', '/me', { authorization: `Bearer ${'a'.repeat(MAX_HEADER_BYTES + 1024)}` }],
        ['POST', '/login', { 'content-type': 'application/json', 'content-length': '2', 'x-filler': 'a'.repeat(64 * 1024) }],
      ];
      for (const [method, path, headers] of cases) {
        const r = await rawExchange(base, rawRequestBytes(base, method, path, headers));
        assertErrorShape(r, 431, `${method} ${path}`);
      }
      await assertStillServing();
    });

    it('bytes that are not HTTP are answered 400 with the error body shape', async () => {
      const r = await rawExchange(base, Buffer.from('HELLO THERE\r\n\r\n'));
      assertErrorShape(r, 400, 'not HTTP');
      await assertStillServing();
    });

    it('missing or empty fields on /login are 400', async () => {
      for (const value of [{}, { username: 'user1' }, { password: 'pass1' }, { username: '', password: 'pass1' }, { username: 'user1', password: '' }, { user: 'user1', pass: 'pass1' }]) {
        assertErrorShape(await postJson(value), 400, JSON.stringify(value));
      }
      await assertStillServing();
    });

    it('fields of the wrong type on /login are 400, never coerced to strings', async () => {
      for (const value of [
        { username: 1, password: 'pass1' },
        { username: 'user1', password: 1 },
        { username: true, password: false },
        { username: null, password: null },
        { username: { name: 'user1' }, password: 'pass1' },
        // Would log in as user1 if the schema coerced a one-element array to its element.
        { username: ['user1'], password: ['pass1'] },
      ]) {
        assertErrorShape(await postJson(value), 400, JSON.stringify(value));
      }
      await assertStillServing();
    });

    it('a JSON body that is not an object is 400', async () => {
      for (const value of [null, [], ['user1', 'pass1'], 'user1', 42, true]) {
        assertErrorShape(await postJson(value), 400, JSON.stringify(value));
      }
      await assertStillServing();
    });

    it('an empty body with a JSON content type is 400', async () => {
      assertErrorShape(await postLogin('', 'application/json'), 400, 'empty body');
      assertErrorShape(await postLogin(undefined, 'application/json'), 400, 'no body at all');
      await assertStillServing();
    });

    it('a huge username is 400 within the body limit and 413 past it', async () => {
      assertErrorShape(await postJson({ username: `user${'1'.repeat(3000)}`, password: 'pass1' }), 400, '3000-character username');
      assertErrorShape(await postJson({ username: 'u'.repeat(100_000), password: 'pass1' }), 413, '100000-character username');
      await assertStillServing();
    });

    it('garbage Authorization values on GET /me are 401 with the one refusal body', async () => {
      for (const [label, value] of GARBAGE_AUTHORIZATION) {
        assertRefused(await request(`${base}/me`, { headers: { authorization: value } }), label);
      }
      await assertStillServing();
    });

    it('garbage Authorization values on POST /logout are 401 with the one refusal body', async () => {
      for (const [label, value] of GARBAGE_AUTHORIZATION) {
        assertRefused(await request(`${base}/logout`, { method: 'POST', headers: { authorization: value } }), label);
      }
      await assertStillServing();
    });

    it('non-ASCII UTF-8 bytes in the Authorization header are 401 on /me and /logout', async () => {
      for (const value of ['Bearer \u0442\u043e\u043a\u0435\u043d', '\u{1F511} Bearer abc', `Bearer ${'\u00e9'.repeat(3000)}`]) {
        for (const [method, path] of [['GET', '/me'], ['POST', '/logout']] as const) {
          const bytes = rawRequestBytes(base, method, path, { authorization: Buffer.from(value, 'utf8') });
          assertRefused(await rawExchange(base, bytes), `${method} ${path} ${JSON.stringify(value.slice(0, 20))}`);
        }
      }
      await assertStillServing();
    });

    if (strategy === 'redis-token') {
      it('a JWT-looking token is 401 on /me and /logout', async () => {
        const token = foreignJwt();
        assertRefused(await request(`${base}/me`, { headers: { authorization: `Bearer ${token}` } }), 'me');
        assertRefused(await request(`${base}/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }), 'logout');
        await assertStillServing();
      });
    } else {
      it('a UUID token (the redis-token shape) is 401 on /me and /logout', async () => {
        const token = randomUUID();
        assertRefused(await request(`${base}/me`, { headers: { authorization: `Bearer ${token}` } }), 'me');
        assertRefused(await request(`${base}/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }), 'logout');
        await assertStillServing();
      });

      it('a well-formed JWT signed with another key is 401 on /me and /logout', async () => {
        const token = foreignJwt();
        assertRefused(await request(`${base}/me`, { headers: { authorization: `Bearer ${token}` } }), 'me');
        assertRefused(await request(`${base}/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }), 'logout');
        await assertStillServing();
      });
    }

    it('after all of it the process is alive, healthy, and still logs users in', async () => {
      await assertStillServing();
      const r = await postJson({ username: 'user1', password: 'pass1' });
      assert.equal(r.status, 200, r.text);
    });
  });
}
