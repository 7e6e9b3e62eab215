import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { trackChild } from '../../lib/children.js';
import { proxyFor, suiteRedis, until } from '../../test-support/proxy-clients.js';

/**
 * The Redis proxy runs in a process of its own, which ends with close() and with its parent, so that neither path
 * leaves a proxy behind.
 */

/** True while `pid` runs; a zombie (exited, not yet reaped by whoever adopted it) counts as gone. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: kill(pid, 0) is all there is
  }
}

describe('RedisProxy: its own process', () => {
  const redis = suiteRedis();

  it('runs in a process other than this one, which has exited once close() resolves', async (t) => {
    const proxy = await proxyFor(t, redis.server.port);
    assert.ok(proxy.pid > 0 && proxy.pid !== process.pid, `proxy pid ${proxy.pid}, this process ${process.pid}`);
    assert.equal(running(proxy.pid), true);
    await proxy.close();
    assert.equal(running(proxy.pid), false, `process ${proxy.pid} is gone`);
  });

  it('exits when its parent dies without closing it (SIGKILL)', async (t) => {
    // A parent of its own that starts a proxy, prints the proxy's pid and waits to be killed.
    const proxyModule = new URL('./proxy.js', import.meta.url).href;
    const script = `const { RedisProxy } = await import(${JSON.stringify(proxyModule)});
      const p = await RedisProxy.start({ upstreamHost: '127.0.0.1', upstreamPort: ${redis.server.port} });
      console.log('proxy pid ' + p.pid);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    trackChild(parent);
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    t.after(async () => {
      parent.kill('SIGKILL');
      await exited;
    });
    let out = '';
    parent.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const pid = await until('the parent to print the proxy pid', () => {
      const m = /proxy pid (\d+)/.exec(out);
      return m?.[1] === undefined ? undefined : Number(m[1]);
    }, 15_000);
    assert.equal(running(pid), true);
    parent.kill('SIGKILL');
    await exited;
    await until(`the orphaned proxy (pid ${pid}) to exit`, () => (running(pid) ? undefined : true), 10_000);
  });
});
