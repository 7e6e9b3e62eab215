import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCellOf, type RunResult } from '../bench/result/schema.js';
import { exitCodeOf, type Comparison } from '../bench/gate/verdict.js';
import { runCli } from '../test-support/server-process.js';

/**
 * One short pair of real runs, the second with --redis-latency 1ms, compared as the gate compares them. Whether
 * the gate flags the drop depends on the machine's noise, so no verdict is asserted: only what holds on any
 * machine, however busy (a timer never fires early, so every delayed reply takes at least the delay). About a minute
 * on 2 cores: it runs in `npm run test:slow` (AUTHBENCH_SLOW=1); the arguments are checked in sensitivity.test.ts.
 */
describe('a slower Redis on real servers: what noise cannot change', { skip: process.env['AUTHBENCH_SLOW'] !== '1' && 'slow: npm run test:slow' }, () => {
  const LATENCY_MS = 1;
  const CONNECTIONS = 10;
  // One Redis design, three repetitions (the fewest the gate judges), half-second cells: about 15 s a run on 2 cores.
  const runArgs = (out: string, ...extra: string[]): string[] => [
    'run', '--quick', '--strategies', 'redis-token', '--scenarios', 'validate', '--duration', '0.5', '--warmup', '0',
    '--repeat', '3', '--connections', String(CONNECTIONS), '--out', out, ...extra,
  ];
  let dir: string;
  let slower: RunResult;
  let comparison: Comparison;
  let compared: { code: number | null; stdout: string; stderr: string };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-slower-redis-'));
    const base = await runCli(runArgs(join(dir, 'base')), {}, 120_000);
    assert.equal(base.code, 0, base.stderr);
    const slow = await runCli(runArgs(join(dir, 'slow'), '--redis-latency', `${LATENCY_MS}ms`), {}, 120_000);
    assert.equal(slow.code, 0, slow.stderr);
    slower = JSON.parse(await readFile(join(dir, 'slow', 'result.json'), 'utf8')) as RunResult;
    compared = await runCli(['compare', join(dir, 'base', 'result.json'), join(dir, 'slow', 'result.json'), '--allow-difference', 'redis-latency', '--json', join(dir, 'c.json')]);
    comparison = JSON.parse(await readFile(join(dir, 'c.json'), 'utf8')) as Comparison;
  });
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('measures a Redis round trip through the proxy of at least the added latency', () => {
    assert.equal(slower.config.redisLatencyMs, LATENCY_MS);
    const roundTripUs = slower.decomposition?.parts.redisRoundTripUs;
    assert.ok(roundTripUs !== undefined && roundTripUs >= LATENCY_MS * 1000, `round trip ${roundTripUs} µs`);
    const recorded = slower.redisRoundTrip;
    assert.equal(recorded?.askedMs, LATENCY_MS);
    assert.ok((recorded?.proxiedMs.p50 ?? 0) >= LATENCY_MS, `recorded beside the asked delay: ${JSON.stringify(recorded)}`);
    assert.ok(slower.method.some((m) => m.includes('through the proxy') && m.includes('direct')), 'the method lines quote it');
  });

  it('makes every validate request wait at least the added latency, which caps throughput at connections ÷ latency', () => {
    const cell = loadCellOf(slower, 'validate', 'redis-token');
    assert.ok(cell, 'validate × redis-token missing');
    assert.equal(cell.repetitions.length, 3);
    for (const rep of cell.repetitions) {
      assert.equal(rep.status, 'ok', rep.error);
      // autocannon records whole milliseconds, truncated: a reply delayed by at least 1 ms reads 1 or more.
      assert.ok((rep.measurement?.latencyMs.p50 ?? 0) >= LATENCY_MS, `p50 ${rep.measurement?.latencyMs.p50} ms`);
      // Little's law in a closed loop: each connection has one request in flight, each taking at least the latency.
      assert.ok((rep.requestsPerSec ?? Infinity) <= (CONNECTIONS * 1000) / LATENCY_MS, `${rep.requestsPerSec} req/s`);
    }
  });

  it('compares the pair, recording the latency as an allowed difference and nothing else', () => {
    assert.equal(comparison.comparable, true, comparison.problems.join('; '));
    assert.deepEqual(comparison.problems, []);
    assert.deepEqual(comparison.allowed, [`redis-latency: baseline 0 ms, current ${LATENCY_MS} ms`]);
    assert.match(compared.stdout, /allowed difference \(--allow-difference\): redis-latency: baseline 0 ms, current 1 ms/);
  });

  it('gives the cell a throughput change with its interval, and a p99 one unless the baseline p99 was under 1 ms', () => {
    const rows = comparison.rows.filter((r) => r.scenario === 'validate' && r.strategy === 'redis-token');
    assert.deepEqual(rows.map((r) => r.metric), ['throughput', 'p99']);
    for (const r of rows) {
      assert.deepEqual(r.repetitions, { baseline: 3, current: 3 });
      if (r.change === undefined) {
        // autocannon's whole milliseconds: a quiet fast machine can answer 99% of the baseline in under 1 ms.
        assert.equal(r.metric, 'p99', JSON.stringify(r));
        assert.match(r.note ?? '', /baseline p99 is under 1 ms/);
        continue;
      }
      assert.ok(r.low !== undefined && r.high !== undefined && r.low <= r.change && r.change <= r.high, JSON.stringify(r));
      // A verdict the gate withholds with an interval: a regression measured against a baseline whose ceiling was far
      // lower (a busier moment of the machine), which the gate reports as not comparable, saying so.
      if (r.verdict === 'not comparable') assert.match(r.note ?? '', /ceiling is \+\d+% above the baseline's/, JSON.stringify(r));
    }
  });

  it('exits with the code its comparison calls for (0 or 1 by the verdicts, 2 for a withheld verdict), never a crash', () => {
    assert.equal(compared.code, exitCodeOf(comparison), compared.stderr);
    assert.doesNotMatch(compared.stderr, /\n\s+at /, 'no stack trace');
  });
});
