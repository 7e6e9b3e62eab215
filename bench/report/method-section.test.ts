import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunConfig } from '../run/config.js';
import { loadFixture } from '../../test-support/report-fixtures.js';
import { caveats, configRows } from './method-section.js';

const withConfig = (over: Partial<RunConfig>) => {
  const r = loadFixture('sample-run');
  return { ...r, config: { ...r.config, ...over } };
};

describe('report method section', () => {
  it('says the machine, its cores and that Redis was on loopback', () => {
    const c = caveats(loadFixture('sample-run'));
    assert.match(c[0] ?? '', /^One machine \(AMD EPYC × 2, 24106 MiB\): the load generator, the servers and Redis share its 2 cores/);
    assert.match(c[1] ?? '', /^Redis 7\.0\.15 \(binary\) ran on loopback/);
    assert.ok(c.includes('3 repetitions per cell: differences within the min–max ranges are noise.'));
  });

  it('says when the run added latency to Redis, had one repetition, or was a quick run', () => {
    const c = caveats(withConfig({ redisLatencyMs: 1, repeat: 1, quick: true }));
    assert.match(c.join('\n'), /added 1 ms to every Redis reply/);
    assert.match(c.join('\n'), /1 repetition per cell: there is no min–max range/);
    assert.match(c.join('\n'), /--quick smoke run/);
  });

  it('quotes the round trip measured through the latency proxy beside the direct one, when the run recorded it', () => {
    const r = { ...withConfig({ redisLatencyMs: 0.5 }), redisRoundTrip: { askedMs: 0.5, directMs: { p50: 0.05, p99: 0.2 }, proxiedMs: { p50: 0.61, p99: 0.9 }, samples: 400 } };
    assert.match(caveats(r).join('\n'), /added 0\.5 ms to every Redis reply through a proxy \(a PING's round trip measured p50 0\.610 ms, p99 0\.900 ms through it; p50 0\.050 ms, p99 0\.200 ms direct\)/);
  });

  it('says when the run was interrupted or the code was not committed', () => {
    const r = loadFixture('alg-rs256');
    r.status = 'interrupted';
    const c = caveats(r).join('\n');
    assert.match(c, /The run is interrupted: only the cells it finished are here\./);
    assert.match(c, /uncommitted changes \(git dirty\)/);
  });

  it('counts what limited the load cells, and says nothing for a result from before the limits', () => {
    const r = loadFixture('sample-run');
    assert.doesNotMatch(caveats(r).join('\n'), /What limited/);
    const labels = ['server-bound', 'machine-bound', 'server-bound'] as const;
    const cells = r.cells.filter((c) => c.kind !== 'outage' && c.summary !== undefined).slice(0, labels.length);
    assert.equal(cells.length, labels.length, 'the fixture has enough load cells');
    cells.forEach((c, i) => {
      if (c.kind === 'outage' || c.summary === undefined) return;
      const label = labels[i] ?? 'unknown';
      c.summary = { ...c.summary, limits: { serverCpuPerSec: 1, serverMainThreadCpuPerSec: 1, serverWorkers: 1, redisCpuPerSec: 0, generatorCpuPerSec: 0.5, machineIdle: 0.05, label, labels: { [label]: 1 } } };
    });
    assert.ok(caveats(r).includes('What limited the load cells (the limit column): server-bound in 2, machine-bound in 1.'), caveats(r).join('\n'));
  });

  it('shows every option but never a Redis URL, which may hold a password', () => {
    const rows = configRows(withConfig({ redisUrl: 'redis://:secret@db:6379' }));
    assert.deepEqual(rows.find((r) => r[0] === 'redisUrl'), ['redisUrl', 'given (not shown)']);
    assert.ok(!rows.flat().some((v) => v.includes('secret')));
    assert.deepEqual(rows.find((r) => r[0] === 'repeat'), ['repeat', '3']);
  });
});
