import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { InvalidOptionError } from '../../lib/errors.js';
import { spawnCli, runCli } from '../../test-support/cli-process.js';
import { request } from '../../test-support/http.js';
import { startTestRedis, type TestRedis } from '../../test-support/redis.js';
import { requireNoEviction } from './eviction.js';
import { RedisStore } from './redis-store.js';

/** jwt-blacklist refuses a Redis that may evict its revocations. Real redis-server, real `authbench serve`. */
describe('requireNoEviction: a Redis that may evict revocations', () => {
  let redis: TestRedis;
  const stores: RedisStore[] = [];
  const open = async (url = redis.server.url): Promise<RedisStore> => {
    const store = await RedisStore.connect({ url, commandTimeoutMs: 250 });
    stores.push(store);
    return store;
  };
  before(async () => {
    redis = await startTestRedis();
  });
  afterEach(async () => {
    await redis.client.config('SET', 'maxmemory-policy', 'noeviction');
  });
  after(async () => {
    for (const s of stores) await s.close();
    await redis?.close();
  });

  it('passes noeviction (the default of the redis-server authbench starts) without a word', async () => {
    const warnings: string[] = [];
    await requireNoEviction(await open(), 'jwt-blacklist', false, (l) => warnings.push(l));
    assert.deepEqual(warnings, []);
  });

  for (const policy of ['allkeys-lru', 'volatile-ttl']) {
    it(`refuses ${policy}, naming the policy, noeviction and --allow-eviction`, async () => {
      await redis.client.config('SET', 'maxmemory-policy', policy);
      await assert.rejects(requireNoEviction(await open(), 'jwt-blacklist', false, () => {}), (err: unknown) => {
        assert.ok(err instanceof InvalidOptionError);
        assert.match(err.message, new RegExp(`maxmemory-policy ${policy} on 127\\.0\\.0\\.1:\\d+`));
        assert.match(err.message, /noeviction/);
        assert.match(err.message, /--allow-eviction/);
        return true;
      });
    });
  }

  it('with --allow-eviction, starts with one warning', async () => {
    await redis.client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const warnings: string[] = [];
    await requireNoEviction(await open(), 'jwt-blacklist', true, (l) => warnings.push(l));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /allkeys-lru .*revoked token is then accepted again/);
  });

  it('warns when CONFIG is refused (an ACL user without it, as managed Redis services give)', async () => {
    await redis.client.call('ACL', 'SETUSER', 'noconfig', 'on', '>noconfig-password', '~*', '+@all', '-config');
    const warnings: string[] = [];
    await requireNoEviction(await open(`redis://noconfig:noconfig-password@127.0.0.1:${redis.server.port}`), 'jwt-blacklist', false, (l) => warnings.push(l));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /could not read maxmemory-policy .*NOPERM/);
  });

  it('authbench serve jwt-blacklist exits 2 on allkeys-lru, and serves with --allow-eviction and a warning on stderr', async () => {
    await redis.client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const refused = await runCli(['serve', 'jwt-blacklist', '--redis-url', redis.server.url]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /maxmemory-policy allkeys-lru/);
    assert.equal(refused.stdout, '');
    const cli = spawnCli(['serve', 'jwt-blacklist', '--redis-url', redis.server.url, '--allow-eviction']);
    try {
      await cli.waitForStdout(/listening on (http:\/\/\S+) \(metrics: [^\n]*\n/);
      const url = /listening on (http:\/\/\S+) \(metrics: [^\n]*\n/.exec(cli.stdout())?.[1] ?? '';
      assert.equal((await request(`${url}/health`)).status, 200);
      assert.match(cli.stderr(), /authbench serve: warning: jwt-blacklist: maxmemory-policy allkeys-lru/);
    } finally {
      await cli.stop();
    }
  });
});
