import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { LocalCluster } from '../redis/local-cluster.js';
import { spawnCli } from '../test-support/cli-process.js';
import { UNAUTHORIZED_BODY, login, logout, me, request } from '../test-support/http.js';
import { descendants, isAlive } from '../test-support/processes.js';
import { runCli, startServerProcess, type ServerProcess } from '../test-support/server-process.js';

/** The two Redis designs on a real Redis Cluster (3 masters + 3 replicas) through ioredis' cluster client. */
describe('the Redis designs on a Redis Cluster (--redis-cluster)', () => {
  let cluster: LocalCluster;
  let inspector: Cluster;
  const servers: ServerProcess[] = [];

  before(async () => {
    cluster = await LocalCluster.start();
    inspector = new Cluster([{ host: '127.0.0.1', port: Number(cluster.addresses[0]?.split(':')[1]) }], { redisOptions: { maxRetriesPerRequest: 1, password: cluster.password } });
    inspector.on('error', () => {});
  });
  after(async () => {
    for (const s of servers) await s.stop();
    inspector?.disconnect();
    await cluster?.stop();
  });

  for (const strategy of ['redis-token', 'jwt-blacklist'] as const) {
    it(`${strategy}: login, /me, logout, then the same token is 401`, async () => {
      const server = await startServerProcess(strategy, ['--redis-cluster', cluster.addresses.join(','), '--redis-password', cluster.password]);
      servers.push(server);
      const health = await request(`${server.url}/health`);
      assert.deepEqual(health.body, { status: 'ok', store: 'up' });
      const token = await login(server.url, 42);
      const mine = await me(server.url, token);
      assert.equal(mine.status, 200);
      assert.deepEqual(mine.body, { userId: 'u42', username: 'user42', roles: ['user'] });
      assert.equal((await logout(server.url, token)).status, 204);
      const reused = await me(server.url, token);
      assert.equal(reused.status, 401);
      assert.deepEqual(reused.body, UNAUTHORIZED_BODY);
      // A retried logout: jwt-blacklist knows the signed token and answers 204 again; an opaque token once deleted is
      // indistinguishable from one never issued.
      assert.equal((await logout(server.url, token)).status, strategy === 'jwt-blacklist' ? 204 : 401, 'a second logout of the same token');
    });
  }

  it('spreads the sessions of many logins over the three masters (single-key commands, no hash tags)', async () => {
    const server = await startServerProcess('redis-token', ['--redis-cluster', cluster.addresses.join(','), '--redis-password', cluster.password]);
    servers.push(server);
    for (let i = 0; i < 30; i++) await login(server.url, i);
    const counts = await Promise.all(inspector.nodes('master').map((m) => m.dbsize()));
    assert.equal(counts.length, 3);
    assert.ok(counts.every((c) => c > 0), `sessions on every master: ${counts.join(', ')}`);
  });

  it('jwt ignores --redis-cluster (it keeps no state) and serves', async () => {
    const server = await startServerProcess('jwt', ['--redis-cluster', cluster.addresses.join(','), '--redis-password', cluster.password]);
    servers.push(server);
    assert.equal((await me(server.url, await login(server.url, 1))).status, 200);
  });
});

describe('authbench serve --redis-cluster: flags', () => {
  it('a value that is not host:port,... exits 2 naming --redis-cluster', async () => {
    const r = await runCli(['serve', 'redis-token', '--redis-cluster', 'redis://127.0.0.1:7000']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--redis-cluster must be host:port,host:port,\.\.\./);
  });

  it('with --redis-url too exits 2: one or the other', async () => {
    for (const cluster of ['127.0.0.1:7000', 'local']) {
      const r = await runCli(['serve', 'redis-token', '--redis-url', 'redis://127.0.0.1:6379', '--redis-cluster', cluster]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /one of --redis-url .*and --redis-cluster/);
    }
  });

  it('`local` starts a cluster of six nodes for the server and SIGTERM stops every one of them', async () => {
    const cli = spawnCli(['serve', 'redis-token', '--redis-cluster', 'local']);
    try {
      const [, base] = await cli.waitForStdout(/^listening on (http:\/\/\S+) \(metrics: [^\n]*\n/, 60_000);
      const nodes = descendants(cli.child.pid ?? -1).filter((p) => p.cmdline.includes('redis-server'));
      assert.equal(nodes.length, 6, JSON.stringify(nodes));
      assert.match(cli.stderr(), /started a Redis Cluster \(3 masters \+ 3 replicas\) at 127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+){5}/);
      assert.equal((await me(base as string, await login(base as string, 3))).status, 200);
      cli.child.kill('SIGTERM');
      assert.equal((await cli.exited(20_000)).code, 0, cli.stderr());
      for (const n of nodes) assert.equal(isAlive(n.pid), false, `left behind: ${n.cmdline}`);
    } finally {
      await cli.stop();
    }
  });
});
