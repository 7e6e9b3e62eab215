import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseResult } from '../bench/result/read.js';
import type { LoadCell, OutageCell, PropagationCell, RunResult } from '../bench/result/schema.js';

/**
 * Real result files, trimmed, for the report tests: a full default run (sample-run), an outage run (kill, stop,
 * flush at 200 req/s; timeline health fields left out), two --quick runs with --jwt-alg RS256 and ES256 that
 * carry summary.cost, and a --quick validate run with --jwt-alg EdDSA that carries a decomposition. tsc does not copy JSON, so the path points from dist/test-support/ back to the sources.
 */
export const FIXTURES_DIR = fileURLToPath(new URL('../../test-support/fixtures/', import.meta.url));

export type FixtureName = 'sample-run' | 'outage-run' | 'alg-rs256' | 'alg-es256' | 'validate-eddsa';

export const fixturePath = (name: FixtureName): string => `${FIXTURES_DIR}${name}.json`;

/** A fresh copy on every call (tests may change it), read as `authbench report` reads it: the files are schema version 1. */
export function loadFixture(name: FixtureName): RunResult {
  return parseResult(readFileSync(fixturePath(name), 'utf8'), fixturePath(name));
}

/** A design name longer than any table column should be, for the layout tests. */
export const LONG_DESIGN = 'a-design-with-a-name-far-longer-than-any-real-one-to-test-the-terminal-layout';

/** An error text of a few hundred characters, with an unbroken path longer than a terminal line. */
export const LONG_ERROR = `repetition 2: server ${LONG_DESIGN} killed by SIGKILL; its last output: ${'/very/deep/directory'.repeat(8)}/server.log: Error: connect ECONNREFUSED 127.0.0.1:6379 while the measured phase was running, after 1,234 requests had been answered`;

/**
 * Every table `authbench run` can print, in one result, with what makes them wide: the sample run's scenario cells,
 * the EdDSA run's cost and decomposition, the outage run's faults, then an equal-load part and propagation cells made
 * up here; a design with a long name at several workers and another JWT library, errored cells with long errors, and
 * the notes (saturated generator, refreshes, INVALID, rate not sustained, failover, skipped, still accepted).
 */
