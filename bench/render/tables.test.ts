import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { limitCell, non2xx, renderHeader, renderScenarioTable, renderTables } from './tables.js';
import { renderEqualLoadTable } from './equal-load-table.js';
import type { LimitsSummary } from '../measure/limits.js';
import type { LoadCell, RunResult } from '../result/schema.js';

function cell(scenario: string, strategy: string, over: Partial<LoadCell> = {}): LoadCell {
  return {
    kind: 'load',
    scenario,
    strategy,
    status: 'ok',
    repetitions: [],
    errors: [],
    summary: {
      requestsPerSec: { median: 12345.6, min: 12000, max: 13000 },
      latencyMs: { p50: 0.4123, p90: 1, p99: 4.375, p999: 12.34, max: 130.2 },
      latencySpread: { p50: { min: 0.398, max: 0.431 }, p99: { min: 4.375, max: 4.375 } },
      statusCounts: { '200': 900, '401': 7, '503': 3 },
      responses: 910,
      errors: 2,
      timeouts: 1,
      wrongAnswers: 7,
      ceilingFraction: 0.256,
      loadGenerator: { cpuPerSecMedian: 0.5, saturated: false },
      latencyCorrected: false,
      limits: limits({ label: 'server-bound', labels: { 'server-bound': 3 } }),
    },
    ...over,
  };
}

function limits(over: Partial<LimitsSummary>): LimitsSummary {
  return { serverCpuPerSec: 1, serverMainThreadCpuPerSec: 0.95, serverWorkers: 1, redisCpuPerSec: 0, generatorCpuPerSec: 0.6, machineIdle: 0.05, label: 'server-bound', labels: { 'server-bound': 1 }, ...over };
}

const result = {
  schemaVersion: 1,
  tool: 'authbench',
  kind: 'run',
  startedAt: '2026-11-29T00:00:00.000Z',
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
    packages: { fastify: '5.0.0' },
    authbenchVersion: '0.1.0',
    gitCommit: 'abcdef0123456789',
    gitDirty: false,
  },
  config: {},
  method: ['load: autocannon, closed loop'],
  ceiling: {},
  cells: [
    cell('validate', 'jwt'),
    cell('validate', 'redis-token', { status: 'errored', errors: ['repetition 2: server redis-token killed by SIGKILL'] }),
    cell('revocation', 'jwt-blacklist', { summary: { ...cell('x', 'y').summary!, revokedAccepted: 0 } }),
    cell('revocation', 'jwt', { summary: { ...cell('x', 'y').summary!, revokedAccepted: 1500 } }),
  ],
} as unknown as RunResult;

