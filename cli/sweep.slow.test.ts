import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SweepResult } from '../bench/sweep/schema.js';
import { runCli } from '../test-support/server-process.js';

/**
 * A real sweep (two added latencies, two designs, validate and session, closed loop and at a fixed rate): about 40 s on
 * 2 cores, so it runs in `npm run test:slow` (AUTHBENCH_SLOW=1); sweep.test.ts checks its arguments in `npm test`.
 */
describe('authbench sweep on the real servers', { skip: process.env['AUTHBENCH_SLOW'] !== '1' && 'slow: npm run test:slow' }, () => {
  let dir: string;
  let sweep: SweepResult;
  let stdout: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-sweep-'));
    const r = await runCli(['sweep', '--redis-latency', '0,2', '--quick', '--strategies', 'jwt,redis-token', '--out', dir], {}, 240_000);
    assert.equal(r.code, 0, `exit ${r.code}; stderr:\n${r.stderr}`);
    stdout = r.stdout;
    sweep = JSON.parse(await readFile(join(dir, 'sweep.json'), 'utf8')) as SweepResult;
  });
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('measures validate and session for each design at each point, closed loop and at the fixed rate', () => {
    assert.equal(sweep.schemaVersion, 2);
    assert.equal(sweep.status, 'complete');
    assert.deepEqual(sweep.points.map((p) => p.addedLatencyMs), [0, 2]);
    for (const p of sweep.points) {
      for (const s of ['validate', 'session']) {
        for (const t of ['jwt', 'redis-token']) {
          const c = p.cells.find((x) => x.scenario === s && x.strategy === t);
          assert.ok((c?.closedLoop?.requestsPerSec.median ?? 0) > 0, `closed loop: +${p.addedLatencyMs} ms ${s} × ${t}`);
          assert.ok((c?.equalLoad?.achievedRps.median ?? 0) > 0, `fixed rate: +${p.addedLatencyMs} ms ${s} × ${t}`);
          assert.equal(c?.equalLoad?.p99PerRepetition.length, 1, 'one repetition with --quick');
        }
      }
    }
  });

  it('fixes one rate per scenario at the highest added latency and offers it at every point to every design', () => {
    assert.deepEqual(sweep.rates.map((r) => r.scenario), ['validate', 'session']);
    for (const r of sweep.rates) {
      assert.match(r.source, /50% of the slowest design's closed-loop .* at the highest added latency, \+2 ms/);
      for (const p of sweep.points) for (const c of p.cells.filter((x) => x.scenario === r.scenario)) assert.equal(c.equalLoad?.offeredRps, r.rps, `+${p.addedLatencyMs} ms ${c.scenario} × ${c.strategy}`);
    }
  });

  it('records the round trip it measured through the proxy under load at each point, at least the added latency', () => {
    const [zero, two] = sweep.points;
    // A lower bound only: timers never fire early, but a busy machine can make any round trip long, even at +0.
    assert.ok((zero?.roundTripMs?.p50 ?? 0) > 0, JSON.stringify(zero?.roundTripMs));
    assert.ok((two?.roundTripMs?.p50 ?? 0) >= 2, `at +2 ms the round trip is at least 2 ms (${JSON.stringify(two?.roundTripMs)})`);
    assert.ok((two?.roundTripMs?.repetitions ?? 0) >= 2, 'probed in each equal-load repetition of the Redis design');
  });

  it('makes the Redis design wait for the added round trip, which caps its closed-loop throughput at connections ÷ 2 ms', () => {
    const connections = sweep.config.run?.connections ?? NaN;
    const cell = sweep.points[1]?.cells.find((c) => c.scenario === 'validate' && c.strategy === 'redis-token');
    assert.ok(cell?.closedLoop, 'validate × redis-token at +2 ms measured');
    assert.ok(cell.closedLoop.latencyMs.p50 >= 2, `p50 ${cell.closedLoop.latencyMs.p50} ms at +2 ms`);
    assert.ok(cell.closedLoop.requestsPerSec.max <= (connections * 1000) / 2, `${cell.closedLoop.requestsPerSec.max} req/s over ${connections} connections`);
  });

  it('pools the design that never waits for Redis over every point', () => {
    assert.deepEqual(sweep.pooled.map((p) => `${p.scenario}/${p.strategy}/${p.closedLoopRps.n}/${p.p99Ms.n}`), ['validate/jwt/2/2', 'session/jwt/2/2']);
  });

  it('reports a crossover with its interval per scenario and measure, and prints them', () => {
    assert.deepEqual(sweep.crossovers.map((c) => `${c.scenario}/${c.measure}/${c.redisDesign}/${c.localDesign}`), ['validate/throughput/redis-token/jwt', 'validate/p99/redis-token/jwt', 'session/throughput/redis-token/jwt', 'session/p99/redis-token/jwt']);
    for (const c of sweep.crossovers) {
      assert.ok(['crosses', 'local design ahead throughout', 'none in range'].includes(c.verdict), c.verdict);
      assert.ok(c.interval !== undefined, 'an interval with two points');
    }
    assert.match(stdout, /crossover/);
    assert.match(stdout, /fixed rate/);
  });

  it('writes a report with the throughput and the p99 against the measured round trip', async () => {
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    assert.match(html, /Throughput against the Redis round trip measured under load/);
    await readFile(join(dir, 'sweep-latency.svg'), 'utf8');
  });
});
