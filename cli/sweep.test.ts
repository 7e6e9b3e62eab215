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

  it('records the round trip it measured through the proxy at each point', () => {
    const [zero, two] = sweep.points;
    assert.ok(zero?.measuredRoundTripUs !== null && two?.measuredRoundTripUs !== null);
    assert.ok((two?.measuredRoundTripUs ?? 0) >= 2000, `at +2 ms the round trip is at least 2 ms (${two?.measuredRoundTripUs} µs)`);
    assert.ok((two?.measuredRoundTripUs ?? 0) > (zero?.measuredRoundTripUs ?? Infinity));
  });

  it('shows the Redis design slowed by the added round trip (50 connections, each waiting on Redis)', () => {
    const rps = (i: number) => sweep.points[i]?.cells.find((c) => c.scenario === 'validate' && c.strategy === 'redis-token')?.requestsPerSec?.median ?? 0;
    assert.ok(rps(1) < rps(0), `redis-token validate: ${rps(0)} at +0, ${rps(1)} at +2 ms`);
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
