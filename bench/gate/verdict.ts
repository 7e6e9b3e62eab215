import type { RunResult } from '../result/schema.js';
import type { Comparison, MetricComparison, RunSummary, Verdict } from './comparison.js';
export type { Comparison, MetricComparison, RunSummary, Verdict } from './comparison.js';
import { median } from '../../lib/stats.js';
import { BOOTSTRAP_DEFAULTS, bootstrapRatioOfMedians } from './bootstrap.js';
import { ceilingKey } from '../result/schema.js';
import { ceilingShifts, guardBusyBaseline } from './ceiling-shift.js';
import { comparability, type ComparabilityOptions } from './comparable.js';
import { cellSeries, comparedCells, METRICS, unitOf, valuesOf, type CellSeries, type MetricName } from './series.js';
import { cellKey } from '../result/schema.js';

export interface CompareOptions extends ComparabilityOptions {
  /** Relative change the whole interval must pass to count, e.g. 0.1. */
  readonly threshold: number;
  /** The same for the p99 metric (default: threshold). */
  readonly latencyThreshold?: number;
  readonly confidence?: number;
  readonly resamples?: number;
  readonly seed?: string;
}

/** Fewer successful, paired repetitions than this on either side: no verdict. */
export const MIN_REPETITIONS = 3;

/** Who a side of a comparison is: when, which commit, on what machine. */
export const summaryOf = (r: RunResult): RunSummary => ({
  startedAt: r.startedAt,
  gitCommit: r.environment.gitCommit,
  gitDirty: r.environment.gitDirty,
  node: r.environment.node,
  cpuModel: r.environment.cpuModel,
  cpuCount: r.environment.cpuCount,
  loadAverage: r.environment.loadAverage,
  redisLatencyMs: r.config.redisLatencyMs,
});

/**
 * The verdict on an interval of current / baseline: regressed only when the whole interval is worse than
 * the threshold, improved only when the whole interval is better; anything else is inside the noise.
 */
export function judgeInterval(low: number, high: number, threshold: number, biggerIsBetter: boolean): Verdict {
  if (biggerIsBetter) {
    if (high < 1 - threshold) return 'regressed';
    if (low > 1 + threshold) return 'improved';
  } else {
    if (low > 1 + threshold) return 'regressed';
    if (high < 1 - threshold) return 'improved';
  }
  return 'ok';
}

function compareMetric(base: CellSeries, cur: CellSeries, metric: MetricName, threshold: number, options: CompareOptions): MetricComparison {
  const b = valuesOf(base, metric);
  const c = valuesOf(cur, metric);
  const raw = (s: CellSeries): number => median(s.repetitions.map((r) => (metric === 'throughput' ? r.requestsPerSec : r.p99Ms)));
  const common = {
    scenario: base.scenario,
    strategy: base.strategy,
    ...unitOf(base),
    metric,
    repetitions: { baseline: b.length, current: c.length },
    threshold,
    ...(b.length > 0 ? { baseline: median(b), baselineRaw: raw(base) } : {}),
    ...(c.length > 0 ? { current: median(c), currentRaw: raw(cur), currentRange: [Math.min(...c), Math.max(...c)] as const } : {}),
  };
  const problems = [...base.problems.map((p) => `baseline ${p}`), ...cur.problems.map((p) => `current ${p}`)];
  if (problems.length > 0) return { ...common, verdict: 'not comparable', note: problems.join('; ') };
  if (b.length < MIN_REPETITIONS || c.length < MIN_REPETITIONS) {
    return { ...common, verdict: 'not comparable', note: `needs ${MIN_REPETITIONS} repetitions on each side, has ${b.length} and ${c.length}` };
  }
  const interval = bootstrapRatioOfMedians(b, c, { ...options, seed: `${options.seed ?? BOOTSTRAP_DEFAULTS.seed}|${cellKey(base)}|${metric}` });
  if (interval === undefined) {
    // A p99 of 0 happens only in results from before the microsecond histograms: autocannon's whole milliseconds.
    const note = metric === 'p99' ? 'baseline p99 is under 1 ms, below autocannon\'s whole-millisecond resolution' : 'baseline throughput is zero';
    return { ...common, verdict: 'not comparable', note };
  }
  return {
    ...common,
    change: interval.ratio - 1,
    low: interval.low - 1,
    high: interval.high - 1,
    verdict: judgeInterval(interval.low, interval.high, threshold, METRICS[metric].biggerIsBetter),
  };
}

/**
 * Compares two run results, cell by cell, on the throughput and the p99 latency normalised by the ceiling of
 * the same repetition (bench/gate/series.ts), with a bootstrap interval on the ratio of medians.
 * When the files cannot be compared the comparison says why and has no rows.
 */
export function compareRuns(baseline: RunResult, current: RunResult, options: CompareOptions): Comparison {
  const { problems, allowed } = comparability(baseline, current, options);
  const latencyThreshold = options.latencyThreshold ?? options.threshold;
  const head = {
    problems,
    allowed,
    threshold: options.threshold,
    latencyThreshold,
    confidence: options.confidence ?? BOOTSTRAP_DEFAULTS.confidence,
    resamples: options.resamples ?? BOOTSTRAP_DEFAULTS.resamples,
    baseline: summaryOf(baseline),
    current: summaryOf(current),
  };
  if (problems.length > 0) return { ...head, comparable: false, rows: [] };
  const rows: MetricComparison[] = [];
  for (const cell of comparedCells(current)) {
    const baseCell = comparedCells(baseline).find((c) => cellKey(c) === cellKey(cell));
    if (baseCell === undefined) continue; // comparability() already refused cells missing from the baseline
    const base = cellSeries(baseline, baseCell);
    const cur = cellSeries(current, cell);
    rows.push(compareMetric(base, cur, 'throughput', options.threshold, options));
    rows.push(compareMetric(base, cur, 'p99', latencyThreshold, options));
  }
  const shiftByDesign = ceilingShifts(baseline, current);
  const shifts = [...shiftByDesign.values()];
  const guarded = rows.map((r) => guardBusyBaseline(r, shiftByDesign.get(ceilingKey(r))));
  const spreads = rows.filter((r) => r.metric === 'throughput' && r.high !== undefined && r.change !== undefined).map((r) => (1 + (r.high as number)) / (1 + (r.change as number)));
  return {
    ...head,
    comparable: true,
    rows: guarded,
    ...(spreads.length > 0 ? { detectableDrop: Math.max(options.threshold, 1 - (1 - options.threshold) / median(spreads)) } : {}),
    ...(shifts.length > 0 ? { ceilingShift: median(shifts) } : {}),
  };
}

/** Above this detectable drop a report warns that the run was too noisy to catch much. */
export const NOISY_DETECTABLE_DROP = 0.5;

/** 0 nothing regressed, 1 a regression, 2 the files (or some cells) cannot be compared. */
export function exitCodeOf(c: Comparison): 0 | 1 | 2 {
  if (!c.comparable) return 2;
  if (c.rows.some((r) => r.verdict === 'regressed')) return 1;
  if (c.rows.some((r) => r.verdict === 'not comparable')) return 2;
  return 0;
}
