import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../lib/ports.js';
import { designNames } from '../designs/index.js';
import { spawnCli, type CliProcess } from '../../test-support/cli-process.js';
import { login, me, request } from '../../test-support/http.js';
import { cwdOf, isAlive, portAccepts, redisPing, redisServersOnPort } from '../../test-support/processes.js';
import { startTestRedis, type TestRedis } from '../../test-support/redis.js';
import { runCli, startServerProcess, type ServerProcess } from '../../test-support/server-process.js';

/** The line of stderr the CLI's own error handler printed (`authbench: ...` or commander's `error: ...`). */
function errorLine(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith('authbench: ') || l.startsWith('error: '));
  assert.ok(line !== undefined, `no error line in stderr:\n${stderr}`);
  return line;
}

describe('authbench serve: bad arguments exit 2 before anything starts', () => {
  it('an unknown strategy exits 2 and the message names jwt, jwt-blacklist and redis-token', async () => {
    const r = await runCli(['serve', 'jwt-redis']);
    assert.equal(r.code, 2, r.stderr);
    const line = errorLine(r.stderr);
    assert.match(line, /jwt-redis/);
    for (const name of ['jwt', 'jwt-blacklist', 'redis-token']) assert.match(line, new RegExp(`\\b${name}\\b`), line);
    assert.equal(r.stdout, '');
  });

  it('--jwt-alg HS999 exits 2 and lists the valid algorithms', async () => {
    const r = await runCli(['serve', 'jwt', '--jwt-alg', 'HS999']);
    assert.equal(r.code, 2, r.stderr);
    const line = errorLine(r.stderr);
    assert.match(line, /--jwt-alg/);
    assert.match(line, /HS999/);
    for (const alg of ['HS256', 'RS256', 'ES256', 'EdDSA']) assert.ok(line.includes(alg), `${alg} in: ${line}`);
    assert.equal(r.stdout, '');
  });

  for (const [flag, value] of [
    ['--token-ttl', '-5'],
    ['--token-ttl', 'abc'],
    ['--token-ttl', '1.5'],
    ['--port', '70000'],
    ['--users', '0'],
    ['--blacklist-failure', 'maybe'],
  ] as const) {
    it(`${flag} ${value} exits 2 and the message names ${flag}`, async () => {
      const r = await runCli(['serve', 'jwt-blacklist', '--redis-url', 'redis://127.0.0.1:1', flag, value]);
      assert.equal(r.code, 2, r.stderr);
      const line = errorLine(r.stderr);
      assert.ok(line.includes(flag), `${flag} in: ${line}`);
      assert.ok(line.includes(value), `${value} in: ${line}`);
      assert.equal(r.stdout, '');
    });
  }
});

/** The redis-server a `serve` without --redis-url started: its port (from stderr), its pid and its directory. */
function ownRedisOf(server: ServerProcess): { port: number; pid: number; dir: string; password: string } {
  const m = /^started Redis \(binary\) at redis:\/\/127\.0\.0\.1:(\d+), password in (\S+)$/m.exec(server.stderr());
  assert.ok(m?.[1] !== undefined && m[2] !== undefined, `stderr:\n${server.stderr()}`);
  const port = Number(m[1]);
  const password = /^requirepass (\S+)$/m.exec(readFileSync(m[2], 'utf8'))?.[1] ?? '';
  assert.match(password, /^[0-9a-f]{32}$/, `a random password in ${m[2]}`);
  const procs = redisServersOnPort(port);
  assert.equal(procs.length, 1, `one redis-server on port ${port}: ${JSON.stringify(procs)}`);
  const pid = procs[0]?.pid ?? -1;
  const dir = cwdOf(pid) ?? '';
  assert.ok(dir.includes('authbench-redis-'), `redis-server runs in ${dir}`);
  return { port, pid, dir, password };
}

/** Only if a test failed half-way: the redis-server it caused to start, by its pid, and its directory. */
function removeOwnRedis(own: { pid: number; dir: string } | undefined): void {
  if (own === undefined) return;
  if (isAlive(own.pid)) process.kill(own.pid, 'SIGKILL');
  if (own.dir.includes('authbench-redis-')) rmSync(own.dir, { recursive: true, force: true });
}

