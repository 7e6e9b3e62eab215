import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fmtUs, renderMicro, renderMicroHeader, renderMicroTable, renderVerifyRatios } from './render.js';
import { verifyRatios, type MicroResult, type MicroTaskResult } from './schema.js';

function task(name: string, group: MicroTaskResult['group'], over: Partial<MicroTaskResult> = {}): MicroTaskResult {
  return { name, group, status: 'ok', opsPerSample: 1, opsPerSec: 20_000, meanNs: 50_000, p99Ns: 120_500, rme: 2.345, samples: 9876, ...over };
}

const tasks: MicroTaskResult[] = [
  task('HS256 verify raw', 'jose', { opsPerSec: 15_000.4, meanNs: 66_666.4 }),
  task('HS256 verify imported', 'jose', { opsPerSec: 30_000.8, meanNs: 33_332.5 }),
  task('RS256 verify raw', 'jose', { status: 'errored', error: 'setup failed:\n  no RSA here', opsPerSec: null, meanNs: null, p99Ns: null, rme: null, samples: 0 }),
  task('RS256 verify KeyObject reused', 'jose'),
  task('RS256 verify imported', 'jose'),
  task('crypto.randomUUID()', 'tokens', { opsPerSample: 100, opsPerSec: 20_359_381, meanNs: 49.1, p99Ns: 81.1, rme: 0.31 }),
  task('GET 100 in flight', 'redis', { opsPerSample: 100, opsPerSec: 114_673, meanNs: 8720, p99Ns: 19_100, rme: 12.6 }),
  task('EXISTS one at a time', 'redis', { status: 'aborted', opsPerSec: 36_335, meanNs: 27_500, p99Ns: 61_500, rme: 2.6, samples: 10 }),
];

const result: MicroResult = {
  schemaVersion: 1,
  tool: 'authbench',
  kind: 'micro',
  status: 'complete',
  environment: {
    date: '2026-11-29T00:00:00.000Z',
    node: 'v20.20.2',
    platform: 'Linux 6',
    arch: 'x64',
    cpuModel: 'Test CPU',
    cpuCount: 2,
    totalMemoryMiB: 24000,
    loadAverage: [0.1, 0.2, 0.3],
    redisVersion: '7.0.15',
    redisSource: 'binary',
    packages: { jose: '6.2.18', tinybench: '6.2.5' },
    authbenchVersion: '0.1.0',
    gitCommit: 'abcdef0123456789',
    gitDirty: true,
  },
  config: { timeMs: 500, warmupMs: 250, minSamples: 64, filter: null, tasks: tasks.map((t) => t.name), batch: 100, inFlight: 100, redis: 'started by authbench' },
  method: ['tinybench 6.2.5, one process', 'jose raw: a Uint8Array secret'],
  tasks,
  verifyRatios: verifyRatios(tasks),
};

const rowOf = (table: string, name: string): string[] => {
  const line = table.split('\n').find((l) => l.includes(`│ ${name} `));
  assert.ok(line, `no row for ${name}:\n${table}`);
  return line.split('│').map((c) => c.trim()).filter((c, i, all) => i > 0 && i < all.length - 1);
};

describe('micro-benchmark report', () => {
  it('puts the machine, software versions with tinybench, commit and method above the table', () => {
    const h = renderMicroHeader(result);
    for (const s of ['authbench micro 0.1.0', 'git abcdef0123 (dirty)', 'Test CPU × 2', 'Node v20.20.2', 'Redis 7.0.15 (binary)', 'tinybench 6.2.5', 'method: tinybench 6.2.5, one process', 'method: jose raw: a Uint8Array secret']) {
      assert.ok(h.includes(s), `header lacks ${s}:\n${h}`);
    }
  });

  it('shows a row per task with group, ops/s, mean and p99 in µs, margin of error and samples', () => {
    assert.deepEqual(rowOf(renderMicroTable(tasks), 'HS256 verify raw'), ['jose', 'HS256 verify raw', '15,000', '66.7', '121', '±2.3%', '9876', '']);
  });

  it('says what one sample stands for in batched and in-flight rows', () => {
    const table = renderMicroTable(tasks);
    assert.deepEqual(rowOf(table, 'crypto.randomUUID()'), ['tokens', 'crypto.randomUUID()', '20,359,381', '0.0491', '0.0811', '±0.3%', '9876', 'mean of 100 calls per sample']);
    assert.deepEqual(rowOf(table, 'GET 100 in flight'), ['redis', 'GET 100 in flight', '114,673', '8.72', '19.1', '±13%', '9876', 'per command, 100 in flight']);
  });

  it('shows an errored task as a row with its reason on one line, not as a gap', () => {
    assert.deepEqual(rowOf(renderMicroTable(tasks), 'RS256 verify raw'), ['jose', 'RS256 verify raw', '–', '–', '–', '–', '0', 'ERRORED: setup failed: no RSA here']);
  });

  it('marks a task cut short by an interruption as aborted', () => {
    assert.equal(rowOf(renderMicroTable(tasks), 'EXISTS one at a time').at(-1), 'aborted');
  });

  it('cuts a long error in the table but not in the data', () => {
    const long = task('HS256 sign raw', 'jose', { status: 'errored', error: 'x'.repeat(300), opsPerSec: null });
    const note = rowOf(renderMicroTable([long]), 'HS256 sign raw').at(-1) ?? '';
    assert.ok(note.length <= 100 && note.endsWith('…'), note);
    assert.equal(long.error?.length, 300);
  });

  it('formats microseconds with about three significant digits', () => {
    assert.deepEqual([49.1, 383, 2790, 34_900, 299_400, 1_173_000, null].map(fmtUs), ['0.0491', '0.383', '2.79', '34.9', '299', '1,173', '–']);
  });

  it('computes imported ÷ raw verify throughput per algorithm from the tasks', () => {
    assert.deepEqual(result.verifyRatios, [
      { alg: 'HS256', rawOpsPerSec: 15_000.4, importedOpsPerSec: 30_000.8, keyObjectOpsPerSec: null, importedOverRaw: 2 },
      { alg: 'RS256', rawOpsPerSec: null, importedOpsPerSec: 20_000, keyObjectOpsPerSec: 20_000, importedOverRaw: null },
    ]);
  });

  it('prints the ratios below the table, and says when one could not be measured', () => {
    const text = renderMicro(result);
    const ratios = renderVerifyRatios(result.verifyRatios);
    assert.ok(text.endsWith(ratios), 'the ratios come last');
    assert.match(ratios, /HS256 +2\.00× +\(imported 30,001\/s, raw 15,000\/s\)/);
    assert.match(ratios, /RS256 +not measured \(a task did not complete\) +\(imported 20,000\/s, raw –\/s, KeyObject reused 20,000\/s\)/);
  });

  it('prints no ratio section when no verify task ran', () => {
    assert.equal(renderVerifyRatios(verifyRatios([task('GET one at a time', 'redis')])), '');
    assert.ok(!renderMicro({ ...result, tasks: [], verifyRatios: [] }).includes('jose verify'));
  });
});
