import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { tokenKey } from './designs/redis-token.js';
import { assertAccepted, assertRefused, httpTarget, redisCommandCalls, type AuthTarget } from '../test-support/auth-probe.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';
import { startServerProcess, type ServerProcess } from '../test-support/server-process.js';

/**
 * redis-token: a token that is not a UUIDv4 never reaches Redis, and a stored record that does not parse or
 * has the wrong shape is refused (and removed). Real server process, real Redis, whose INFO commandstats
 * count every command the server sends.
 */

/** A well-formed token Redis has never seen. */
const unknownUuid = (): string => randomUUID();

const withCharAt = (s: string, i: number, c: string): string => `${s.slice(0, i)}${c}${s.slice(i + 1)}`;

const notUuidV4: Record<string, () => string> = {
  'a short garbage string': () => 'garbage',
  'an uppercase UUIDv4': () => randomUUID().toUpperCase(),
  'a UUID of version 1': () => withCharAt(randomUUID(), 14, '1'),
  'a UUIDv4 with a wrong variant nibble': () => withCharAt(randomUUID(), 19, 'c'),
  'the nil UUID': () => '00000000-0000-0000-0000-000000000000',
  'a UUIDv4 without dashes': () => randomUUID().replaceAll('-', ''),
  'a UUIDv4 in braces': () => `{${randomUUID()}}`,
  'a UUIDv4 with a trailing character': () => `${randomUUID()}0`,
  'a UUIDv4 with a key suffix': () => `${randomUUID()}:x`,
  'a Redis glob pattern': () => '*',
  'a JWT': () => 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl',
  'a 5000-character string': () => 'a'.repeat(5000),
};

/** Stored values that are valid JSON but not a user record { userId, username, roles: string[] }. */
const wrongShapes: Record<string, string> = {
  'JSON null': 'null',
  'a JSON number': '42',
  'a JSON string': '"u1"',
  'a JSON array': '["u1","user1",["user"]]',
  'an empty object': '{}',
  'a record without roles': '{"userId":"u1","username":"user1"}',
  'a record whose roles is a string': '{"userId":"u1","username":"user1","roles":"admin"}',
  'a record whose roles holds a number': '{"userId":"u1","username":"user1","roles":["user",1]}',
  'a record whose userId is a number': '{"userId":1,"username":"user1","roles":["user"]}',
  'a record without username': '{"userId":"u1","roles":["user"]}',
};

describe('redis-token: refusals before and after Redis', () => {
  let redis: TestRedis;
  let server: ServerProcess | undefined;
  let target: AuthTarget;

  before(async () => {
    redis = await startTestRedis();
    server = await startServerProcess('redis-token', ['--redis-url', redis.server.url]);
    target = httpTarget(server.url, server.metricsUrl);
  });
  after(async () => {
    await server?.stop();
    await redis?.close();
  });

  /** Runs `action` and returns how the server's storeCalls and Redis's own command counts moved. */
  async function redisTraffic(action: () => Promise<void>): Promise<{ storeCalls: number; commands: Record<string, number> }> {
    const storeBefore = (await target.metrics()).storeCalls;
    const before = await redisCommandCalls(redis.client);
    await action();
    const after = await redisCommandCalls(redis.client);
    const commands: Record<string, number> = {};
    for (const [name, calls] of Object.entries(after)) {
      if (calls !== (before[name] ?? 0)) commands[name] = calls - (before[name] ?? 0);
    }
    return { storeCalls: (await target.metrics()).storeCalls - storeBefore, commands };
  }

  it('a well-formed but unknown UUIDv4 costs exactly one GET (so the counts below can see a call)', async () => {
    const traffic = await redisTraffic(() => assertRefused(target, unknownUuid(), 'unknown_token'));
    assert.deepEqual(traffic, { storeCalls: 1, commands: { get: 1 } });
  });

  for (const [what, make] of Object.entries(notUuidV4)) {
    it(`${what} is refused on /me without a Redis call`, async () => {
      const traffic = await redisTraffic(() => assertRefused(target, make(), 'malformed'));
      assert.deepEqual(traffic, { storeCalls: 0, commands: {} });
    });
  }

  it('a token that is not a UUIDv4 is refused on logout without a Redis call', async () => {
    const traffic = await redisTraffic(() => assertRefused(target, 'garbage', 'malformed', 'logout'));
    assert.deepEqual(traffic, { storeCalls: 0, commands: {} });
  });

  it('a genuine token whose stored value is not JSON is refused and its key deleted', async () => {
    const token = await target.login(21);
    await assertAccepted(target, token, 'u21');
    await redis.client.set(tokenKey(token), 'not json {', 'KEEPTTL');
    await assertRefused(target, token, 'bad_stored_value');
    assert.equal(await redis.client.exists(tokenKey(token)), 0);
  });

  it('garbage bytes written under token:{uuid} are refused and the key is deleted', async () => {
    const token = unknownUuid();
    await redis.client.set(tokenKey(token), Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80]), 'EX', 60);
    const traffic = await redisTraffic(() => assertRefused(target, token, 'bad_stored_value'));
    assert.deepEqual(traffic, { storeCalls: 2, commands: { get: 1, del: 1 } });
    assert.equal(await redis.client.exists(tokenKey(token)), 0);
  });

  for (const [what, value] of Object.entries(wrongShapes)) {
    it(`a stored value that is ${what} is refused and its key deleted`, async () => {
      const token = unknownUuid();
      await redis.client.set(tokenKey(token), value, 'EX', 60);
      await assertRefused(target, token, 'bad_stored_value');
      assert.equal(await redis.client.exists(tokenKey(token)), 0);
    });
  }

  it('a token key of another Redis type (a hash) is refused with 401, not 503, and deleted', async () => {
    const token = unknownUuid();
    await redis.client.hset(tokenKey(token), { userId: 'u1', username: 'user1', roles: 'user' });
    await assertRefused(target, token, 'bad_stored_value');
    assert.equal(await redis.client.exists(tokenKey(token)), 0);
    assert.equal((await target.metrics()).store, 'up', 'Redis answered: the store is not down');
  });

  it('a refused corrupt record stays refused: the next request finds no key', async () => {
    const token = unknownUuid();
    await redis.client.set(tokenKey(token), '{', 'EX', 60);
    await assertRefused(target, token, 'bad_stored_value');
    await assertRefused(target, token, 'unknown_token');
  });
});
