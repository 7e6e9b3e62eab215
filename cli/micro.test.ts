import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MicroResult } from '../bench/micro/schema.js';
import { spawnCli } from '../test-support/cli-process.js';
import { waitFor } from '../test-support/faults.js';
import { descendants, isAlive, type ProcInfo } from '../test-support/processes.js';
import { runCli } from '../test-support/server-process.js';

/** Every task `micro` must report, written out here rather than taken from the code under test. */
const ALGS = ['HS256', 'RS256', 'ES256', 'EdDSA'];
const IMPLS = ['fast-jwt', 'jose'];
const JWT_TASKS: [string, string][] = ALGS.flatMap((alg) =>
  ['sign', 'verify'].flatMap((op) => ['floor', ...IMPLS].map((path): [string, string] => ['jwt-codec', `jwt/${path}/${alg}/${op}`])),
);
const EXPECTED_TASKS: [string, string][] = [
  ...JWT_TASKS,
  ...ALGS.flatMap((alg) =>
    ['sign', 'verify'].flatMap((op) =>
      (alg === 'HS256' ? ['raw', 'imported'] : ['raw', 'KeyObject reused', 'imported']).map((v): [string, string] => ['jose-key', `${alg} ${op} ${v}`]),
    ),
  ),
  ['tokens', 'crypto.randomUUID()'],
  ['tokens', "randomBytes(16).toString('hex')"],
  ['json', 'JSON.stringify user record'],
  ['json', 'JSON.parse user record'],
  ...['GET', 'SETEX', 'DEL', 'EXISTS'].flatMap((cmd): [string, string][] => [
    ['redis', `${cmd} one at a time`],
    ['redis', `${cmd} 100 in flight`],
  ]),
];

/** Every op × algorithm has the floor and each implementation, completed, and each ratio is the rows' mean ÷ the floor's. */
function assertFloorComparisons(result: MicroResult): void {
  const mean = (name: string): number | null => result.tasks.find((t) => t.name === name)?.meanNs ?? null;
  assert.deepEqual(
    result.floorComparisons.map((c) => [c.op, c.alg]),
    ['verify', 'sign'].flatMap((op) => ALGS.map((alg) => [op, alg])),
  );
  for (const c of result.floorComparisons) {
    const floor = mean(`jwt/floor/${c.alg}/${c.op}`);
    assert.ok(floor !== null && floor > 0 && c.floorMeanNs === floor, JSON.stringify(c));
    assert.deepEqual(c.impls.map((i) => i.impl), IMPLS);
    for (const i of c.impls) {
      const codec = mean(`jwt/${i.impl}/${c.alg}/${c.op}`);
      assert.ok(codec !== null && codec > 0 && i.meanNs === codec, JSON.stringify(c));
      assert.equal(i.overFloor, Math.round((codec / floor) * 100) / 100, JSON.stringify(c));
    }
  }
}

describe('authbench micro: bad arguments exit 2 naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [['--time', 'abc'], /--time must be a number of milliseconds/],
    [['--time', '0'], /--time must be a number of milliseconds/],
    [['--time', '70000'], /--time must be a number of milliseconds from 1 to 60000/],
    [['--filter', 'no-such-task'], /--filter: no task matches "no-such-task"/],
    [['--filter', ' '], /--filter must be a non-empty substring/],
    [['--redis-url', 'http://127.0.0.1:6379'], /--redis-url must start with redis:\/\//],
    [['--json', ''], /--json must be a file name/],
  ];
  for (const [args, message] of cases) {
    it(`rejects ${args.map((a) => JSON.stringify(a)).join(' ')}`, async () => {
      const r = await runCli(['micro', ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '', 'nothing was measured');
    });
  }

  it('rejects an unknown flag', async () => {
    const r = await runCli(['micro', '--times', '20']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /unknown option '--times'/);
  });
});

