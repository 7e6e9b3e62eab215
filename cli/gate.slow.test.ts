import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Comparison } from '../bench/gate/comparison.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { descendants, isAlive } from '../test-support/processes.js';
import { runCli, spawnCli } from '../test-support/cli-process.js';
import { waitFor } from '../test-support/faults.js';

// `npm run test:slow` (AUTHBENCH_SLOW=1): builds the base commit, about a minute on 2 cores.
describe('authbench ci --base HEAD: the base built in a worktree and run against this checkout in pairs', { skip: process.env['AUTHBENCH_SLOW'] !== '1' && 'slow: npm run test:slow' }, () => {
  let dir = '';
  after(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('runs AB BA, judges nothing with 2 pairs (exit 2, says why), writes the reports and removes the worktree', async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-gate-relative-'));
    const out = join(dir, 'ci');
    const r = await runCli(['ci', '--base', 'HEAD', '--pairs', '2', '--strategies', 'jwt', '--out', out], {}, 240_000);
    assert.equal(r.code, 2, r.stderr.slice(-3000));
    assert.match(r.stderr, /base: HEAD = [0-9a-f]{10}, checked out in (\S+)/);
    assert.match(r.stderr, /pair 1\/2: base[\s\S]*pair 1\/2: head[\s\S]*pair 2\/2: head[\s\S]*pair 2\/2: base/, 'the order alternates');
    assert.match(r.stdout.replace(/\n +/g, ' '), /needs 6 complete pairs for a 95% interval, has 2/);
    const c = JSON.parse(await readFile(join(out, 'comparison.json'), 'utf8')) as { final: Comparison };
    assert.equal(c.final.mode, 'relative');
    assert.equal(c.final.order, 'AB BA');
    assert.deepEqual(c.final.rows.map((row) => `${row.scenario}|${row.strategy}|${row.metric}`), ['validate|jwt|throughput', 'validate|jwt|p99', 'login|jwt|throughput', 'login|jwt|p99', 'session|jwt|throughput', 'session|jwt|p99']);
    for (const row of c.final.rows) assert.ok((row.baselineRaw ?? 0) > 0 && (row.currentRaw ?? 0) > 0, `${row.scenario} ${row.metric} measured on both sides`);
    for (const side of ['pair-1-base', 'pair-1-head', 'pair-2-head', 'pair-2-base']) assert.ok(existsSync(join(out, 'pairs', side, 'result.json')), side);
    const worktree = /checked out in (\S+)/.exec(r.stderr)?.[1] ?? '';
    assert.ok(!existsSync(worktree), `${worktree} removed`);
    assert.doesNotMatch(execFileSync('git', ['worktree', 'list']).toString(), /authbench-base-/);
  });

  it('Ctrl-C during a pair stops the runs (exit 130), and leaves no server, Redis or worktree behind', async () => {
    const out = join(dir, 'ci-int');
    const gate = spawnCli(['ci', '--base', 'HEAD', '--pairs', '2', '--strategies', 'jwt', '--out', out]);
    try {
      await waitFor('a pair under way with its Redis', async () => (descendants(gate.child.pid ?? -1).some((p) => p.cmdline.includes('redis-server')) ? true : undefined), 180_000, 200);
      const children = descendants(gate.child.pid ?? -1);
      gate.child.kill('SIGINT');
      const exit = await gate.exited(30_000);
      assert.equal(exit.code, 130, gate.stderr().slice(-2000));
      await sleep(300);
      for (const p of children) assert.equal(isAlive(p.pid), false, `left behind: ${p.pid} ${p.cmdline}`);
      const worktree = /checked out in (\S+)/.exec(gate.stderr())?.[1] ?? '';
      assert.ok(worktree !== '' && !existsSync(worktree), `${worktree} removed`);
    } finally {
      await gate.stop();
    }
  });
});
