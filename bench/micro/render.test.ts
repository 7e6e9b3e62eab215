import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fmtUs, renderFloorComparisons, renderMicro, renderMicroHeader, renderMicroTable, renderVerifyRatios } from './render.js';
import { floorComparisons, verifyRatios, type MicroResult, type MicroTaskResult } from './schema.js';
import { microCatalogue } from './tasks.js';
import { tableRows } from '../../test-support/report-fixtures.js';
import { TERMINAL_WIDTH, widestLine } from '../render/fit.js';

function task(name: string, group: MicroTaskResult['group'], over: Partial<MicroTaskResult> = {}): MicroTaskResult {
  return { name, group, status: 'ok', opsPerSample: 1, opsPerSec: 20_000, meanNs: 50_000, p99Ns: 120_500, rme: 2.345, samples: 9876, ...over };
}

const tasks: MicroTaskResult[] = [
  task('jwt/floor/HS256/verify', 'jwt-codec', { opsPerSec: 250_000, meanNs: 4000 }),
  task('jwt/fast-jwt/HS256/verify', 'jwt-codec', { opsPerSec: 50_000, meanNs: 20_000 }),
  task('jwt/jose/HS256/verify', 'jwt-codec', { opsPerSec: 20_000, meanNs: 50_000 }),
  task('jwt/floor/EdDSA/verify', 'jwt-codec', { opsPerSec: 20_000, meanNs: 50_000 }),
  task('jwt/fast-jwt/EdDSA/verify', 'jwt-codec', { opsPerSec: 15_000, meanNs: 66_600 }),
  task('jwt/jose/EdDSA/verify', 'jwt-codec', { status: 'errored', error: 'setup failed: no Ed25519', opsPerSec: null, meanNs: null, p99Ns: null, rme: null, samples: 0 }),
  task('jwt/floor/HS256/sign', 'jwt-codec', { status: 'aborted', opsPerSec: 200_000, meanNs: 5000 }),
  task('jwt/fast-jwt/HS256/sign', 'jwt-codec', { opsPerSec: 40_000, meanNs: 25_000 }),
  task('jwt/jose/HS256/sign', 'jwt-codec', { opsPerSec: 25_000, meanNs: 40_000 }),
  task('HS256 verify raw', 'jose-key', { opsPerSec: 15_000.4, meanNs: 66_666.4 }),
  task('HS256 verify imported', 'jose-key', { opsPerSec: 30_000.8, meanNs: 33_332.5 }),
  task('RS256 verify raw', 'jose-key', { status: 'errored', error: 'setup failed:\n  no RSA here', opsPerSec: null, meanNs: null, p99Ns: null, rme: null, samples: 0 }),
  task('RS256 verify KeyObject reused', 'jose-key'),
  task('RS256 verify imported', 'jose-key'),
  task('crypto.randomUUID()', 'tokens', { opsPerSample: 100, opsPerSec: 20_359_381, meanNs: 49.1, p99Ns: 81.1, rme: 0.31 }),
  task('GET 100 in flight', 'redis', { opsPerSample: 100, opsPerSec: 114_673, meanNs: 8720, p99Ns: 19_100, rme: 12.6 }),
  task('EXISTS one at a time', 'redis', { status: 'aborted', opsPerSec: 36_335, meanNs: 27_500, p99Ns: 61_500, rme: 2.6, samples: 10 }),
];

const result: MicroResult = {
  schemaVersion: 2,
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
    packages: { jose: '6.2.18', 'fast-jwt': '6.3.6', tinybench: '6.2.5' },
    authbenchVersion: '0.1.0',
    gitCommit: 'abcdef0123456789',
    gitDirty: true,
  },
  config: { timeMs: 500, warmupMs: 250, minSamples: 64, filter: null, tasks: tasks.map((t) => t.name), batch: 100, inFlight: 100, redis: 'started by authbench' },
  method: ['tinybench 6.2.5, one process', 'jose raw: a Uint8Array secret'],
  tasks,
  verifyRatios: verifyRatios(tasks),
  floorComparisons: floorComparisons(tasks),
};

