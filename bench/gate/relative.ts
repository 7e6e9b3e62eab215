import { median } from '../../lib/stats.js';
import { figuresOf, mergeHistograms } from '../measure/histogram.js';
import { cellKey, measuredCellsOf, type LoadCell, type RunResult } from '../result/schema.js';
import type { Comparison, MetricComparison, RunSummary } from './comparison.js';
import { fmtChange, fmtInterval } from './format.js';
import { MIN_PAIRS_AT_95, pairedShift } from './paired.js';
import { METRICS, unitOf, type MetricName } from './series.js';
import { judgeInterval, summaryOf } from './verdict.js';

/**
 * The relative gate's comparison (`authbench ci --base <ref>`): base and head measured in pairs on one machine in
 * one job, each pair a run of each build one right after the other. The figures are the raw ones (req/s, p99 from
 * the µs histogram): the two members of a pair met the same machine, so nothing needs dividing by a ceiling. Pure.
 */

/** One pair: a run of the base build and a run of the head build, back to back. */
export interface GatePair {
  /** 0-based. */
  readonly index: number;
  /** Which build ran first in this pair (the order alternates, so a machine drifting one way favours neither). */
  readonly first: 'base' | 'head';
  readonly base: RunResult | undefined;
  readonly head: RunResult | undefined;
  /** Why a side has no result (its `run` failed to start, crashed or was stopped). */
  readonly problems: readonly string[];
}

export interface RelativeOptions {
  readonly threshold: number;
  readonly latencyThreshold?: number;
  readonly confidence?: number;
}

const EMPTY_SUMMARY: RunSummary = { startedAt: '', gitCommit: 'unknown', gitDirty: false, node: '', cpuModel: '', cpuCount: 0, loadAverage: [], redisLatencyMs: 0 };

/** The one repetition of a cell in a side's run (the side runs with --repeat 1), if it succeeded. */
function okRepetition(result: RunResult | undefined, cell: LoadCell): { rps: number; p99Ms: number; histogram?: string } | string {
  if (result === undefined) return 'no result';
  const mine = measuredCellsOf(result).find((c) => cellKey(c) === cellKey(cell));
  if (mine === undefined) return 'no such cell';
  const rep = mine.repetitions.find((r) => r.status === 'ok');
  if (rep?.measurement === undefined || rep.requestsPerSec === undefined) return mine.repetitions[0]?.error ?? 'errored';
  return { rps: rep.requestsPerSec, p99Ms: rep.measurement.latencyMs.p99, ...(rep.measurement.latencyHistogram === undefined ? {} : { histogram: rep.measurement.latencyHistogram }) };
}

/** p99 of the merged histograms of the runs (ms, µs resolution); the median of their p99s for results without histograms. */
function mergedP99(values: readonly { p99Ms: number; histogram?: string }[]): number {
  const hs = values.flatMap((v) => (v.histogram === undefined ? [] : [v.histogram]));
  if (hs.length !== values.length || hs.length === 0) return median(values.map((v) => v.p99Ms));
  const merged = mergeHistograms(hs);
  const p99 = figuresOf(merged).p99;
  merged.destroy();
  return p99;
}

function compareCell(cell: LoadCell, pairs: readonly GatePair[], metric: MetricName, threshold: number, confidence: number): MetricComparison {
  const base: { rps: number; p99Ms: number; histogram?: string }[] = [];
  const head: typeof base = [];
  const dropped: string[] = [];
  for (const pair of pairs) {
    const b = okRepetition(pair.base, cell);
    const h = okRepetition(pair.head, cell);
    if (typeof b === 'string' || typeof h === 'string') {
      dropped.push(`pair ${pair.index + 1}: ${typeof b === 'string' ? `base ${b}` : ''}${typeof b === 'string' && typeof h === 'string' ? ', ' : ''}${typeof h === 'string' ? `head ${h}` : ''}`);
      continue;
    }
    base.push(b);
    head.push(h);
  }
  const value = (v: { rps: number; p99Ms: number }): number => (metric === 'throughput' ? v.rps : v.p99Ms);
  const b = base.map(value);
  const h = head.map(value);
  const figure = (side: typeof base): number => (metric === 'throughput' ? median(side.map((v) => v.rps)) : mergedP99(side));
  const common = {
    scenario: cell.scenario,
    strategy: cell.strategy,
    ...unitOf(cell),
    metric,
    repetitions: { baseline: b.length, current: h.length },
    threshold,
    ...(b.length > 0 ? { baseline: figure(base), baselineRaw: figure(base) } : {}),
    ...(h.length > 0 ? { current: figure(head), currentRaw: figure(head), currentRange: [Math.min(...h), Math.max(...h)] as const } : {}),
  };
  const droppedNote = dropped.length > 0 ? `left out: ${dropped.join('; ')}` : undefined;
  const shift = pairedShift(b, h, confidence);
  if (shift === undefined) {
    const why = b.length < MIN_PAIRS_AT_95 ? `needs ${MIN_PAIRS_AT_95} complete pairs for a ${Math.round(confidence * 100)}% interval, has ${b.length}` : 'a value was zero';
    return { ...common, verdict: 'not comparable', note: droppedNote === undefined ? why : `${why}; ${droppedNote}` };
  }
  return {
    ...common,
    change: shift.ratio - 1,
    low: shift.low - 1,
    high: shift.high - 1,
    verdict: judgeInterval(shift.low, shift.high, threshold, METRICS[metric].biggerIsBetter),
    ...(droppedNote === undefined ? {} : { note: droppedNote }),
  };
}

