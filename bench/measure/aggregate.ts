import type { Expectation, SessionTally } from '../../scenarios/scenario.js';
import { summariseCost, type Cost } from './cost.js';
import { mergeRepetitions } from './histogram.js';
import { unexpectedRefusals, type RefusalCounts } from './refusals.js';
import { summariseLimits, type Limits, type LimitsSummary } from './limits.js';
import type { LoadMeasurement } from '../load/autocannon.js';
import { ceilingCellsOf, ceilingKey, loadCellsOf, type CellResult, type CellSummary, type Repetition, type RunResult } from '../result/schema.js';
import { median, ratio, spread, sumCounts } from '../../lib/stats.js';

export interface Judged {
  readonly correct: number;
  readonly wrongAnswers: number;
  readonly revokedAccepted?: number;
  /** Correct responses per second of measured time. */
  readonly requestsPerSec: number;
}

/** The status of a GET /me answer, whose body names the user. */
const ACCEPTED = 200;
/** The status of every refusal of a token, whatever its reason (the reason is counted on GET /metrics). */
const REFUSED = 401;

/**
 * Sorts every response of a phase into correct, wrong, or neither (an error status, counted apart): by status, then
 * by content. A 200 whose sampled body named another user, and a refusal whose reason (`refusals`, counted by the
 * server in the same phase) is not one the expectation allows, were right by status only: they count as wrong, and
 * not as correct. Where that status is itself wrong, it was counted wrong already.
 */
export function judge(m: LoadMeasurement, expect: Expectation, refusals?: RefusalCounts): Judged {
  const count = (codes: readonly number[]): number => codes.reduce((sum, c) => sum + (m.statusCounts[String(c)] ?? 0), 0);
  const mismatched = expect.ok.includes(ACCEPTED) ? (m.contentMismatches ?? 0) : 0;
  const misreasoned = expect.ok.includes(REFUSED) && expect.refusals !== undefined && refusals !== undefined ? unexpectedRefusals(refusals, expect.refusals) : 0;
  // The server's counters may include a refusal whose answer autocannon never read (in flight at the end): never below 0.
  const correct = Math.max(0, count(expect.ok) - mismatched - misreasoned);
  return {
    correct,
    wrongAnswers: count(expect.wrong) + mismatched + misreasoned,
    ...(expect.revokedAccepted === undefined ? {} : { revokedAccepted: count([expect.revokedAccepted]) }),
    requestsPerSec: m.durationSec > 0 ? correct / m.durationSec : 0,
  };
}

/** Sessions and refreshes summed over the repetitions that counted them (none: nothing). Pure. */
export function sessionsOf(tallies: readonly (SessionTally | undefined)[]): { sessions?: SessionTally } {
  const given = tallies.filter((t): t is SessionTally => t !== undefined);
  if (given.length === 0) return {};
  const sum = (k: 'sessions' | 'refreshes' | 'refreshesFailed'): number => given.reduce((a, t) => a + t[k], 0);
  // Every repetition's server had the same options, so the lives read agree; the longest stands for them.
  const lives = given.map((t) => t.accessTtlSec).filter((v): v is number => v !== undefined);
  const life = lives.length === 0 ? {} : { accessTtlSec: Math.max(...lives) };
  return { sessions: { sessions: sum('sessions'), refreshes: sum('refreshes'), refreshesFailed: sum('refreshesFailed'), ...life } };
}