/** A task's row, a cell wrapped over several lines read back as one (its pieces joined by a space). */
const rowOf = (table: string, name: string): string[] => {
  const row = tableRows(table)
    .flatMap((rows) => rows.slice(1))
    .find((r) => r[1] === name);
  assert.ok(row, `no row for ${name}:\n${table}`);
  return row;
};

describe('micro-benchmark report', () => {
  it('puts the machine, software versions with tinybench, commit and method above the table', () => {
    const h = renderMicroHeader(result);
    for (const s of ['authbench micro 0.1.0', 'git abcdef0123 (dirty)', 'Test CPU × 2', 'Node v20.20.2', 'Redis 7.0.15 (binary)', 'tinybench 6.2.5', 'method: tinybench 6.2.5, one process', 'method: jose raw: a Uint8Array secret']) {
      assert.ok(h.includes(s), `header lacks ${s}:\n${h}`);
    }
  });

  it('shows a row per task with group, ops/s, mean and p99 in µs, margin of error and samples', () => {
    assert.deepEqual(rowOf(renderMicroTable(tasks), 'HS256 verify raw'), ['jose-key', 'HS256 verify raw', '15,000', '66.7', '121', '±2.3%', '9876', '']);
  });

  it('says what one sample stands for in batched and in-flight rows', () => {
    const table = renderMicroTable(tasks);
    assert.deepEqual(rowOf(table, 'crypto.randomUUID()'), ['tokens', 'crypto.randomUUID()', '20,359,381', '0.0491', '0.0811', '±0.3%', '9876', 'mean of 100 calls']);
    assert.deepEqual(rowOf(table, 'GET 100 in flight'), ['redis', 'GET 100 in flight', '114,673', '8.72', '19.1', '±13%', '9876', 'per command']);
  });

  it('shows an errored task as a row with its reason, not as a gap, within 120 columns', () => {
    const table = renderMicroTable(tasks);
    assert.deepEqual(rowOf(table, 'RS256 verify raw'), ['jose-key', 'RS256 verify raw', '–', '–', '–', '–', '0', 'ERRORED: setup failed: no RSA here']);
    assert.ok(widestLine(table) <= TERMINAL_WIDTH, table);
  });

  it('marks a task cut short by an interruption as aborted', () => {
    assert.equal(rowOf(renderMicroTable(tasks), 'EXISTS one at a time').at(-1), 'aborted');
  });

  it('cuts a long error in the table but not in the data', () => {
    const long = task('HS256 sign raw', 'jose-key', { status: 'errored', error: 'x'.repeat(300), opsPerSec: null });
    const table = renderMicroTable([long]);
    // The note wraps inside its cell (a word wider than the column is cut): read back without the breaks.
    const note = (rowOf(table, 'HS256 sign raw').at(-1) ?? '').replace(/^ERRORED: /, '').replaceAll(' ', '');
    assert.ok(note.length <= 100 - 'ERRORED: '.length && note.endsWith('…'), note);
    assert.ok(widestLine(table) <= TERMINAL_WIDTH, table);
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

  it('prints the key-form ratios below the table, and says when one could not be measured', () => {
    const text = renderMicro(result);
    const ratios = renderVerifyRatios(result.verifyRatios);
    assert.ok(text.endsWith(ratios), 'the key-form ratios come last');
    assert.match(ratios, /HS256 +2\.00× +\(imported 30,001\/s, raw 15,000\/s\)/);
    assert.match(ratios, /RS256 +not measured \(a task did not complete\) +\(imported 20,000\/s, raw –\/s, KeyObject reused 20,000\/s\)/);
  });

  it('prints no ratio section when no verify task ran', () => {
    assert.equal(renderVerifyRatios(verifyRatios([task('GET one at a time', 'redis')])), '');
    assert.ok(!renderMicro({ ...result, tasks: [], verifyRatios: [], floorComparisons: [] }).includes('jose verify'));
  });
});

describe('micro-benchmark report: the JWT codecs against the crypto floor', () => {
  it('computes, per operation (verify first) and algorithm that ran, each codec mean ÷ the floor mean from the rows', () => {
    assert.deepEqual(result.floorComparisons, [
      {
        alg: 'HS256',
        op: 'verify',
        floorMeanNs: 4000,
        impls: [
          { impl: 'fast-jwt', meanNs: 20_000, overFloor: 5 },
          { impl: 'jose', meanNs: 50_000, overFloor: 12.5 },
        ],
      },
      {
        alg: 'EdDSA',
        op: 'verify',
        floorMeanNs: 50_000,
        impls: [
          { impl: 'fast-jwt', meanNs: 66_600, overFloor: 1.33 },
          { impl: 'jose', meanNs: null, overFloor: null },
        ],
      },
      {
        alg: 'HS256',
        op: 'sign',
        floorMeanNs: null,
        impls: [
          { impl: 'fast-jwt', meanNs: 25_000, overFloor: null },
          { impl: 'jose', meanNs: 40_000, overFloor: null },
        ],
      },
    ]);
  });

  it('the ratio is the codec row mean ÷ the floor row mean, whichever the rows', () => {
    for (const c of result.floorComparisons) {
      const floorRow = tasks.find((t) => t.name === `jwt/floor/${c.alg}/${c.op}`);
      for (const i of c.impls) {
        const row = tasks.find((t) => t.name === `jwt/${i.impl}/${c.alg}/${c.op}`);
        assert.equal(i.meanNs, row?.status === 'ok' ? row.meanNs : null);
        if (i.overFloor !== null) assert.equal(i.overFloor, Math.round(((row?.meanNs ?? NaN) / (floorRow?.meanNs ?? NaN)) * 100) / 100);
      }
    }
  });

  it('shows a row per operation and algorithm: the floor, then each implementation with its multiple of the floor', () => {
    const text = renderFloorComparisons(result.floorComparisons);
    const header = text.split('\n').find((l) => l.includes('│ op '));
    assert.ok(header?.includes('floor µs') && header.includes('fast-jwt µs (× floor)') && header.includes('jose µs (× floor)'), text);
    const cells = (op: string, alg: string): string[] => {
      const line = text.split('\n').find((l) => l.startsWith(`│ ${op} `) && l.includes(`│ ${alg} `));
      assert.ok(line, `no ${op} ${alg} row:\n${text}`);
      return line.split('│').map((c) => c.trim()).slice(1, -1);
    };
    assert.deepEqual(cells('verify', 'HS256'), ['verify', 'HS256', '4.00', '20.0 (5.00×)', '50.0 (12.50×)']);
    assert.deepEqual(cells('verify', 'EdDSA'), ['verify', 'EdDSA', '50.0', '66.6 (1.33×)', '–']);
    assert.deepEqual(cells('sign', 'HS256'), ['sign', 'HS256', '–', '25.0', '40.0']);
  });

  it('puts the comparison between the task table and the key-form ratios, and leaves it out when no jwt task ran', () => {
    const text = renderMicro(result);
    const at = (s: string): number => text.indexOf(s);
    assert.ok(at('│ jose-key │ RS256 verify imported') < at("The servers' JWT codecs") && at("The servers' JWT codecs") < at('jose verify, key imported'), text);
    const withoutJwt = tasks.filter((t) => t.group !== 'jwt-codec');
    assert.deepEqual(floorComparisons(withoutJwt), []);
    assert.equal(renderFloorComparisons([]), '');
    assert.ok(!renderMicro({ ...result, tasks: withoutJwt, floorComparisons: [] }).includes('crypto floor'));
  });

  it('keeps every table within 120 columns with every task of the catalogue at wide figures', () => {
    const all = microCatalogue(100).map((t) => task(t.name, t.group, { opsPerSample: t.group === 'redis' || t.group === 'tokens' || t.group === 'json' ? 100 : 1, opsPerSec: 10_552_363, meanNs: 1_391_000, p99Ns: 15_332_000, rme: 27.4, samples: 123_456 }));
    const text = renderMicro({ ...result, tasks: all, verifyRatios: verifyRatios(all), floorComparisons: floorComparisons(all) });
    const wide = text.split('\n').filter((l) => /^[┌│├└]/.test(l) && [...l].length > 120);
    assert.deepEqual(wide, [], 'table lines wider than 120 columns');
    assert.equal(floorComparisons(all).length, 8, 'verify and sign for each of the 4 algorithms');
  });
});
