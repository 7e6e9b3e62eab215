import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuthbenchError } from '../lib/errors.js';
import { LocalRedis } from './local-server.js';
import { obtainRedis, type RedisHandle } from './provider.js';
import { isAlive, portAccepts, redisPing, redisServersOnPort } from '../test-support/processes.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';
import { runCli } from '../test-support/server-process.js';

/** The three ways NO_REDIS_MESSAGE must name, each as a pattern over the message. */
const THREE_WAYS: readonly (readonly [string, RegExp])[] = [
  ['a URL', /--redis-url redis:\/\//],
  ['redis-server on PATH', /redis-server on PATH/],
  ['Docker', /Docker/],
];

function realRedisServer(): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'redis-server');
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error('redis-server is not on PATH');
}

/** Holds 127.0.0.1:port (0 = any) open, as another program would. */
function holdPort(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

const portOf = (srv: Server): number => {
  const address = srv.address();
  assert.ok(typeof address === 'object' && address !== null);
  return address.port;
};

/**
 * The real redis-server behind a shell wrapper that logs each invocation's arguments. With `firstPort` set, the
 * first invocation is sent to that port instead of the one LocalRedis chose (redis-server takes the last --port):
 * a port taken between choosing and binding, made to happen on purpose.
 */
function loggingRedisServer(dir: string, firstPort?: number): { binary: string; calls(): string[] } {
  const log = join(dir, 'calls.log');
  const binary = join(dir, 'redis-server');
  const real = realRedisServer();
  writeFileSync(
    binary,
    [
      '#!/bin/sh',
      `n=$(cat '${log}' 2>/dev/null | wc -l)`,
      `echo "$*" >> '${log}'`,
      firstPort === undefined ? '' : `if [ "$n" -eq 0 ]; then exec '${real}' "$@" --port ${firstPort}; fi`,
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(binary, 0o755);
  return { binary, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter((l) => l !== '') : []) };
}

const argOf = (call: string, flag: string): string | undefined => new RegExp(`${flag} (\\S+)`).exec(call)?.[1];

describe('obtainRedis', () => {
  let redis: TestRedis;
  const handles: RedisHandle[] = [];

  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    for (const h of handles) await h.stop();
    await redis?.close();
  });

  it('with a URL returns that URL, not owned, and stop() leaves that Redis running', async () => {
    const handle = await obtainRedis({ url: redis.server.url });
    handles.push(handle);
    assert.equal(handle.url, redis.server.url);
    assert.equal(handle.source, 'url');
    assert.equal(handle.owned, false);
    assert.equal(handle.local, undefined);
    await handle.stop();
    assert.equal(await redis.client.ping(), 'PONG');
    assert.equal(isAlive(redis.server.pid ?? -1), true);
  });

  it('without options starts a redis-server that answers PING, and stop() removes the process and its temp dir', async () => {
    const handle = await obtainRedis();
    handles.push(handle);
    assert.equal(handle.source, 'binary');
    assert.equal(handle.owned, true);
    const local = handle.local;
    assert.ok(local !== undefined);
    const port = Number(new URL(handle.url).port);
    assert.equal(handle.url, `redis://:${local.password}@127.0.0.1:${port}`);
    assert.match(local.password ?? '', /^[0-9a-f]{32}$/, 'a random password');
    assert.match(await redisPing(port), /^-NOAUTH/, 'a client without the password is refused');
    assert.equal(await redisPing(port, local.password), '+PONG');
    assert.ok(!readFileSync(`/proc/${local.pid}/cmdline`, 'latin1').includes(local.password ?? ''), 'the password is not on the command line');
    assert.equal(statSync(join(local.dir, 'redis.conf')).mode & 0o777, 0o600, 'the file that holds it is for its owner only');
    assert.equal(statSync(local.dir).mode & 0o777, 0o700, 'in a directory for its owner only');
    const pid = local.pid;
    assert.ok(pid !== undefined && isAlive(pid));
    assert.ok(existsSync(local.dir), `${local.dir} exists while it runs`);

    await handle.stop();
    assert.equal(isAlive(pid), false, `pid ${pid} is gone`);
    assert.equal(await portAccepts(port), false, `port ${port} refuses connections`);
    assert.deepEqual(redisServersOnPort(port), []);
    assert.equal(existsSync(local.dir), false, `${local.dir} is removed`);
  });

  it('with no redis-server binary and Docker off rejects with ERR_NO_REDIS naming the three ways', async () => {
    await assert.rejects(obtainRedis({ binary: '/nonexistent/redis-server', docker: false }), (err: unknown) => {
      assert.ok(err instanceof AuthbenchError);
      assert.equal(err.code, 'ERR_NO_REDIS');
      for (const [way, pattern] of THREE_WAYS) assert.match(err.message, pattern, way);
      assert.match(err.message, /\/nonexistent\/redis-server/, 'says what was tried');
      return true;
    });
  });
});

