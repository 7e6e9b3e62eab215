import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SweepResult } from '../bench/sweep/run-sweep.js';
import { runCli } from '../test-support/server-process.js';

describe('authbench sweep on the real servers', () => {
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

  it('measures validate and session for each design at each added latency', () => {
    assert.equal(sweep.status, 'complete');
    assert.deepEqual(sweep.points.map((p) => p.addedLatencyMs), [0, 2]);
    for (const p of sweep.points) {
      for (const s of ['validate', 'session']) {
        for (const t of ['jwt', 'redis-token']) {
          const c = p.cells.find((x) => x.scenario === s && x.strategy === t);
          assert.ok((c?.requestsPerSec?.median ?? 0) > 0, `+${p.addedLatencyMs} ms ${s} × ${t}`);
        }
      }
    }
  });

  it('records the round trip it measured through the proxy at each point, at least the added latency', () => {
    const [zero, two] = sweep.points;
    // A lower bound only: timers never fire early, but a busy machine can make any round trip long, even at +0.
    assert.ok((zero?.measuredRoundTripUs ?? 0) > 0, `at +0 ms: ${zero?.measuredRoundTripUs} µs`);
    assert.ok((two?.measuredRoundTripUs ?? 0) >= 2000, `at +2 ms the round trip is at least 2 ms (${two?.measuredRoundTripUs} µs)`);
  });

  it('makes the Redis design wait for the added round trip, which caps its throughput at connections ÷ 2 ms', () => {
    // Whether +2 ms lowers the median req/s on a given run depends on how busy the machine is; these bounds do not.
    const connections = sweep.config.run?.connections ?? NaN;
    const cell = sweep.points[1]?.cells.find((c) => c.scenario === 'validate' && c.strategy === 'redis-token');
    assert.ok(cell?.latencyMs && cell.requestsPerSec, 'validate × redis-token at +2 ms measured');
    // autocannon records whole milliseconds, truncated: a reply delayed by at least 2 ms reads 2 or more.
    assert.ok(cell.latencyMs.p50 >= 2, `p50 ${cell.latencyMs.p50} ms at +2 ms`);
    // Little's law in a closed loop: one request in flight per connection, each taking at least 2 ms.
    assert.ok(cell.requestsPerSec.max <= (connections * 1000) / 2, `${cell.requestsPerSec.max} req/s over ${connections} connections`);
  });

  it('reports a crossover verdict for each Redis design and scenario, and prints them', () => {
    assert.deepEqual(sweep.crossovers.map((c) => `${c.scenario}/${c.redisDesign}/${c.localDesign}`).sort(), ['session/redis-token/jwt', 'validate/redis-token/jwt']);
    for (const c of sweep.crossovers) assert.ok(['crosses', 'local design ahead throughout', 'never in range'].includes(c.verdict), c.verdict);
    assert.match(stdout, /crossover/);
  });

  it('writes a report with the throughput and latency against the added round trip', async () => {
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    assert.match(html, /Throughput against the added Redis round trip/);
    await readFile(join(dir, 'sweep-throughput.svg'), 'utf8');
  });

  it('rejects a bad latency list before anything starts', async () => {
    const r = await runCli(['sweep', '--redis-latency', '0,abc', '--out', join(dir, 'never')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--redis-latency must be a duration/);
  });
});