describe('authbench serve: output and signals', () => {
  let redis: TestRedis;
  const running = new Set<{ stop(): Promise<void> }>();

  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    for (const p of running) await p.stop();
    await redis?.close();
  });

  it('the only stdout line is exactly "listening on http://127.0.0.1:<port> (metrics: http://127.0.0.1:<admin>/metrics)", and those ports serve', async () => {
    const cli: CliProcess = spawnCli(['serve', 'jwt', '--port', '0']);
    running.add(cli);
    await cli.waitForStdout(/\n/);
    const line = /^listening on http:\/\/127\.0\.0\.1:(\d+) \(metrics: http:\/\/127\.0\.0\.1:(\d+)\/metrics\)\n$/.exec(cli.stdout());
    assert.ok(line?.[1] !== undefined && line[2] !== undefined, `stdout was ${JSON.stringify(cli.stdout())}`);
    const port = Number(line[1]);
    const adminPort = Number(line[2]);
    assert.ok(port > 0 && port < 65536);
    assert.notEqual(adminPort, port);
    const health = await request(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200);
    await me(`http://127.0.0.1:${port}`, await login(`http://127.0.0.1:${port}`, 1));
    assert.equal((await request(`http://127.0.0.1:${adminPort}/metrics`)).status, 200);
    cli.child.kill('SIGTERM');
    assert.deepEqual(await cli.exited(), { code: 0, signal: null });
    assert.equal(cli.stdout(), line[0], 'nothing else on stdout, before or after the signal');
    assert.equal(await portAccepts(adminPort), false, 'the admin port is closed too');
  });

  it('GET /metrics is not on the API port (404, as any unknown path); --admin-port puts it on that loopback port', async () => {
    const adminPort = await freePort();
    const cli: CliProcess = spawnCli(['serve', 'jwt', '--port', '0', '--admin-port', String(adminPort)]);
    running.add(cli);
    const [, base, metricsUrl] = await cli.waitForStdout(/^listening on (http:\/\/\S+) \(metrics: (http:\/\/\S+)\)\n/);
    assert.equal(metricsUrl, `http://127.0.0.1:${adminPort}/metrics`);
    const onApi = await request(`${base}/metrics`);
    assert.equal(onApi.status, 404);
    assert.deepEqual(onApi.body, { error: 'no route GET /metrics', code: 'ERR_NOT_FOUND' });
    const metrics = await request(metricsUrl as string);
    assert.equal(metrics.status, 200);
    assert.equal((metrics.body as { strategy: string }).strategy, 'jwt');
    assert.equal((await request(`http://127.0.0.1:${adminPort}/health`)).status, 404, 'the admin port serves only /metrics');
  });

  it('--admin-port equal to --port exits 2 naming the flag', async () => {
    const r = await runCli(['serve', 'jwt', '--port', '4001', '--admin-port', '4001']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--admin-port must differ from --port/);
  });

  for (const strategy of designNames()) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`${strategy}: ${signal} makes the server close and exit 0`, async () => {
        const server: ServerProcess = await startServerProcess(strategy, ['--redis-url', redis.server.url]);
        running.add(server);
        assert.equal((await request(`${server.url}/health`)).status, 200);
        const exit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => server.child.once('exit', (c, s) => resolve([c, s])));
        server.child.kill(signal);
        // A generous bound: this proves the process does not hang, not how fast it closes.
        const result = await Promise.race([exit, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref())]);
        assert.deepEqual(result, [0, null], `stderr:\n${server.stderr()}`);
        assert.match(server.stderr(), new RegExp(`${signal}: closing`));
        assert.equal(await portAccepts(Number(new URL(server.url).port)), false, 'the HTTP port is closed');
        assert.equal(await redisPing(redis.server.port, redis.server.password), '+PONG', 'a Redis given by URL is left running');
      });
    }
  }

  for (const strategy of designNames().filter((s) => s !== 'jwt')) {
    it(`${strategy} without --redis-url starts its own redis-server, and SIGTERM stops it and removes its directory`, async () => {
      const server = await startServerProcess(strategy);
      running.add(server);
      let own: ReturnType<typeof ownRedisOf> | undefined;
      try {
        own = ownRedisOf(server);
        const { port, pid: redisPid, dir: redisDir, password } = own;
        assert.match(await redisPing(port), /^-NOAUTH/, 'a client without the password is refused');
        assert.equal(await redisPing(port, password), '+PONG');
        assert.ok(!readFileSync(`/proc/${server.child.pid}/cmdline`, 'latin1').includes(password), 'the password is not on the server command line');
        assert.ok(!readFileSync(`/proc/${redisPid}/cmdline`, 'latin1').includes(password), 'nor on the redis-server command line');

        const token = await login(server.url, 3);
        assert.equal((await me(server.url, token)).status, 200, 'the server uses the Redis it started');

        server.child.kill('SIGTERM');
        const exit = new Promise<number | null>((resolve) =>
          server.child.exitCode !== null ? resolve(server.child.exitCode) : server.child.once('exit', (c) => resolve(c)),
        );
        const code = await Promise.race([exit, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref())]);
        assert.equal(code, 0, `stderr:\n${server.stderr()}`);

        assert.equal(await portAccepts(port), false, `port ${port} refuses connections`);
        assert.deepEqual(redisServersOnPort(port), [], `no redis-server on port ${port} remains`);
        assert.equal(isAlive(redisPid), false, `pid ${redisPid} is gone`);
        assert.equal(existsSync(redisDir), false, `${redisDir} is removed`);
      } finally {
        await server.stop();
        removeOwnRedis(own);
      }
    });
  }

  for (const signal of ['SIGKILL', 'SIGHUP'] as const) {
    it(`serve killed by ${signal} takes its own redis-server and directory with it (the watchdog), no exit hook needed`, async () => {
      const server = await startServerProcess('redis-token');
      running.add(server);
      let own: ReturnType<typeof ownRedisOf> | undefined;
      try {
        own = ownRedisOf(server);
        const { port, pid, dir } = own;
        server.child.kill(signal);
        const deadline = Date.now() + 10_000;
        while ((isAlive(pid) || existsSync(dir)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.equal(isAlive(pid), false, `redis-server ${pid} outlived serve killed by ${signal}`);
        assert.equal(existsSync(dir), false, `${dir} outlived serve killed by ${signal}`);
        // No redis-server serves its port any more. Not "nothing accepts on it": with other test files running, another
        // process's listener was once given the freed port within the second.
        assert.deepEqual(redisServersOnPort(port), [], `a redis-server on port ${port}`);
      } finally {
        await server.stop();
        removeOwnRedis(own);
      }
    });
  }
});
