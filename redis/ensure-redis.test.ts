import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/** scripts/ensure-redis.mjs, which npm test and npm run bench run before the build (plain JS, not compiled). */
const SCRIPT = fileURLToPath(new URL('../../scripts/ensure-redis.mjs', import.meta.url));

describe('scripts/ensure-redis.mjs, before npm test and npm run bench', () => {
  const dirs: string[] = [];
  const dir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'authbench-path-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  // AUTHBENCH_NO_INSTALL: the tests never install a package (this machine may run as root with apt-get).
  const run = (mode: string, path: string) => spawnSync(process.execPath, [SCRIPT, mode], { env: { PATH: path, AUTHBENCH_NO_INSTALL: '1' }, encoding: 'utf8' });

  it('does nothing when redis-server is on PATH', () => {
    const bin = dir();
    writeFileSync(join(bin, 'redis-server'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'redis-server'), 0o755);
    for (const mode of ['test', 'bench']) {
      const r = run(mode, bin);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '', mode);
    }
  });

  it('stops npm test with one message naming the three ways to get a Redis when it cannot install one', () => {
    const r = run('test', dir());
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^authbench: the tests need redis-server on PATH/);
    for (const way of [/apt-get install redis-server/, /--redis-url redis:\/\//, /Docker/]) assert.match(r.stderr, way);
  });

  it('lets npm run bench go on (a URL or Docker may do), saying how to get a Redis', () => {
    const r = run('bench', dir());
    assert.equal(r.status, 0);
    assert.match(r.stderr, /no redis-server on PATH; the run will use --redis-url or Docker if it can/);
  });
});