describe('LocalRedis.start', () => {
  let dir: string;
  const started: LocalRedis[] = [];
  const held: Server[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'authbench-test-'));
  });
  after(async () => {
    for (const r of started) await r.stop();
    for (const s of held) await new Promise((resolve) => s.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('on a port that was asked for and is taken, fails after one attempt without trying another port', async () => {
    const taken = await holdPort();
    held.push(taken);
    const port = portOf(taken);
    const wrapper = loggingRedisServer(mkdtempSync(join(dir, 'asked-')));
    await assert.rejects(LocalRedis.start({ port, binary: wrapper.binary }), (err: unknown) => {
      assert.ok(err instanceof AuthbenchError);
      assert.equal(err.code, 'ERR_REDIS_START_FAILED');
      assert.match(err.message, /Address already in use/);
      return true;
    });
    const calls = wrapper.calls();
    assert.equal(calls.length, 1, `one attempt: ${calls.join(' | ')}`);
    assert.equal(argOf(calls[0] ?? '', '--port'), String(port));
    const tempDir = argOf(calls[0] ?? '', '--dir');
    assert.ok(tempDir !== undefined && !existsSync(tempDir), `its temp dir ${tempDir} is removed`);
  });

  it('with no port asked, retries on another free port when the first is taken', async () => {
    const taken = await holdPort();
    held.push(taken);
    const wrapper = loggingRedisServer(mkdtempSync(join(dir, 'free-')), portOf(taken));
    const local = await LocalRedis.start({ binary: wrapper.binary });
    started.push(local);
    const calls = wrapper.calls();
    assert.equal(calls.length, 2, `two attempts: ${calls.join(' | ')}`);
    assert.equal(argOf(calls[1] ?? '', '--port'), String(local.port), 'it runs on the port of the second attempt');
    assert.notEqual(local.port, portOf(taken));
    assert.equal(await redisPing(local.port, local.password), '+PONG');
  });
});

describe('authbench serve with no way to get a Redis', () => {
  const dockerMayBeReachable = existsSync('/var/run/docker.sock') || (process.env['DOCKER_HOST'] ?? '') !== '';

  it(
    'a Redis design exits 2 with a message naming the three ways when redis-server is not on PATH and no Docker engine runs',
    { skip: dockerMayBeReachable ? 'a Docker engine may be reachable here: the fallback would start a container' : false },
    async (t) => {
      const emptyPath = mkdtempSync(join(tmpdir(), 'authbench-nopath-'));
      try {
        const startedAt = Date.now();
        // A generous bound: a code of null would mean it was killed for hanging.
        const r = await runCli(['serve', 'redis-token'], { PATH: emptyPath }, 120_000);
        const ms = Date.now() - startedAt;
        t.diagnostic(`the CLI gave up after ${ms} ms (redis-server lookup, then the Docker attempt)`);
        assert.equal(r.code, 2, `stderr:\n${r.stderr}`);
        assert.equal(r.stdout, '');
        for (const [way, pattern] of THREE_WAYS) assert.match(r.stderr, pattern, way);
        assert.match(r.stderr, /tried: redis-server: .*docker: /);
      } finally {
        rmSync(emptyPath, { recursive: true, force: true });
      }
    },
  );
});
