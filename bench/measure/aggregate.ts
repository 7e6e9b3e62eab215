import type { Expectation } from '../../scenarios/scenario.js';
import { summariseCost, type Cost } from './cost.js';
import { summariseLimits, type Limits, type LimitsSummary } from './limits.js';
import { encodeHistogram, figuresOf, mergeHistograms } from './histogram.js';
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

/** Sorts every response of a phase into correct, wrong, or neither (an error status, counted apart). */
export function judge(m: LoadMeasurement, expect: Expectation): Judged {
  const count = (codes: readonly number[]): number => codes.reduce((sum, c) => sum + (m.statusCounts[String(c)] ?? 0), 0);
  const correct = count(expect.ok);
  return {
    correct,
    wrongAnswers: count(expect.wrong),
    ...(expect.revokedAccepted === undefined ? {} : { revokedAccepted: count([expect.revokedAccepted]) }),
    requestsPerSec: m.durationSec > 0 ? correct / m.durationSec : 0,
  };
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
  return {
    requestsPerSec: spread(ok.map((r) => r.requestsPerSec)),
    ...latency,
    statusCounts: sumCounts(ms.map((m) => m.statusCounts)),
    responses: ms.reduce((a, m) => a + m.responses, 0),
    errors: ms.reduce((a, m) => a + m.errors, 0),
    timeouts: ms.reduce((a, m) => a + m.timeouts, 0),
    wrongAnswers: ok.reduce((a, r) => a + (r.wrongAnswers ?? 0), 0),
    ...(revoked.length === 0 ? {} : { revokedAccepted: revoked.reduce((a, b) => a + b, 0) }),
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
  const range = (key: 'p50' | 'p99') => ({ min: Math.min(...ms.map((m) => m.latencyMs[key])), max: Math.max(...ms.map((m) => m.latencyMs[key])) });
  const latencySpread = { p50: range('p50'), p99: range('p99') };
  const encoded = ms.map((m) => m.latencyHistogram).filter((h): h is string => h !== undefined);
  if (encoded.length === ms.length && encoded.length > 0) {
    const merged = mergeHistograms(encoded);
    const f = figuresOf(merged);
    const latencyHistogram = encodeHistogram(merged);
    merged.destroy();
    if (f.count > 0) return { latencyMs: { p50: f.p50, p90: f.p90, p99: f.p99, p999: f.p999, max: f.max }, latencySpread, latencyHistogram };
  }
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
