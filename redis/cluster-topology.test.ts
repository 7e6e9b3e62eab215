import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterReady, parseClusterNodes, parseNodeList } from './cluster-topology.js';

// Recorded from `redis-cli -p 27002 cluster nodes` on Redis 7.0.15, 3 s after SIGKILL of the master on 27001.
const AFTER_KILL = `00ec86af1f98420d897991974baa0eb2d2ca6792 127.0.0.1:27006@37006 slave 270208ab36cbaa6f17544c137c2379a0b2322ab8 0 1795955231000 3 connected
7fe4b089988a654eac94b560edc8acbde3e52749 127.0.0.1:27004@37004 slave 5780b1bf321ac95dccf1ef2057bac968fa38ff8d 0 1795955231069 1 connected
270208ab36cbaa6f17544c137c2379a0b2322ab8 127.0.0.1:27003@37003 master - 0 1795955231270 3 connected 10923-16383
ddc18e28aea1704028e56da1b4a89426c2ea8b6e 127.0.0.1:27005@37005 slave 6add63a20f0e34d1c5bcd027196f2e54e97b60d4 0 1795955231069 2 connected
6add63a20f0e34d1c5bcd027196f2e54e97b60d4 127.0.0.1:27002@37002 myself,master - 0 1795955231000 2 connected 5461-10922
5780b1bf321ac95dccf1ef2057bac968fa38ff8d 127.0.0.1:27001@37001 master,fail - 1795955218265 1795955217762 1 disconnected 0-5460
`;

describe('parseClusterNodes', () => {
  const nodes = parseClusterNodes(AFTER_KILL);

  it('reads every node with its client address, role and master', () => {
    assert.equal(nodes.length, 6);
    const replica = nodes.find((n) => n.port === 27004);
    assert.deepEqual([replica?.address, replica?.role, replica?.masterId], ['127.0.0.1:27004', 'replica', '5780b1bf321ac95dccf1ef2057bac968fa38ff8d']);
    assert.equal(nodes.filter((n) => n.role === 'master').length, 3);
  });

  it('reads slot ranges and marks a failed, disconnected master', () => {
    const dead = nodes.find((n) => n.port === 27001);
    assert.deepEqual(dead?.slots, [[0, 5460]]);
    assert.equal(dead?.failed, true);
    assert.equal(dead?.connected, false);
    assert.equal(nodes.find((n) => n.port === 27002)?.failed, false);
  });

  it('reads single slots and skips slots being migrated', () => {
    const [node] = parseClusterNodes('abc 127.0.0.1:1@2 master - 0 0 1 connected 0-10 12 [13->-def]\n');
    assert.deepEqual(node?.slots, [[0, 10], [12, 12]]);
  });
});

describe('clusterReady', () => {
  const ok = { info: 'cluster_state:ok\r\ncluster_slots_assigned:16384\r\n', replication: '# Replication\r\nrole:master\r\n' };

  it('is true when every node is ok and every replica is linked to its master', () => {
    assert.equal(clusterReady([ok, { info: ok.info, replication: 'role:slave\r\nmaster_link_status:up\r\n' }]), true);
  });

  it('names a node whose cluster state is not ok', () => {
    assert.match(String(clusterReady([ok, { ...ok, info: 'cluster_state:fail\r\n' }])), /node 1: cluster_state fail/);
  });

  it('names a replica that has not synced with its master yet (it could not fail over)', () => {
    assert.match(String(clusterReady([{ info: ok.info, replication: 'role:slave\r\nmaster_link_status:down\r\n' }])), /node 0: replica link/);
  });
});

describe('parseNodeList', () => {
  it('reads host:port pairs, IPv6 in brackets too', () => {
    assert.deepEqual(parseNodeList('127.0.0.1:7000, redis-a:7001,[::1]:7002'), [
      { host: '127.0.0.1', port: 7000 },
      { host: 'redis-a', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
  });

  for (const bad of ['', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', 'redis://127.0.0.1:7000', 'a:1,,b']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.equal(parseNodeList(bad), undefined);
    });
  }
});