export function everyTableResult(): RunResult {
  const sample = loadFixture('sample-run');
  const outage = loadFixture('outage-run');
  const eddsa = loadFixture('validate-eddsa');
  const loadCells = sample.cells.filter((c): c is LoadCell => c.kind !== 'outage');
  const base = loadCells.find((c) => c.scenario === 'validate' && c.summary !== undefined) as LoadCell;
  const summary = base.summary as NonNullable<LoadCell['summary']>;
  const costed = eddsa.cells.find((c): c is LoadCell => c.kind === 'load' && c.summary?.cost !== undefined) as LoadCell;
  const cost = { ...(costed.summary?.cost as NonNullable<NonNullable<LoadCell['summary']>['cost']>), redisCommandsByName: { del: 0.14, evalsha: 0.15, expire: 0.14, hset: 0.15, get: 0.72, setex: 0.14, publish: 0.14 } };
  const long = { strategy: LONG_DESIGN, workers: 4, jwtImpl: 'fast-jwt' };
  const extraLoad: LoadCell[] = [
    { ...base, ...long, summary: { ...summary, cost, statusCounts: { '200': 9000, '401': 12345, '429': 7, '500': 3, '502': 11, '503': 4321 }, errors: 1234, timeouts: 567, loadGenerator: { cpuPerSecMedian: 0.95, saturated: true }, sessions: { sessions: 400, refreshes: 130, refreshesFailed: 2 } } },
    { ...base, ...long, scenario: 'revocation', status: 'errored', errors: [LONG_ERROR, 'repetition 3: the same'], summary: undefined },
    { ...base, ...long, scenario: 'revocation', strategy: `${LONG_DESIGN}-2`, summary: { ...summary, revokedAccepted: 123456789 } },
  ];
  const eqSummary = {
    latencyMs: { p50: 1234.5, p90: 2345.6, p99: 12345.6, p999: 23456.7, max: 34567.8 },
    latencySpread: { p50: { min: 1000.1, max: 1500.2 }, p99: { min: 10000.1, max: 15000.2 } },
    latencyHistogram: '',
    achievedRps: { median: 1000, min: 990, max: 1000 },
    uncorrectedMs: { p50: 0.3, p99: 0.9 },
    pacerLagP99Ms: 0.08,
    valid: true,
    statusCounts: { '200': 3000, '401': 12, '503': 4567 },
    errors: 89,
    timeouts: 12,
    wrongAnswers: 3,
    contentChecked: 1100,
    contentMismatches: 0,
  };
  const eqCell = (strategy: string, over: Record<string, unknown> = {}, cell: Record<string, unknown> = {}): NonNullable<RunResult['equalLoad']>['cells'][number] =>
    ({ kind: 'equal-load', scenario: 'validate', strategy, rateLabel: '25%', offeredRps: 4000, status: 'ok', errors: [], repetitions: [], summary: { ...eqSummary, ...over }, ...cell }) as NonNullable<RunResult['equalLoad']>['cells'][number];
  const equalLoad: NonNullable<RunResult['equalLoad']> = {
    scenario: 'validate',
    slowestRps: 8000,
    slowest: 'jwt-blacklist',
    notes: [`rate 200% could not be resolved: ${LONG_ERROR}`],
    cells: [
      eqCell('jwt'),
      eqCell('jwt-blacklist', { valid: false, pacerLagP99Ms: 5.5, achievedRps: { median: 100, min: 90, max: 110 } }),
      eqCell(LONG_DESIGN, { sessions: { sessions: 400, refreshes: 130, refreshesFailed: 2 } }, { ...long, status: 'errored', errors: [LONG_ERROR] }),
      eqCell('redis-token', {}, { status: 'errored', errors: [LONG_ERROR], summary: undefined }),
      eqCell('jwt', {}, { rateLabel: '2,000 req/s', offeredRps: 2000 }),
    ],
  };
  const outageCells = outage.cells.filter((c): c is OutageCell => c.kind === 'outage');
  const kill = outageCells[0] as OutageCell;
  const extraOutage: OutageCell[] = [
    { ...kill, strategy: LONG_DESIGN, policy: 'closed', fault: 'kill-master', failover: { killed: '127.0.0.1:7000', replica: '127.0.0.1:7003', killedAtMs: 0, promotedAfterMs: 1234, firstFailureAfterMs: 5, lastFailureAfterMs: 2345, failingBuckets: 40 } as OutageCell['failover'] },
    { ...kill, strategy: LONG_DESIGN, policy: 'open', fault: 'kill-master', status: 'skipped', errors: [LONG_ERROR], outage: undefined },
  ];
  const window = { ms: 5000 };
  const propSummary = { logouts: 20, refusedEverywhere: 18, delayMs: { p50: 2971.4, p99: 29810.2, max: 123456.7 }, notRefusedInWindow: 2, acceptedAfterAck: 1234567, maxAcceptedAfterOneLogout: 98765, acceptedAfterRefusal: 3, otherAnswers: 4, failed: 0, pollRoundTripMs: 2.17, window };
  const propagation: PropagationCell[] = [
    { scenario: 'propagation', strategy: 'jwt', instances: 3, loadRps: 0, status: 'ok', errors: [], summary: propSummary },
    { scenario: 'propagation', strategy: LONG_DESIGN, instances: 3, loadRps: 100000, load: { achievedRps: 5000, statusCounts: { '200': 5000 }, errors: 0 }, status: 'ok', errors: ['logout 3: ECONNRESET'], summary: propSummary },
    { scenario: 'propagation', strategy: 'redis-token', instances: 3, loadRps: 1000, status: 'errored', errors: [LONG_ERROR] },
  ];
  const decomposition = eddsa.decomposition as NonNullable<RunResult['decomposition']>;
  return {
    ...sample,
    method: [...sample.method, `a method sentence without a space: ${'x'.repeat(200)}`],
    cells: [...sample.cells, ...extraLoad, ...eddsa.cells.filter((c) => c.kind === 'load').map((c) => ({ ...c, scenario: 'validate-eddsa' })), ...outageCells, ...extraOutage],
    equalLoad,
    decomposition: { ...decomposition, rows: [...decomposition.rows, { ...(decomposition.rows[0] as NonNullable<RunResult['decomposition']>['rows'][number]), ...long, note: `a note: ${LONG_ERROR}` }] },
    outageRate: outage.outageRate,
    propagation,
    designs: { ...sample.designs, ...outage.designs },
  } as RunResult;
}

/** The cells of each line of a table's block (`│ a │ b │`), trimmed. */
const lineCells = (line: string): string[] => line.split('│').slice(1, -1).map((c) => c.trim());

/** A table row spread over several lines (a cell wrapped) read back as one: each column's pieces joined by a space. */
function joinLines(lines: readonly string[]): string[] {
  const parts = lines.map(lineCells);
  return (parts[0] ?? []).map((_, i) => parts.map((p) => p[i] ?? '').filter((x) => x !== '').join(' '));
}

/** The rows of every cli-table3 table in a text, the column titles first in each, each as one line of cells. */
export function tableRows(text: string): string[][][] {
  const tables: string[][][] = [];
  let rows: string[][] | undefined;
  let block: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('┌')) {
      rows = [];
      block = [];
    } else if (rows !== undefined && (line.startsWith('├') || line.startsWith('└'))) {
      rows.push(joinLines(block));
      block = [];
      if (line.startsWith('└')) {
        tables.push(rows);
        rows = undefined;
      }
    } else if (rows !== undefined && line.startsWith('│')) block.push(line);
  }
  return tables;
}

/** The column titles of the first table in a text, a title on several lines read as one. */
export const columnTitles = (text: string): string[] => tableRows(text)[0]?.[0] ?? [];

/** The row of a design (its first cell the name, alone or with its note numbers) in any table of a text; [] if none. */
export function rowOf(text: string, name: string): string[] {
  for (const rows of tableRows(text)) {
    const row = rows.slice(1).find((r) => r[0] === name || new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} [⁰¹²³⁴⁵⁶⁷⁸⁹,]+$`).test(r[0] ?? ''));
    if (row !== undefined) return row;
  }
  return [];
}

/** Prose wrapped with a hanging indent read back as one line per paragraph. */
export const unwrap = (text: string): string => text.replace(/\n +/g, ' ');
