import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadCellsOf, type RunResult } from '../bench/result/schema.js';
import { spawnCli } from '../test-support/cli-process.js';
import { descendants, isAlive } from '../test-support/processes.js';
import { sleep, waitFor } from '../test-support/faults.js';

/**
 * What a run does when a server dies under it or the user presses Ctrl-C. Apart from cli/run.test.ts, which runs one
 * file at a time (scripts/run-tests.mjs): these assert what happened, not what was measured, so they run beside
 * other files.
 */
const readResult = async (dir: string): Promise<RunResult> => JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;

describe('authbench run: failures are data and Ctrl-C leaves nothing behind', () => {
  it('a server killed mid-cell marks that cell errored with the reason, the run goes on and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'authbench-crash-'));
    const run = spawnCli(['run', '--strategies', 'jwt,redis-token', '--scenarios', 'validate', '--duration', '1', '--warmup', '0', '--repeat', '1', '--connections', '8', '--rate', 'none', '--out', dir]);
    try {
      const victim = await waitFor('the jwt server', () => descendants(run.child.pid ?? -1).find((p) => / serve jwt /.test(p.cmdline)), 20_000, 50);
      await sleep(500);
      process.kill(victim.pid, 'SIGKILL');
      const exit = await run.exited(60_000);
      assert.equal(exit.code, 1, run.stderr());
      const result = await readResult(dir);
      const errored = loadCellsOf(result).filter((c) => c.status === 'errored');
      assert.equal(errored.length, 1, JSON.stringify(result.cells.map((c) => [c.scenario, c.strategy, c.status])));
      assert.equal(errored[0]?.strategy, 'jwt');
      assert.match(errored[0]?.errors.join(' ') ?? '', /SIGKILL/);
      assert.ok(loadCellsOf(result).filter((c) => c.status === 'ok').every((c) => (c.summary?.requestsPerSec.median ?? 0) > 0));
      assert.equal(result.cells.length, 4, 'the other cells still ran');
      assert.match(run.stdout(), /ERRORED/);
    } finally {
      await run.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('SIGINT stops the load, writes the finished cells and leaves no server, Redis or port', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'authbench-int-'));
    const run = spawnCli(['run', '--scenarios', 'validate,login', '--duration', '3', '--warmup', '0', '--repeat', '2', '--connections', '8', '--out', dir]);
    try {
      await waitFor('a first finished cell', async () => (await stat(join(dir, 'result.json')).catch(() => undefined)) !== undefined || undefined, 60_000, 100);
      const children = descendants(run.child.pid ?? -1);
      assert.ok(children.some((p) => p.cmdline.includes('redis-server')), 'a Redis was running');
      run.child.kill('SIGINT');
      const exit = await run.exited(20_000);
      assert.equal(exit.code, 130, run.stderr());
      const result = await readResult(dir);
      assert.equal(result.status, 'interrupted');
      assert.ok(loadCellsOf(result).some((c) => c.repetitions.length > 0), 'finished repetitions were kept');
      await sleep(200);
      for (const p of children) assert.equal(isAlive(p.pid), false, `left behind: ${p.pid} ${p.cmdline}`);
    } finally {
      await run.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
