import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { limitCell, non2xx, RANGE_LEFT_OUT, renderHeader, renderScenarioTable, renderTables, scenarioRow } from './tables.js';
import { equalLoadRow, LATENCY_RANGE_LEFT_OUT, renderEqualLoadTable } from './equal-load-table.js';
import { failuresCell, fmtIntRange } from './format.js';
import { BUSY_OTHERS_CPU, type LimitsSummary } from '../measure/limits.js';
import type { LoadCell, RunResult } from '../result/schema.js';
import { renderVerdictText } from '../report/verdict-text.js';
import { columnTitles, everyTableResult, loadFixture, LONG_DESIGN, LONG_ERROR, rowOf, tableRows, unwrap } from '../../test-support/report-fixtures.js';
import { columns, TERMINAL_WIDTH } from './fit.js';

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

  it('puts the failed answers in one cell: the non-2xx statuses, then the errors and timeouts when there were any', () => {
    assert.equal(failuresCell({ statusCounts: { '200': 9, '503': 3, '401': 7 }, errors: 2, timeouts: 1 }), '401:7 503:3 err:2 timeout:1');
    assert.equal(failuresCell({ statusCounts: { '200': 9 }, errors: 0, timeouts: 4 }), 'timeout:4');
    assert.equal(failuresCell({ statusCounts: { '200': 9 }, errors: 0, timeouts: 0 }), '0');
    assert.equal(fmtIntRange({ median: 10717.4, min: 10485, max: 12325 }), '10,717 (10,485–12,325)');
    assert.equal(fmtIntRange({ median: 19128, min: 19128, max: 19128 }), '19,128', 'one repetition: no range');
  });

  it('puts the machine, software versions, commit and method above the tables', () => {
    const h = renderHeader(result);
    for (const s of ['Test CPU × 2', 'Node v20.20.2', 'Redis 7.0.15', 'fastify 5.0.0', 'git abcdef0123', 'method: load: autocannon, closed loop']) {
      assert.ok(h.includes(s), `header lacks ${s}:\n${h}`);
    }
    const terminal = renderTables(result);
    for (const s of ['Test CPU × 2', 'git abcdef0123', 'method: load: autocannon, closed loop']) assert.ok(terminal.includes(s), s);
    assert.match(terminal, /^terminal tables: fewer columns than the report/m, 'says the report has every column');
  });

  it('shows a row per design with req/s and its range, fraction of ceiling, p50 and p99, failed and wrong answers, limit', () => {
    const t = renderScenarioTable(result, 'validate');
    assert.deepEqual(columnTitles(t), ['design', 'req/s', '× ceiling', 'p50 ms', 'p99 ms', 'non-2xx, errors', 'wrong answers', 'limit']);
    assert.deepEqual(rowOf(t, 'jwt'), ['jwt', '12,346 (12,000–13,000)', '26%', '0.412', '4.38', '401:7 503:3 err:2 timeout:1', '7', 'server']);
    // The report keeps every column: p90, p99.9, max, the latency ranges, errors and timeouts apart.
    const full = scenarioRow(cell('validate', 'jwt'), false);
    assert.deepEqual(full.slice(0, -1), ['jwt', '12,346', '12,000–13,000', '26%', '0.412 (0.398–0.431)', '1.00', '4.38', '12.3', '130', '401:7 503:3', '2/1', '7', 'server']);
  });

  it('gives the refreshes per session of a session cell whose clients refreshed, and those refused, in a note under the table', () => {
    const base = cell('session', 'jwt-refresh');
    const summary = base.summary as NonNullable<LoadCell['summary']>;
    const with_ = (sessions: NonNullable<LoadCell['summary']>['sessions']): RunResult => ({ ...result, cells: [{ ...base, summary: { ...summary, sessions } }] });
    assert.match(renderScenarioTable(with_({ sessions: 400, refreshes: 130, refreshesFailed: 0 }), 'session'), /0\.33 refreshes\/session/);
    const refused = renderScenarioTable(with_({ sessions: 400, refreshes: 130, refreshesFailed: 2 }), 'session');
    assert.match(refused, /^¹ 0\.33 refreshes\/session, 2 refused$/m);
    assert.equal(rowOf(refused, 'jwt-refresh')[0], 'jwt-refresh ¹', 'the row carries the note\'s number');
    assert.doesNotMatch(renderScenarioTable(with_({ sessions: 400, refreshes: 0, refreshesFailed: 0 }), 'session'), /refreshes|¹/, 'no note for a design that never refreshes');
    assert.match(renderScenarioTable(with_({ sessions: 400, refreshes: 8, refreshesFailed: 0, accessTtlSec: 2 }), 'session'), /^¹ 0\.02 refreshes\/session, 2 s access token$/m);
    assert.match(renderScenarioTable(with_({ sessions: 400, refreshes: 0, refreshesFailed: 0, accessTtlSec: 2 }), 'session'), /^¹ 0\.00 refreshes\/session, 2 s access token$/m, 'a design with refresh tokens has its note when no second boundary fell inside a session');
  });

  it('says in a note when other processes took more than BUSY_OTHERS_CPU of a core while a cell measured, and not otherwise', () => {
    const base = cell('validate', 'jwt');
    const summary = base.summary as NonNullable<LoadCell['summary']>;
    const with_ = (othersCpuPerSec: number | null | undefined): RunResult => ({
      ...result,
      cells: [{ ...base, summary: { ...summary, limits: limits(othersCpuPerSec === undefined ? {} : { othersCpuPerSec }) } }],
    });
    const busy = renderScenarioTable(with_(BUSY_OTHERS_CPU + 0.15), 'validate');
    assert.match(busy, new RegExp(`^¹ other processes took ${(BUSY_OTHERS_CPU + 0.15).toFixed(2)} of a core \\(median over repetitions\\): a busy machine`, 'm'));
    assert.equal(rowOf(busy, 'jwt')[0], 'jwt ¹');
    for (const quiet of [BUSY_OTHERS_CPU, 0, null, undefined]) {
      assert.doesNotMatch(renderScenarioTable(with_(quiet), 'validate'), /other processes|¹/, String(quiet));
    }
  });

  it('says when a cell errored and why, in a numbered note under the table', () => {
    const t = renderScenarioTable(result, 'validate');
    assert.match(t, /ERRORED: repetition 2: server redis-token killed by SIGKILL/);
    assert.deepEqual(rowOf(t, 'redis-token'), ['redis-token ¹', '12,346 (12,000–13,000)', '26%', '0.412', '4.38', '401:7 503:3 err:2 timeout:1', '7', 'server']);
    assert.match(t, /^¹ ERRORED: repetition 2: server redis-token killed by SIGKILL$/m);
  });

  it('adds the revoked-accepted column to the table of a scenario that counts revoked tokens accepted only', () => {
    assert.ok(columnTitles(renderScenarioTable(result, 'revocation')).includes('revoked accepted'));
    assert.ok(!columnTitles(renderScenarioTable(result, 'validate')).includes('revoked accepted'));
    const t = renderScenarioTable(result, 'revocation');
    const at = columnTitles(t).indexOf('revoked accepted');
    assert.equal(rowOf(t, 'jwt')[at], '1,500');
    assert.equal(rowOf(t, 'jwt-blacklist')[at], '0');
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
    assert.equal(columnTitles(renderScenarioTable(result, 'validate')).at(-1), 'limit');
    const t = renderScenarioTable({ ...result, cells: [cell('validate', 'jwt', { summary: old })] }, 'validate');
    assert.equal(rowOf(t, 'jwt').at(-1), '');
  });

  it('renders one table per scenario in run order', () => {
    const all = renderTables(result);
    const at = (s: string): number => all.indexOf(`\n${s} · throughput, closed loop\n`);
    assert.ok(at('validate') > 0 && at('validate') < at('revocation'), all);
  });

  it('leaves the req/s range out of a table it would push past 120 columns, and says so under it', () => {
    const long = 'a-design-whose-name-takes-half-of-the-line';
    const t = renderScenarioTable({ ...result, cells: [cell('validate', 'jwt'), cell('validate', long, { summary: { ...cell('x', 'y').summary!, statusCounts: { '200': 1 }, errors: 0, timeouts: 0 } })] }, 'validate');
    assert.deepEqual(rowOf(t, 'jwt').slice(0, 2), ['jwt', '12,346']);
    assert.equal(rowOf(t, long)[0], long, 'the name whole');
    assert.ok(t.split('\n').includes(RANGE_LEFT_OUT), t);
    assert.ok(!renderScenarioTable(result, 'validate').includes(RANGE_LEFT_OUT), 'no such line when the range fits');
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
    assert.match(unwrap(t), /validate at equal offered load .*redis-token's closed-loop validate median, 4,000 req\/s/);
    assert.match(t, /^offered: 25% = 1,000 req\/s$/m);
    assert.deepEqual(rowOf(t, 'jwt').slice(0, 4), ['jwt', '1,000', '0.412 (0.400–0.430)', '1.23 (1.10–1.30)']);
    // The report's row keeps the offered rate, the p90 and the rest.
    assert.deepEqual(equalLoadRow(cell('jwt')).slice(0, 6), ['25% = 1,000/s', 'jwt', '1,000', '0.412 (0.400–0.430)', '0.600', '1.23 (1.10–1.30)']);
  });

  it('marks a cell whose generator lagged as invalid', () => {
    const t = renderEqualLoadTable(withEqual);
    assert.equal(rowOf(t, 'redis-token')[0], 'redis-token ¹');
    assert.match(t, /^¹ INVALID: generator lag$/m);
    assert.match(equalLoadRow(cell('redis-token', { valid: false })).at(-1) ?? '', /INVALID: generator lag/);
  });

  it('gives each offered rate its own table, and leaves the latency ranges out of one they would push past 120 columns', () => {
    const long = 'a-design-whose-name-takes-half-of-the-line';
    const t = renderEqualLoadTable({ equalLoad: { ...withEqual.equalLoad, cells: [cell('jwt'), { ...cell(long, { achievedRps: { median: 2000, min: 2000, max: 2000 } }), offeredRps: 2000, rateLabel: '2,000 req/s' }] } });
    assert.match(t, /^offered: 25% = 1,000 req\/s$/m);
    assert.match(t, /^offered: 2,000 req\/s$/m);
    const [first = '', second = ''] = t.split(/^offered: /m).slice(1);
    assert.equal(rowOf(first, 'jwt')[2], '0.412 (0.400–0.430)');
    assert.ok(!first.includes(LATENCY_RANGE_LEFT_OUT));
    assert.deepEqual(rowOf(second, long).slice(0, 4), [long, '2,000', '0.412', '1.23']);
    assert.ok(second.includes(LATENCY_RANGE_LEFT_OUT), second);
  });

  it('is absent from a result without equal-load cells', () => assert.equal(renderEqualLoadTable({}), ''));
});

