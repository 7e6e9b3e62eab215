import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { waitFor } from '../test-support/faults.js';
import { isAlive, redisServersOnPort } from '../test-support/processes.js';
import { LocalCluster } from './local-cluster.js';

/** LocalCluster against real redis-server processes: what `run --redis-cluster local` and the tests start. */
describe('LocalCluster', () => {
  let cluster: LocalCluster;
  let client: Cluster;

  before(async () => {
    cluster = await LocalCluster.start();
    client = new Cluster(cluster.addresses.map((a) => ({ host: '127.0.0.1', port: Number(a.split(':')[1]) })), { redisOptions: { maxRetriesPerRequest: 1, password: cluster.password } });
    client.on('error', () => {});
  });
  after(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('starts three masters covering every slot, each with one replica of its own', async () => {
    const nodes = await cluster.topology();
    const masters = nodes.filter((n) => n.role === 'master');
    assert.equal(masters.length, 3);
    assert.equal(masters.reduce((sum, m) => sum + m.slots.reduce((s, [from, to]) => s + to - from + 1, 0), 0), 16384);
    const replicas = nodes.filter((n) => n.role === 'replica');
    assert.deepEqual(replicas.map((r) => r.masterId).sort(), masters.map((m) => m.id).sort());
    assert.ok(nodes.every((n) => n.connected && !n.failed));
  });

  it('serves keys on every master through a cluster client', async () => {
    for (let i = 0; i < 30; i++) await client.set(`token:${i}`, String(i), 'EX', 60);
    const counts = await Promise.all(client.nodes('master').map((m) => m.dbsize()));
    assert.equal(counts.reduce((a, b) => a + b, 0), 30);
    assert.ok(counts.every((c) => c > 0), `keys on every master: ${counts.join(', ')}`);
  });

  it('after killMaster the replica is promoted and serves the keys that had replicated; the killed node rejoins as a replica', async (t) => {
    // Replication is asynchronous: a write acknowledged by a master just before it dies can be lost in the failover
    // (Redis's own semantics, seen here when other test files shared the CPU). WAIT makes every key above replicated
    // before the kill, so the keys checked below are exactly those that had replicated.
    const acknowledged = await Promise.all(client.nodes('master').map((m) => m.call('WAIT', '1', '5000')));
    assert.deepEqual(acknowledged, [1, 1, 1], 'each master\'s replica acknowledged its writes');
    const killed = await cluster.killMaster();
    assert.ok(killed.replica !== undefined, 'the master had a replica');
    const started = performance.now();
    const promoted = await waitFor('the replica to be promoted', async () => {
      const node = await cluster.roleOf(killed.replica as string).catch(() => undefined);
      return node?.role === 'master' && node.slots.length > 0 ? node : undefined;
    }, 20_000, 50);
    t.diagnostic(`replica ${promoted.address} promoted ${Math.round(performance.now() - started)} ms after the kill (cluster-node-timeout 1000 ms)`);
    await cluster.waitUntilReady(20_000);
    for (let i = 0; i < 30; i++) assert.equal(await client.get(`token:${i}`), String(i), `token:${i}`);
    await cluster.restartNode(Number(killed.address.split(':')[1]));
    const back = await waitFor('the killed node to rejoin as a replica', async () => {
      const node = await cluster.roleOf(killed.address).catch(() => undefined);
      return node?.role === 'replica' && !node.failed ? node : undefined;
    }, 20_000, 50);
    assert.equal(back.masterId, promoted.id);
  });

  it('stop() leaves no node running and removes the directory', async () => {
    const other = await LocalCluster.start({ masters: 3, replicasPerMaster: 1 });
    const pids = other.nodes.map((n) => n.pid ?? -1);
    const ports = other.nodes.map((n) => n.port);
    await other.stop();
    for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid}`);
    for (const port of ports) assert.deepEqual(redisServersOnPort(port), []);
    assert.equal(existsSync(other.dir), false);
  });
});
