import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { designNames, designOf } from '../../servers/designs/index.js';
import { getJson } from '../../lib/http.js';
import { login, me } from '../../test-support/http.js';
import { startTestRedis, type TestRedis } from '../../test-support/redis.js';
import { secretsToEnv, startServerProcess, type ServerProcess } from './server-process.js';

describe('a server process authbench starts', () => {
  let server: ServerProcess;
  before(async () => {
    // A design that needs no Redis: the process alone is under test.
    const name = designNames().find((n) => designOf(n).traits.state.kind === 'none' && designOf(n).traits.storeCommandsPerValidate === 0);
    assert.ok(name, 'a design without a store');
    server = await startServerProcess(name);
  });
  after(async () => {
    await server?.stop();
  });

  it('exitedWithin waits for the running process (undefined after the wait) and then gives why it ended', async () => {
    const listeners = server.child.listenerCount('exit');
    assert.equal(await server.exitedWithin(50), undefined);
    assert.equal(server.child.listenerCount('exit'), listeners, 'a wait that timed out leaves no exit listener behind');
    const victim = await startServerProcess(designNames()[0] as string);
    const reason = victim.exitedWithin(5000);
    victim.child.kill('SIGKILL');
    assert.equal(await reason, 'killed by SIGKILL');
    assert.equal(await victim.exitedWithin(0), 'killed by SIGKILL', 'at once, once known');
  });

  it('collects its garbage when GET /metrics?gc=1 asks (it runs with --expose-gc), and only then', async () => {
    assert.equal((await getJson(`${server.metricsUrl ?? ''}?gc=1`, 2000))?.['gcRan'], true);
    assert.equal((await getJson(server.metricsUrl ?? '', 2000))?.['gcRan'], undefined);
  });
});

describe('secrets reach a server process through its environment, never its command line', () => {
  it('secretsToEnv moves --redis-url and --redis-password (both spellings) to REDIS_URL and REDIS_PASSWORD', () => {
    assert.deepEqual(secretsToEnv(['--redis-url', 'redis://:pw@127.0.0.1:1', '--users', '10', '--redis-password=pw2', '--jwt-alg', 'ES256']), {
      argv: ['--users', '10', '--jwt-alg', 'ES256'],
      env: { REDIS_URL: 'redis://:pw@127.0.0.1:1', REDIS_PASSWORD: 'pw2' },
    });
    assert.deepEqual(secretsToEnv(['--redis-cluster', '127.0.0.1:7000']), { argv: ['--redis-cluster', '127.0.0.1:7000'], env: {} });
  });

  describe('a Redis design given a password-protected Redis by --redis-url', () => {
    let redis: TestRedis;
    let server: ServerProcess;
    before(async () => {
      redis = await startTestRedis();
      server = await startServerProcess('redis-token', ['--redis-url', redis.server.url]);
    });
    after(async () => {
      await server?.stop();
      await redis?.close();
    });

    it('uses that Redis, while neither its password nor its URL is on the command line (`ps` shows it to every user)', async () => {
      assert.equal((await me(server.url, await login(server.url, 7))).status, 200);
      const password = redis.server.password ?? '';
      assert.ok(password.length > 0);
      const cmdline = readFileSync(`/proc/${server.child.pid}/cmdline`, 'latin1');
      assert.ok(!cmdline.includes(password), cmdline);
      assert.ok(!cmdline.includes('--redis-url'), cmdline);
    });
  });
});