describe('a terminal of 120 columns', () => {
  const full = everyTableResult();
  const text = `${renderTables(full)}\n\n${renderVerdictText(full)}`;

  it('holds every line of a result with every table, long names, long errors and many notes', () => {
    for (const title of ['ceiling · throughput', 'validate at equal offered load', 'cost per request', 'CPU, memory and state', 'Redis commands and bytes on the wire', "where a validate request's server CPU goes", 'outage (open loop', 'availability and latency', 'revocation, sessions and checks', 'propagation: logout', 'verdict on this run']) {
      assert.ok(text.includes(title), `no ${title}`);
    }
    const wide = text.split('\n').filter((l) => columns(l) > TERMINAL_WIDTH);
    assert.deepEqual(wide, [], `${wide.length} lines over ${TERMINAL_WIDTH} columns`);
    assert.ok(text.split('\n').some((l) => columns(l) === TERMINAL_WIDTH), 'the test reaches the edge: something had to be fitted');
  });

  it('keeps what the narrow tables left out of their cells in the notes under them', () => {
    const flat = unwrap(text);
    for (const note of ['ERRORED: repetition 2: server', 'INVALID: generator lag', 'rate not sustained', 'load generator saturated', '0.33 refreshes/session, 2 refused', 'cannot revoke', 'revoked tokens accepted again after the fault', 'replica promoted 1234 ms after the kill', 'failures from 5 to 2345 ms after it', 'skipped: repetition 2', '2 still accepted 5.0 s after logout', '4 other answers', 'logout 3: ECONNRESET', 'load reached 5,000/s', 'a note: repetition 2']) {
      assert.ok(flat.includes(note), `no note ${note}`);
    }
    // The long error, every word of it, with its unbroken path cut across lines but all there.
    const squeezed = text.replace(/\s+/g, '');
    assert.ok(squeezed.includes(LONG_ERROR.replace(/\s+/g, '')), 'the long error whole');
    const names = tableRows(text).flatMap((rows) => rows.map((r) => (r[0] ?? '').replace(/\s+/g, '')));
    assert.ok(names.some((n) => n.startsWith(`${LONG_DESIGN}(fast-jwt)×4workers`)), 'the long name whole, if on several lines');
    assert.match(text, /the cost table is split in two to fit 120 columns/);
    assert.match(text, /the outage table is split in two to fit 120 columns/);
  });

  it('fits the real default run without wrapping a cell: the scenario tables keep the req/s range, equal load the latency ranges', () => {
    const sample = loadFixture('sample-run');
    const t = renderTables(sample);
    assert.deepEqual(t.split('\n').filter((l) => columns(l) > TERMINAL_WIDTH), []);
    assert.ok(!t.includes(RANGE_LEFT_OUT));
    assert.equal(rowOf(t, 'jwt')[1], '54,076 (53,258–55,330)', 'the first table, ceiling, keeps the range');
  });
});