describe('authbench micro --time 20 --json FILE, for real', () => {
  let dir: string;
  let file: string;
  let result: MicroResult;
  let stdout: string;
  let redis: ProcInfo;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-micro-'));
    file = join(dir, 'micro.json');
    const run = spawnCli(['micro', '--time', '20', '--json', file]);
    try {
      redis = await waitFor('the redis-server micro starts', () => descendants(run.child.pid ?? -1).find((p) => p.cmdline.includes('redis-server')), 20_000, 20);
      const exit = await run.exited(30_000);
      assert.equal(exit.code, 0, `exit ${exit.code}; stderr:\n${run.stderr()}`);
    } finally {
      await run.stop();
    }
    stdout = run.stdout();
    result = JSON.parse(await readFile(file, 'utf8')) as MicroResult;
  });
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('writes a result with the schema version, kind, environment, config and method', () => {
    assert.equal(result.schemaVersion, 2);
    assert.equal(result.tool, 'authbench');
    assert.equal(result.kind, 'micro');
    assert.equal(result.status, 'complete');
    assert.match(result.environment.node, /^v\d+/);
    assert.match(result.environment.redisVersion, /^\d+\.\d+/);
    assert.match(result.environment.packages['tinybench'] ?? '', /^\d+\./);
    assert.match(result.environment.packages['fast-jwt'] ?? '', /^\d+\./);
    assert.match(result.environment.packages['jose'] ?? '', /^\d+\./);
    assert.equal(result.config.timeMs, 20);
    assert.equal(result.config.redis, 'started by authbench');
    for (const line of [/^jwt\/<impl>\/<alg>\/<op>: the servers' own codec/, /^jwt\/floor\/<alg>\/<op>: the signature primitive alone/, /^jose-key raw:/, /100 in flight/]) {
      assert.ok(result.method.some((m) => line.test(m)), `no method line ${line}:\n${result.method.join('\n')}`);
    }
  });

  it('has every expected task, completed, with positive ops/s, mean, p99 and samples', () => {
    assert.deepEqual(result.tasks.map((t) => [t.group, t.name]), EXPECTED_TASKS);
    for (const t of result.tasks) {
      assert.equal(t.status, 'ok', `${t.name}: ${t.error ?? t.status}`);
      assert.ok(t.opsPerSec !== null && t.opsPerSec > 0, `${t.name} has no ops/s`);
      assert.ok(t.meanNs !== null && t.meanNs > 0 && t.p99Ns !== null && t.p99Ns > 0, `${t.name} has no mean or p99`);
      assert.ok(t.rme !== null && t.rme >= 0, `${t.name} has no margin of error`);
      assert.ok(t.samples >= 64, `${t.name}: ${t.samples} samples`);
      assert.equal(typeof t.opsPerSample, 'number');
    }
  });

  it('gives an imported ÷ raw verify ratio for every algorithm', () => {
    assert.deepEqual(result.verifyRatios.map((r) => r.alg), ['HS256', 'RS256', 'ES256', 'EdDSA']);
    for (const r of result.verifyRatios) assert.ok(r.importedOverRaw !== null && r.importedOverRaw > 0, JSON.stringify(r));
  });

  it('compares every codec with the crypto floor, per operation and algorithm, with the ratio of the rows', () => {
    assertFloorComparisons(result);
  });

  it('prints the method, the table, the floor comparison and the ratios on stdout', () => {
    assert.match(stdout, /^authbench micro /);
    assert.match(stdout, /^method: tinybench /m);
    assert.match(stdout, /│ redis +│ GET 100 in flight +│/);
    assert.match(stdout, /│ jwt-codec +│ jwt\/floor\/ES256\/verify +│/);
    for (const op of ['verify', 'sign']) {
      for (const alg of ALGS) assert.match(stdout, new RegExp(`^│ ${op} +│ ${alg} +│ [\\d.,]+ +│ [\\d.,]+ \\(\\d+\\.\\d\\d×\\) +│ [\\d.,]+ \\(\\d+\\.\\d\\d×\\) +│$`, 'm'));
    }
    assert.match(stdout, /^ {2}EdDSA +\d+\.\d\d×/m);
  });

  it('stopped the Redis it started', () => {
    assert.equal(isAlive(redis.pid), false, `left behind: ${redis.pid} ${redis.cmdline}`);
  });
});

describe('authbench micro: selection and failures', () => {
  it('--filter jwt runs the codecs of every implementation and the floor for every algorithm, and nothing else', async () => {
    const r = await runCli(['micro', '--time', '5', '--filter', 'jwt', '--json', '-'], {}, 30_000);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as MicroResult;
    assert.deepEqual(result.tasks.map((t) => [t.group, t.name]), JWT_TASKS);
    assert.equal(result.environment.redisSource, 'none');
    assert.deepEqual(result.verifyRatios, []);
    assertFloorComparisons(result);
  });

  it('--filter /HS256/verify selects the floor and each implementation of one algorithm and operation', async () => {
    const r = await runCli(['micro', '--time', '5', '--filter', '/HS256/verify', '--json', '-'], {}, 20_000);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as MicroResult;
    assert.deepEqual(result.tasks.map((t) => t.name), ['jwt/floor/HS256/verify', 'jwt/fast-jwt/HS256/verify', 'jwt/jose/HS256/verify']);
    assert.deepEqual(result.floorComparisons.map((c) => [c.op, c.alg]), [['verify', 'HS256']]);
  });

  it('--filter runs only the matching tasks and starts no Redis when none of them needs one', async () => {
    const r = await runCli(['micro', '--time', '5', '--filter', 'JSON', '--json', '-'], {}, 20_000);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as MicroResult;
    assert.deepEqual(result.tasks.map((t) => t.name), ['JSON.stringify user record', 'JSON.parse user record']);
    assert.equal(result.environment.redisSource, 'none');
  });

  it('a Redis that does not answer makes the Redis tasks errored, with the reason, and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'authbench-micro-'));
    try {
      const file = join(dir, 'micro.json');
      const r = await runCli(['micro', '--time', '5', '--filter', 'GET one', '--redis-url', 'redis://127.0.0.1:1', '--json', file], {}, 20_000);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /GET one at a time .*ERRORED: setup failed/);
      const result = JSON.parse(await readFile(file, 'utf8')) as MicroResult;
      assert.equal(result.tasks.length, 1);
      assert.equal(result.tasks[0]?.status, 'errored');
      assert.equal(result.tasks[0]?.opsPerSec, null);
      assert.match(result.tasks[0]?.error ?? '', /setup failed/);
      await stat(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