/** The summary of a cell over its successful repetitions, or undefined when there are none. */
export function summarise(reps: readonly Repetition[]): CellSummary | undefined {
  const ok = reps.filter((r): r is Repetition & { measurement: LoadMeasurement; requestsPerSec: number } =>
    r.status === 'ok' && r.measurement !== undefined && r.requestsPerSec !== undefined,
  );
  if (ok.length === 0) return undefined;
  const ms = ok.map((r) => r.measurement);
  const latency = mergedLatency(ms);
  const revoked = ok.map((r) => r.revokedAccepted).filter((v): v is number => v !== undefined);
  const checkedContent = ms.filter((m) => m.contentChecked !== undefined);
  const refusals = ok.map((r) => r.refusalsByReason).filter((v): v is RefusalCounts => v !== undefined);
  return {
    requestsPerSec: spread(ok.map((r) => r.requestsPerSec)),
    ...latency,
    statusCounts: sumCounts(ms.map((m) => m.statusCounts)),
    responses: ms.reduce((a, m) => a + m.responses, 0),
    errors: ms.reduce((a, m) => a + m.errors, 0),
    timeouts: ms.reduce((a, m) => a + m.timeouts, 0),
    wrongAnswers: ok.reduce((a, r) => a + (r.wrongAnswers ?? 0), 0),
    ...(revoked.length === 0 ? {} : { revokedAccepted: revoked.reduce((a, b) => a + b, 0) }),
    ...(checkedContent.length === 0
      ? {}
      : { contentChecked: checkedContent.reduce((a, m) => a + (m.contentChecked ?? 0), 0), contentMismatches: checkedContent.reduce((a, m) => a + (m.contentMismatches ?? 0), 0) }),
    ...(refusals.length === 0 ? {} : { refusalsByReason: sumCounts(refusals) }),
    ...sessionsOf(ms.map((m) => m.sessions)),
    loadGenerator: {
      cpuPerSecMedian: median(ms.map((m) => m.loadGenerator.cpuPerSec)),
      saturated: ms.some((m) => m.loadGenerator.saturated),
    },
    latencyCorrected: ms.every((m) => m.latencyCorrected),
    ...costOf(ok),
    ...limitsOf(ok),
  };
}

/**
 * The latency of a cell over its repetitions: the percentiles of the repetitions' merged histograms (every response
 * counts once, the worst repetition's tail included), the merged histogram, and the range of the per-repetition p50
 * and p99 beside them. Measurements from before the histograms were kept fall back to the median of the
 * repetitions' percentiles.
 */
function mergedLatency(ms: readonly LoadMeasurement[]): Pick<CellSummary, 'latencyMs' | 'latencySpread' | 'latencyHistogram'> {
  const withHistograms = ms.flatMap((m) => (m.latencyHistogram === undefined ? [] : [{ histogram: m.latencyHistogram, figures: m.latencyMs }]));
  const merged = withHistograms.length === ms.length ? mergeRepetitions(withHistograms) : undefined;
  if (merged !== undefined) return merged;
  const range = (key: 'p50' | 'p99') => ({ min: Math.min(...ms.map((m) => m.latencyMs[key])), max: Math.max(...ms.map((m) => m.latencyMs[key])) });
  const latencySpread = { p50: range('p50'), p99: range('p99') };
  const pct = (key: 'p50' | 'p90' | 'p99' | 'p999'): number => median(ms.map((m) => m.latencyMs[key]));
  return { latencyMs: { p50: pct('p50'), p90: pct('p90'), p99: pct('p99'), p999: pct('p999'), max: Math.max(...ms.map((m) => m.latencyMs.max)) }, latencySpread };
}

function costOf(reps: readonly Repetition[]): { cost?: Cost } {
  const cost = summariseCost(reps.map((r) => r.cost).filter((c): c is Cost => c !== undefined));
  return cost === undefined ? {} : { cost };
}

function limitsOf(reps: readonly Repetition[]): { limits?: LimitsSummary } {
  const limits = summariseLimits(reps.map((r) => r.limits).filter((l): l is Limits => l !== undefined));
  return limits === undefined ? {} : { limits };
}

/** Recomputes the ceiling table and every cell's fraction of it (the ceiling of the same design, same run). */
export function applyCeiling(result: RunResult): void {
  result.ceiling = {};
  for (const cell of ceilingCellsOf(result)) {
    if (cell.summary !== undefined) result.ceiling[ceilingKey(cell)] = cell.summary.requestsPerSec;
  }
  for (const cell of loadCellsOf(result)) {
    if (cell.summary === undefined) continue;
    const fraction = ratio(cell.summary.requestsPerSec.median, result.ceiling[ceilingKey(cell)]?.median);
    const summary: CellSummary = { ...cell.summary };
    delete (summary as { ceilingFraction?: number }).ceilingFraction;
    cell.summary = fraction === undefined ? summary : { ...summary, ceilingFraction: fraction };
  }
}

/** True when any cell failed. */
export function anyErrored(cells: readonly CellResult[]): boolean {
  return cells.some((c) => c.status === 'errored');
}
