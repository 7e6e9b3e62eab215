import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { artilleryCommand } from '../bench/artillery/version.js';
import { readResult } from '../bench/result/read.js';
import { loadCellOf } from '../bench/result/schema.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';
import { runCli, startServerProcess, type ServerProcess } from '../test-support/server-process.js';

const run = promisify(execFile);
const RATE = 200;
const SECONDS = 3;

/** `artillery run` of one exported script, in the export's folder; Artillery's own exit code carries the ensure checks. */
async function artillery(dir: string, scenario: string): Promise<string> {
  const [cmd, ...args] = artilleryCommand(['run', '--output', `${scenario}.report.json`, `${scenario}.json`]);
  // The first run downloads Artillery into npx's cache (the npm registry must be reachable): minutes, once.
  try {
    await run(cmd as string, args, { cwd: dir, timeout: 300_000, maxBuffer: 16 * 2 ** 20, env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true' } });
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    throw new Error(`artillery run ${scenario}.json exited ${String(e.code)}:\n${(e.stdout ?? '').slice(-3000)}\n${(e.stderr ?? '').slice(-3000)}`);
  }
  return join(dir, `${scenario}.report.json`);
}

// `npm run test:slow` (AUTHBENCH_SLOW=1): downloads Artillery the first time, then about 30 s on 2 cores.
describe('export → artillery run → import, against real servers on loopback', { skip: process.env['AUTHBENCH_SLOW'] !== '1' && 'slow: npm run test:slow' }, () => {
  let dir = '';
  let redis: TestRedis | undefined;
  const servers: ServerProcess[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-artillery-e2e-'));
    redis = await startTestRedis();
  });
  after(async () => {
    for (const s of servers) await s.stop();
    await redis?.close();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  for (const [design, scenarios] of [['redis-token', ['validate', 'session', 'revocation']], ['jwt-blacklist', ['revocation']]] as const) {
    it(`${design}: ${scenarios.join(', ')} at ${RATE} req/s for ${SECONDS} s, every answer the expected one`, { timeout: 600_000 }, async () => {
      const server = await startServerProcess(design, ['--redis-url', redis?.server.url ?? '']);
      servers.push(server);
      const out = join(dir, design);
      // --error-rate 0: Artillery itself fails (exit 1) if a single request was not answered correctly.
      const exported = await runCli(['export', 'artillery', '--target', server.url, '--design', design, '--scenarios', scenarios.join(','), '--rate', String(RATE), '--duration', String(SECONDS), '--error-rate', '0', '--out', out]);
      assert.equal(exported.code, 0, exported.stderr);
      const reports: string[] = [];
      for (const s of scenarios) reports.push(await artillery(out, s));
      const imported = await runCli(['import', 'artillery', ...reports, '--out', out]);
      assert.equal(imported.code, 0, imported.stderr);
      const result = await readResult(join(out, 'result.json'));
      assert.equal(result.designs[design]?.traits.revocation, 'immediate');

      const revocation = loadCellOf(result, 'revocation', design)?.summary;
      assert.ok(revocation !== undefined, 'a revocation cell');
      assert.deepEqual(Object.keys(revocation.statusCounts), ['401'], 'every revoked token refused');
      assert.equal(revocation.statusCounts['401'], RATE * SECONDS);
      assert.equal(revocation.revokedAccepted, 0);
      assert.equal(revocation.wrongAnswers + revocation.errors, 0);

      if (design !== 'redis-token') return;
      const validate = loadCellOf(result, 'validate', design)?.summary;
      assert.deepEqual(validate?.statusCounts, { '200': RATE * SECONDS }, 'every validate 200');
      assert.equal(validate?.contentMismatches, 0);
      assert.equal(validate?.contentChecked, RATE * SECONDS, 'every body checked (all of the first 1000)');
      const session = loadCellOf(result, 'session', design)?.summary;
      // 200 req/s of 7-request sessions: arrivalCount round(200 / 7 × 3) = 86 sessions.
      const sessions = Math.round((RATE / 7) * SECONDS);
      assert.deepEqual(session?.sessions, { sessions, refreshes: 0, refreshesFailed: 0 });
      assert.deepEqual(session?.statusCounts, { '200': sessions * 6, '204': sessions });
      assert.equal(session?.wrongAnswers, 0);
    });
  }
});
