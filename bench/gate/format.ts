import { fmtMs } from '../render/format.js';
import { unitLabel } from '../result/schema.js';
import { NOISY_DETECTABLE_DROP, type Comparison, type MetricComparison, type Verdict } from './verdict.js';

/** How a comparison was made: against a baseline file (figures ÷ ceiling) or base and head in pairs (raw figures). */
export type ComparisonMode = Comparison['mode'];

/** Formatting shared by the terminal table and the Markdown summary. */

const signed = (x: number, digits = 1): string => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(digits)}%`;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

export function fmtValue(row: MetricComparison, side: 'baseline' | 'current', mode?: ComparisonMode): string {
  const value = row[side];
  const raw = side === 'baseline' ? row.baselineRaw : row.currentRaw;
  if (value === undefined || raw === undefined) return '–';
  if (mode === 'relative') return row.metric === 'throughput' ? `${int(raw)} req/s` : `${fmtMs(raw)} ms`;
  return row.metric === 'throughput' ? `${(value * 100).toFixed(1)}% (${int(raw)} req/s)` : `${value.toFixed(1)} (${raw} ms)`;
}

export const fmtChange = (row: MetricComparison): string => (row.change === undefined ? '–' : signed(row.change));

export const fmtInterval = (row: MetricComparison): string => (row.low === undefined || row.high === undefined ? '–' : `${signed(row.low)} … ${signed(row.high)}`);

/** The strategy column: the design, and its worker count when the server ran several (`run --workers`). */
export const fmtStrategy = (row: MetricComparison): string => unitLabel(row);

export const fmtMetric = (row: MetricComparison, mode?: ComparisonMode): string =>
  mode === 'relative' ? (row.metric === 'throughput' ? 'req/s' : 'p99') : row.metric === 'throughput' ? 'req/s ÷ ceiling' : 'p99 × ceiling';

export const fmtPercent = (x: number): string => `${Math.round(x * 1000) / 10}%`;

export const VERDICT_MARK: Readonly<Record<Verdict, string>> = { ok: 'ok', regressed: 'REGRESSED', improved: 'improved', 'not comparable': 'NOT COMPARABLE' };

/** The statistic and normalisation in one paragraph, shown under every report. */
export function describeStatistic(c: Pick<Comparison, 'mode' | 'confidence' | 'resamples' | 'pairs' | 'order'>): string {
  const { confidence, resamples } = c;
  if (c.mode === 'relative') {
    return (
      `Base and head were built from git and run in ${c.pairs ?? '?'} pairs on this machine in one job, one build right after the other, ` +
      `the order alternating (${c.order ?? ''}; A = base): each pair met the same machine state. Each run is one repetition of every cell ` +
      `(throughput: correct answers per second, closed loop; p99 from the µs histogram). Per pair d = ln(head ÷ base); the change is the ` +
      `Hodges–Lehmann estimate of d (the median of the Walsh averages), the interval the exact Wilcoxon signed-rank interval ` +
      `(at least ${fmtPercent(confidence)}; 96.9% with 6 pairs). The base and head columns are the median throughput and the p99 of the ` +
      `merged histograms. A cell regressed only when the whole interval is beyond the threshold.`
    );
  }
  return (
    `Each repetition is divided by the ceiling (GET /health) measured on the same server process just before it: ` +
    `throughput as req/s ÷ ceiling req/s, latency as p99 × ceiling req/s (the p99 in units of the bare framework's time per request). ` +
    `Change is median(current) ÷ median(baseline) − 1 over the repetitions; the interval is a ${fmtPercent(confidence)} percentile bootstrap ` +
    `(${resamples} resamples, fixed seed) of that ratio. A cell regressed only when the whole interval is beyond the threshold.`
  );
}

/** The shift of the ceiling itself between the runs, which the ratios do not show. */
export const ceilingLine = (shift: number): string =>
  `ceiling (GET /health req/s, not judged): current ${shift >= 0 ? '+' : '−'}${Math.abs(Math.round(shift * 100))}% against the baseline${Math.abs(shift) > 0.25 ? ' — the runs met different machine states (a busy machine lowers the ceiling more than CPU-heavy cells), which shifts the ratios too' : ''}`;

/** How much noise left room for: the drop this comparison could have caught, and a warning when it is large. */
export function noiseLine(detectableDrop: number): string {
  const noisy = detectableDrop > NOISY_DETECTABLE_DROP;
  return `${noisy ? 'NOISY RUN: ' : ''}with this much noise only a throughput drop beyond about ${Math.round(detectableDrop * 100)}% could be flagged${noisy ? ' (a busy machine?); "ok" means little here' : ''}`;
}
