import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cost } from './cost.js';
import { decompose, type DecompositionInput, type PartCosts } from './decomposition.js';
import { designOf } from '../../servers/designs/index.js';

const cost = (serverCpuUsPerRequest: number): Cost => ({
  redisCommandsPerRequest: 0,
  redisCommandsByName: {},
  redisCpuUsPerRequest: 0,
  serverCpuUsPerRequest,
  serverCpuUserUsPerRequest: serverCpuUsPerRequest,
  serverCpuSystemUsPerRequest: 0,
  serverPeakRssBytes: 0,
  stateKind: 'none',
  stateBytes: 0,
  tokenBytes: null,
  requestBytes: 0,
  responseBytes: 0,
  jwtCacheHitRate: null,
});

function result(cells: [string, string, number][]): DecompositionInput {
  return {
    designs: Object.fromEntries(['jwt', 'jwt-blacklist', 'redis-token'].map((d) => [d, { traits: designOf(d).traits }])),
    cells: cells.map(([scenario, strategy, us]) => ({ kind: scenario === 'ceiling' ? 'ceiling' : 'load', scenario, strategy, summary: { cost: cost(us) } })),
    defaultJwtImpl: 'fast-jwt',
  };
}

const parts: PartCosts = {
  jwt: { 'fast-jwt': { verifyCpuUs: 20, floorCpuUs: 12, threadPoolCpuUs: null }, jose: { verifyCpuUs: 50, floorCpuUs: 12, threadPoolCpuUs: 18 } },
  redisCommandCpuUs: 15,
  redisRoundTripUs: 90,
};

describe('decomposition of a validate request', () => {
  it('puts the framework, the JWT check (floor and library) and the Redis command beside the measured time, and the rest', () => {
    const rows = decompose(result([['ceiling', 'jwt', 25], ['validate', 'jwt', 55], ['ceiling', 'jwt-blacklist', 25], ['validate', 'jwt-blacklist', 80], ['ceiling', 'redis-token', 25], ['validate', 'redis-token', 45]]), 'validate', parts);
    assert.deepEqual(
      rows.map((r) => [r.strategy, r.jwtImpl, r.cryptoFloorUs, r.threadPoolUs, r.jwtLibraryUs, r.redisUs, r.restUs, r.redisRoundTripUs]),
      [
        ['jwt', 'fast-jwt', 12, null, 8, null, 10, null],
        ['jwt-blacklist', 'fast-jwt', 12, null, 8, 15, 20, 90],
        ['redis-token', undefined, null, null, null, 15, 5, 90],
      ],
    );
    assert.ok(rows.every((r) => r.note === undefined));
  });

  it('gives a row per JWT library when the run measured several, the WebCrypto one with its thread-pool hop as a part of its own', () => {
    const input = result([]);
    const cells = (['fast-jwt', 'jose'] as const).flatMap((impl) => [
      { kind: 'ceiling', scenario: 'ceiling', strategy: 'jwt', jwtImpl: impl, summary: { cost: cost(25) } },
      { kind: 'load', scenario: 'validate', strategy: 'jwt', jwtImpl: impl, summary: { cost: cost(impl === 'jose' ? 90 : 55) } },
    ]);
    const rows = decompose({ ...input, cells }, 'validate', parts);
    assert.deepEqual(
      rows.map((r) => [r.jwtImpl, r.cryptoFloorUs, r.threadPoolUs, r.jwtLibraryUs, r.restUs]),
      [
        ['fast-jwt', 12, null, 8, 10],
        ['jose', 12, 18, 20, 15],
      ],
    );
  });

  it('says so when the parts exceed the measured time', () => {
    const [row] = decompose(result([['ceiling', 'jwt', 60], ['validate', 'jwt', 50]]), 'validate', parts);
    assert.match(row?.note ?? '', /exceed the measured time by 30/);
  });

  it('says so when most of the time is in none of the parts', () => {
    const [row] = decompose(result([['ceiling', 'jwt', 10], ['validate', 'jwt', 200]]), 'validate', parts);
    assert.match(row?.note ?? '', /85% is in none of the parts/);
  });

  it('reads what each part is from the design traits, not the name: a design that sends two Redis commands and verifies no JWT', () => {
    const input = result([['ceiling', 'x', 25], ['validate', 'x', 100]]);
    const traits = { ...designOf('redis-token').traits, storeCommandsPerValidate: 2 };
    const [row] = decompose({ ...input, designs: { x: { traits } } }, 'validate', parts);
    assert.deepEqual([row?.cryptoFloorUs, row?.jwtLibraryUs, row?.redisUs, row?.redisRoundTripUs, row?.restUs], [null, null, 30, 180, 45]);
  });

  it('leaves out a design without a ceiling or a validate cost', () => {
    assert.deepEqual(decompose(result([['validate', 'jwt', 80]]), 'validate', parts), []);
  });
});
