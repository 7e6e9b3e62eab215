import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Cluster } from 'ioredis';
import { redisServersOnPort } from '../test-support/processes.js';

/** scripts/redis-cluster.sh, the users' way to a local cluster, run as users run it. */
const SCRIPT = fileURLToPath(new URL('../../scripts/redis-cluster.sh', import.meta.url));

interface ScriptResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function script(args: readonly string[], timeoutMs = 60_000): Promise<ScriptResult> {
  return new Promise((resolve) => {
    execFile(SCRIPT, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Whether a listener can be bound to 127.0.0.1:port now (a port held by a connection's local end cannot, either). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A base port whose six client ports and six bus ports (+10000) can all be bound. Both blocks lie below Linux's
 * ephemeral range (32768–60999): a bus port in it was once the local port of some connection, and redis-server
 * failed to bind it ("Address already in use") though nothing listened there.
 */
async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 2700);
    const ports = [0, 1, 2, 3, 4, 5].flatMap((i) => [base + i, base + i + 10000]);
    const free = await Promise.all(ports.map(bindable));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free block of ports');
}

const portsOf = (base: number): number[] => [0, 1, 2, 3, 4, 5].map((i) => base + i);

describe('scripts/redis-cluster.sh', () => {
  let base: number;
  let started: ScriptResult;

  before(async () => {
    base = await freeBase();
    started = await script(['start', String(base)]);
  });
  after(async () => {
    await script(['stop', String(base)]);
    // Whatever the script left (it should leave nothing), so that no test run leaks a redis-server.
    for (const port of portsOf(base)) for (const p of redisServersOnPort(port)) process.kill(p.pid, 'SIGKILL');
  });

  it('start exits 0 and prints the six nodes (3 masters, 3 replicas) and the --redis-cluster flag', () => {
    assert.equal(started.code, 0, started.stderr);
    const lines = started.stdout.split('\n');
    assert.equal(lines.filter((l) => /\bmaster\b/.test(l) && /connected \d+-\d+$/.test(l)).length, 3, started.stdout);
    assert.equal(lines.filter((l) => /\bslave [0-9a-f]{40}\b/.test(l)).length, 3, started.stdout);
    assert.ok(lines.includes(`--redis-cluster ${portsOf(base).map((p) => `127.0.0.1:${p}`).join(',')}`), started.stdout);
  });

  it('the cluster it started answers a cluster client on every master', async () => {
    const client = new Cluster([{ host: '127.0.0.1', port: base }], { redisOptions: { maxRetriesPerRequest: 1 } });
    client.on('error', () => {});
    try {
      for (let i = 0; i < 30; i++) await client.set(`blacklist:${i}`, '1', 'EX', 60, 'NX');
      const counts = await Promise.all(client.nodes('master').map((m) => m.dbsize()));
      assert.equal(counts.length, 3);
      assert.ok(counts.every((c) => c > 0), counts.join(', '));
    } finally {
      client.disconnect();
    }
  });

  it('start on a base whose cluster runs exits 1 naming the port, and leaves that cluster running', async () => {
    const again = await script(['start', String(base)]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`already runs on port ${base}`));
    assert.equal(redisServersOnPort(base).length, 1);
  });

  it('stop ends the six nodes and removes their directory; a second stop has nothing to do', async () => {
    const stopped = await script(['stop', String(base)]);
    assert.equal(stopped.code, 0, stopped.stderr);
    for (const port of portsOf(base)) assert.deepEqual(redisServersOnPort(port), [], `port ${port}`);
    assert.equal(existsSync(join(process.env['TMPDIR'] ?? tmpdir(), `authbench-cluster-${base}`)), false);
    const twice = await script(['stop', String(base)]);
    assert.equal(twice.code, 0);
    assert.match(twice.stdout, /nothing to stop/);
  });

  for (const args of [[], ['restart'], ['start', '80'], ['start', '60000'], ['start', 'abc']]) {
    it(`exits 2 with the usage for ${JSON.stringify(args.join(' '))}`, async () => {
      const r = await script(args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /usage: .*start\|status\|stop \[base-port\]/);
    });
  }
});
