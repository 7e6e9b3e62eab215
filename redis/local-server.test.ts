import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cleanStaleDirs, OWNER_FILE } from './local-server.js';

/** A pid that is certainly not running: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}

describe('cleanStaleDirs', () => {
  it('removes an authbench-redis-* directory whose owner is gone, keeps one whose owner runs and one without an owner file', async () => {
    const base = await mkdtemp(join(tmpdir(), 'authbench-stale-test-'));
    const stale = join(base, 'authbench-redis-stale');
    const mine = join(base, 'authbench-redis-mine');
    const unowned = join(base, 'authbench-redis-unowned');
    const other = join(base, 'not-authbench');
    for (const d of [stale, mine, unowned, other]) await mkdir(d, { recursive: true });
    await writeFile(join(stale, OWNER_FILE), `${await deadPid()}\n`);
    await writeFile(join(mine, OWNER_FILE), `${process.pid}\n`);
    await writeFile(join(other, OWNER_FILE), `${await deadPid()}\n`);
    assert.deepEqual(await cleanStaleDirs(base), [stale]);
    assert.equal(existsSync(stale), false);
    for (const d of [mine, unowned, other]) assert.equal(existsSync(d), true, d);
  });
});