/**
 * Every load cell of the head's runs judged on the pairs: throughput and p99, each the Hodges–Lehmann shift of
 * ln(head / base) over the pairs with its exact Wilcoxon signed-rank interval. A cell the base never measured (a
 * design or scenario the head adds) is listed in `onlyInHead`, not judged.
 */
export function compareRelative(pairs: readonly GatePair[], options: RelativeOptions): Comparison {
  const confidence = options.confidence ?? 0.95;
  const latencyThreshold = options.latencyThreshold ?? options.threshold;
  const heads = pairs.flatMap((p) => (p.head === undefined ? [] : [p.head]));
  const bases = pairs.flatMap((p) => (p.base === undefined ? [] : [p.base]));
  const head = {
    mode: 'relative' as const,
    pairs: pairs.length,
    order: pairs.map((p) => (p.first === 'base' ? 'AB' : 'BA')).join(' '),
    allowed: [],
    threshold: options.threshold,
    latencyThreshold,
    confidence,
    resamples: 0,
    baseline: bases[0] === undefined ? EMPTY_SUMMARY : summaryOf(bases[0]),
    current: heads[0] === undefined ? EMPTY_SUMMARY : summaryOf(heads[0]),
  };
  const pairProblems = pairs.flatMap((p) => p.problems.map((x) => `pair ${p.index + 1}: ${x}`));
  if (heads.length === 0 || bases.length === 0) {
    return { ...head, comparable: false, problems: [...pairProblems, `no ${heads.length === 0 ? 'head' : 'base'} run finished`], rows: [] };
  }
  // The cells of the first head run that finished, in its table order; the base's cells by the same key.
  const cells = measuredCellsOf(heads[0] as RunResult);
  const baseKeys = new Set(bases.flatMap((r) => measuredCellsOf(r).map(cellKey)));
  const judged = cells.filter((c) => baseKeys.has(cellKey(c)));
  const rows = judged.flatMap((cell) => [compareCell(cell, pairs, 'throughput', options.threshold, confidence), compareCell(cell, pairs, 'p99', latencyThreshold, confidence)]);
  const onlyInHead = cells.filter((c) => !baseKeys.has(cellKey(c))).map(cellKey);
  return { ...head, comparable: true, problems: pairProblems, rows, ...(onlyInHead.length > 0 ? { onlyInHead } : {}) };
}

/**
 * The confidence of the first round's screen. With 6 pairs the 95% signed-rank interval is the whole range of the
 * Walsh averages, so one stray pair hides a real shift; the 90% one drops the two most extreme at each end. A cell
 * whose 90% interval lies beyond the threshold (either way) is not judged on it: it sends the whole interleaved order
 * round again, and its verdict is the 95% interval of both rounds pooled.
 */
export const SCREEN_CONFIDENCE = 0.9;

const rowKey = (r: MetricComparison): string => `${cellKey(r)}|${r.metric}`;

/**
 * The rows of the first round that its screen (`compareRelative` at SCREEN_CONFIDENCE) found beyond the threshold,
 * either way: a regression fails the gate, and an improvement claimed on one round of noisy pairs would mislead as
 * much (identical builds were once called 47% "improved" by the 95% interval of 6 pairs).
 */
export function screenedRows(screen: Comparison): MetricComparison[] {
  return screen.rows.filter((r) => r.verdict === 'regressed' || r.verdict === 'improved');
}

/**
 * The verdicts of a two-round relative gate: the first round's 95% rows, except that each row the screen flagged
 * takes its verdict from both rounds pooled (the second comparison), with a note giving both. A row the screen did
 * not flag keeps its first-round verdict; a flagged row the pooled comparison cannot judge keeps it too, noted.
 */
export function mergeRounds(first: Comparison, screen: Comparison, pooled: Comparison): Comparison {
  const flagged = new Map(screenedRows(screen).map((r) => [rowKey(r), r]));
  const again = new Map(pooled.rows.map((r) => [rowKey(r), r]));
  const rows = first.rows.map((r): MetricComparison => {
    const s = flagged.get(rowKey(r));
    if (s === undefined) return r;
    const screenNote = `round 1 (${first.pairs} pairs) ${fmtChange(s)}, ${Math.round(screen.confidence * 100)}% interval ${fmtInterval(s)}: measured again`;
    const p = again.get(rowKey(r));
    if (!pooled.comparable || p === undefined) {
      return { ...r, note: `${screenNote}; both rounds could not be compared (${pooled.problems.join('; ') || 'cell missing'}), the first round's verdict stands` };
    }
    const note = `${screenNote}; both rounds (${pooled.pairs} pairs) ${fmtChange(p)} (${fmtInterval(p)}), ${p.verdict}`;
    return { ...p, note: p.note === undefined ? note : `${note}; ${p.note}` };
  });
  return { ...first, rows };
}
