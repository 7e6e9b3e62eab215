import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCellsOf, type LoadCell, type RunResult } from '../bench/result/schema.js';
import { LocalCluster } from '../redis/local-cluster.js';
import { SHORT_CELLS, spawnCli } from '../test-support/cli-process.js';
import { login, me } from '../test-support/http.js';
import { descendants } from '../test-support/processes.js';
import { runCli, startServerProcess, type ServerProcess } from '../test-support/server-process.js';

/** `authbench run` scaled out: several workers per server, a Redis Cluster, a server running elsewhere. */

async function quickRun(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ result: RunResult; stdout: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'authbench-scale-'));
  try {
    // --rate none: nothing here reads the equal-load part (bench/run/equal-load-cells.test.ts and cli/run.test.ts do).
    const r = await runCli(['run', '--quick', ...SHORT_CELLS, '--scenarios', 'validate', '--rate', 'none', '--out', dir, ...args], env, 180_000);
    assert.equal(r.code, 0, `exit ${r.code}; stderr:\n${r.stderr}`);
    return { result: JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult, stdout: r.stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function assertMeasured(cell: LoadCell | undefined, what: string): void {
  assert.ok(cell, `${what} missing`);
  assert.equal(cell.status, 'ok', `${what}: ${cell.errors.join('; ')}`);
  assert.ok((cell.summary?.requestsPerSec.median ?? 0) > 0, `${what} has no throughput`);
  assert.equal(cell.summary?.wrongAnswers, 0, `${what} gave wrong answers`);
}

describe('authbench run --workers 1,2', () => {
  let result: RunResult;
  let stdout: string;
  before(async () => {
    ({ result, stdout } = await quickRun(['--strategies', 'jwt', '--workers', '1,2']));
  });

  it('measures every scenario at each worker count, each cell naming its count', () => {
    for (const scenario of ['ceiling', 'validate']) {
      for (const workers of [1, 2]) assertMeasured(loadCellsOf(result).find((c) => c.scenario === scenario && c.workers === workers), `${scenario} × jwt × ${workers}`);
    }
    assert.equal(result.cells.length, 4);
    assert.deepEqual(result.config.workers, [1, 2]);
  });

  it('keeps a ceiling per worker count and divides each cell by its own', () => {
    assert.deepEqual(Object.keys(result.ceiling).sort(), ['jwt', 'jwt@2']);
    const two = loadCellsOf(result).find((c) => c.scenario === 'validate' && c.workers === 2);
    const expected = (two?.summary?.requestsPerSec.median ?? NaN) / (result.ceiling['jwt@2']?.median ?? NaN);
    assert.ok(Math.abs((two?.summary?.ceilingFraction ?? NaN) - expected) < 1e-9);
  });

  it('reads the CPU of every worker: the limits of a cell count the workers that served it', () => {
    for (const workers of [1, 2]) {
      const l = loadCellsOf(result).find((c) => c.scenario === 'validate' && c.workers === workers)?.summary?.limits;
      assert.ok(l, `validate × jwt × ${workers} has no limits`);
      if (process.platform === 'linux') assert.equal(l.serverWorkers, workers, `validate × jwt × ${workers}`);
    }
  });

  it('labels the rows of two workers in the tables and says how in the method', () => {
    // A row's label may carry a note's mark (¹: a busy machine, when tests run beside each other).
    assert.match(stdout, /│ jwt ×2 workers(?: [⁰¹²³⁴⁵⁶⁷⁸⁹,]+)? +│/);
    assert.match(stdout, /│ jwt(?: [⁰¹²³⁴⁵⁶⁷⁸⁹,]+)? +│/);
    assert.match(stdout, /method: workers: each design measured with 1, 2 worker process\(es\)/);
  });
});

describe('authbench run --target: a server authbench did not start', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess('redis-token');
  });
  after(async () => {
    await server?.stop();
  });

  it('measures the running server under the one name given, starting no server and no Redis', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'authbench-target-'));
    const run = spawnCli(['run', '--quick', ...SHORT_CELLS, '--scenarios', 'validate', '--strategies', 'redis-token', '--rate', 'none', '--target', server.url, '--out', dir]);
    try {
      const started = new Set<string>();
      const watch = setInterval(() => {
        for (const p of descendants(run.child.pid ?? -1)) started.add(p.cmdline);
      }, 50);
      const exit = await run.exited(120_000).finally(() => clearInterval(watch));
      assert.equal(exit.code, 0, run.stderr());
      assert.deepEqual([...started].filter((c) => / serve |redis-server/.test(c)), [], 'no server or Redis process under the run');
      const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;
      assert.equal(result.config.target, new URL(server.url).origin);
      assert.equal(result.environment.redisVersion, 'none');
      for (const scenario of ['ceiling', 'validate']) {
        const cell = loadCellsOf(result).find((c) => c.scenario === scenario);
        assertMeasured(cell, `${scenario} × target`);
        assert.equal(cell?.strategy, 'redis-token');
        assert.equal(cell?.workers, undefined, 'the worker count of a target is not known');
      }
      assert.match(result.method.join('\n'), /target: http:\/\/127\.0\.0\.1:\d+, a server authbench did not start/);
      assert.equal((await me(server.url, await login(server.url, 5))).status, 200, 'the target still serves');
    } finally {
      await run.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('authbench run --redis-cluster host:port,... against a local Redis Cluster', () => {
  let cluster: LocalCluster;
  let result: RunResult;
  before(async () => {
    cluster = await LocalCluster.start();
    // Its nodes want the password, which `run` takes from REDIS_PASSWORD, as the servers it starts do.
    ({ result } = await quickRun(['--strategies', 'jwt-blacklist,redis-token', '--redis-cluster', cluster.addresses.join(',')], { REDIS_PASSWORD: cluster.password }));
  });
  after(async () => {
    await cluster?.stop();
  });

  it('measures validate on both Redis designs with non-zero throughput and no wrong answer', () => {
    for (const strategy of ['jwt-blacklist', 'redis-token']) assertMeasured(loadCellsOf(result).find((c) => c.scenario === 'validate' && c.strategy === strategy), `validate × ${strategy}`);
    assert.equal(result.environment.redisSource, 'cluster');
  });

  it('counts one Redis command per validate, summed over the masters', () => {
    for (const [strategy, command] of [['jwt-blacklist', 'exists'], ['redis-token', 'get']] as const) {
      const cell = loadCellsOf(result).find((c) => c.scenario === 'validate' && c.strategy === strategy);
      assert.ok(cell?.summary?.cost, `${strategy} has a cost`);
      for (const rep of cell.repetitions) {
        assert.ok(rep.measurement && rep.cost, `${strategy}: repetition ${rep.index + 1} measured`);
        const answered = rep.measurement.responses;
        const calls = (perRequest: number | undefined): number => Math.round((perRequest ?? 0) * answered);
        // Counts, not timings: every answer made one call; requests still in flight when the warm-up or the
        // measured phase stopped (at most one per connection each) reached Redis without an answer counted.
        const named = calls(rep.cost.redisCommandsByName[command]);
        assert.ok(named >= answered && named <= answered + 2 * result.config.connections, `${strategy}: ${named} ${command.toUpperCase()} for ${answered} answers`);
        // What else the cluster clients send (slot refreshes) comes with time, not with requests: far fewer.
        const others = calls(rep.cost.redisCommandsPerRequest) - named;
        assert.ok(others < answered / 2, `${strategy}: ${others} other commands for ${answered} answers: ${JSON.stringify(rep.cost.redisCommandsByName)}`);
      }
    }
  });

  it('never flushes a cluster it was given', () => {
    assert.match(result.method.join('\n'), /Redis: the Redis Cluster given .*nothing is flushed/);
  });
});