describe('terminal tables', () => {
  it('lists non-2xx statuses by code, in order', () => {
    assert.equal(non2xx({ '503': 3, '200': 10, '401': 7 }), '401:7 503:3');
    assert.equal(non2xx({ '200': 10, '204': 3 }), '0');
  });

  it('puts the machine, software versions, commit and method above the tables', () => {
    const h = renderHeader(result);
    for (const s of ['Test CPU × 2', 'Node v20.20.2', 'Redis 7.0.15', 'fastify 5.0.0', 'git abcdef0123', 'method: load: autocannon, closed loop']) {
      assert.ok(h.includes(s), `header lacks ${s}:\n${h}`);
    }
  });

  it('shows a row per strategy with req/s, range, fraction of ceiling, percentiles, errors and wrong answers', () => {
    const t = renderScenarioTable(result, 'validate');
    const row = t.split('\n').find((l) => l.includes('│ jwt '));
    assert.ok(row, t);
    const cols = row.split('│').map((c) => c.trim()).filter((c) => c !== '');
    assert.deepEqual(cols, ['jwt', '12,346', '12,000–13,000', '26%', '0.412 (0.398–0.431)', '1.00', '4.38', '12.3', '130', '401:7 503:3', '2/1', '7', 'server']);
  });

  it('gives the refreshes per session of a session cell whose clients refreshed, and those refused', () => {
    const base = cell('session', 'jwt-refresh');
    const summary = base.summary as NonNullable<LoadCell['summary']>;
    const with_ = (sessions: NonNullable<LoadCell['summary']>['sessions']): RunResult => ({ ...result, cells: [{ ...base, summary: { ...summary, sessions } }] });
    assert.match(renderScenarioTable(with_({ sessions: 400, refreshes: 130, refreshesFailed: 0 }), 'session'), /0\.33 refreshes\/session/);
    assert.match(renderScenarioTable(with_({ sessions: 400, refreshes: 130, refreshesFailed: 2 }), 'session'), /0\.33 refreshes\/session, 2 refused/);
    assert.doesNotMatch(renderScenarioTable(with_({ sessions: 400, refreshes: 0, refreshesFailed: 0 }), 'session'), /refreshes/, 'no note for a design that never refreshes');
  });

  it('says when a cell errored and why', () => {
    const t = renderScenarioTable(result, 'validate');
    assert.match(t, /ERRORED: repetition 2: server redis-token killed by SIGKILL/);
  });

  it('adds the revoked-accepted column to the table of a scenario that counts revoked tokens accepted only', () => {
    assert.match(renderScenarioTable(result, 'revocation'), /revoked accepted/);
    assert.doesNotMatch(renderScenarioTable(result, 'validate'), /revoked accepted/);
    const jwtRow = renderScenarioTable(result, 'revocation').split('\n').find((l) => l.includes('│ jwt '));
    assert.match(jwtRow ?? '', /│ 1500 /);
  });

  it('names what limited each cell in a word, with the count when the repetitions disagreed', () => {
    const summary = cell('x', 'y').summary!;
    const cases: [Partial<LimitsSummary>, string][] = [
      [{ label: 'server-bound', labels: { 'server-bound': 3 } }, 'server'],
      [{ label: 'redis-bound', labels: { 'redis-bound': 1 } }, 'redis'],
      [{ label: 'generator-bound', labels: { 'generator-bound': 2, 'machine-bound': 1 } }, 'gen 2/3'],
      [{ label: 'machine-bound', labels: { 'machine-bound': 1 } }, 'machine'],
      [{ label: 'not saturated', labels: { 'not saturated': 1 } }, '–'],
      [{ label: 'unknown', labels: { unknown: 1 } }, '?'],
    ];
    for (const [over, text] of cases) assert.equal(limitCell({ ...summary, limits: limits(over) }), text, over.label);
  });

  it('leaves the limit empty for a result from before limits were recorded', () => {
    const old = { ...cell('x', 'y').summary! };
    delete (old as { limits?: unknown }).limits;
    assert.equal(limitCell(old), '');
    assert.equal(limitCell(undefined), '');
    assert.match(renderScenarioTable(result, 'validate').split('\n')[2] ?? '', /limit/);
  });

  it('renders one table per scenario in run order', () => {
    const all = renderTables(result);
    const at = (s: string): number => all.indexOf(`\n${s} · throughput, closed loop\n`);
    assert.ok(at('validate') > 0 && at('validate') < at('revocation'), all);
  });
});

describe('the equal-load table', () => {
  const summary = {
    latencyMs: { p50: 0.412, p90: 0.6, p99: 1.234, p999: 2, max: 3 },
    latencySpread: { p50: { min: 0.4, max: 0.43 }, p99: { min: 1.1, max: 1.3 } },
    latencyHistogram: '',
    achievedRps: { median: 1000, min: 990, max: 1000 },
    uncorrectedMs: { p50: 0.3, p99: 0.9 },
    pacerLagP99Ms: 0.08,
    valid: true,
    statusCounts: { '200': 3000 },
    errors: 0,
    timeouts: 0,
    wrongAnswers: 0,
    contentChecked: 1100,
    contentMismatches: 0,
  };
  const cell = (strategy: string, over: Record<string, unknown> = {}) => ({ kind: 'equal-load' as const, scenario: 'validate', strategy, rateLabel: '25%', offeredRps: 1000, status: 'ok' as const, errors: [], repetitions: [], summary: { ...summary, ...over } });
  const withEqual = { equalLoad: { scenario: 'validate', slowestRps: 4000, slowest: 'redis-token', notes: [], cells: [cell('jwt'), cell('redis-token', { valid: false, pacerLagP99Ms: 0.5 })] } };

  it('puts the designs side by side at each offered rate, with the merged percentiles and their range', () => {
    const t = renderEqualLoadTable(withEqual);
    assert.match(t, /validate at equal offered load .*redis-token's closed-loop validate median, 4,000 req\/s/);
    const row = t.split('\n').find((l) => l.includes('│ jwt '));
    const cols = (row ?? '').split('│').map((c) => c.trim()).filter((c) => c !== '');
    assert.deepEqual(cols.slice(0, 6), ['25% = 1,000/s', 'jwt', '1,000', '0.412 (0.400–0.430)', '0.600', '1.23 (1.10–1.30)']);
  });

  it('marks a cell whose generator lagged as invalid', () => {
    const row = renderEqualLoadTable(withEqual).split('\n').find((l) => l.includes('│ redis-token '));
    assert.match(row ?? '', /INVALID: generator lag/);
  });

  it('is absent from a result without equal-load cells', () => assert.equal(renderEqualLoadTable({}), ''));
});
