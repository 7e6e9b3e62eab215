import { fmtChange, fmtInterval, fmtStrategy } from './format.js';
import type { Comparison, MetricComparison } from './verdict.js';

/** One entry of github-action-benchmark's custom JSON (an array of these per `tool`). */
export interface ActionBenchmarkEntry {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly range?: string;
  readonly extra?: string;
}

/** Bencher Metric Format: benchmark name → measure slug → { value, lower_value?, upper_value? }. */
export type BencherMetricFormat = Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>>;

const judged = (c: Comparison): MetricComparison[] => c.rows.filter((r) => r.current !== undefined);
const round = (x: number): number => Math.round(x * 1e6) / 1e6;

function extraOf(r: MetricComparison): string {
  const raw = r.metric === 'throughput' ? `${Math.round(r.currentRaw ?? NaN)} req/s` : `p99 ${r.currentRaw ?? NaN} ms`;
  return `verdict: ${r.verdict}\nchange vs baseline: ${fmtChange(r)} (${fmtInterval(r)})\nraw: ${raw}\nrepetitions: ${r.repetitions.current}`;
}

/**
 * The current run for github-action-benchmark: `customBiggerIsBetter` gets the throughput as a percentage of
 * the ceiling, `customSmallerIsBetter` the p99 × ceiling req/s. The action takes one tool per file.
 */
export function githubActionBenchmark(c: Comparison): { biggerIsBetter: ActionBenchmarkEntry[]; smallerIsBetter: ActionBenchmarkEntry[] } {
  if (c.mode === 'relative') {
    // Relative mode judges raw figures: the head's median req/s and its merged p99.
    const raw = (r: MetricComparison, unit: string): ActionBenchmarkEntry => ({
      name: `${r.scenario} ${fmtStrategy(r)} ${r.metric === 'throughput' ? 'req/s' : 'p99'}`,
      unit,
      value: round(r.current ?? NaN),
      ...(r.currentRange === undefined ? {} : { range: `${round(r.currentRange[0])}–${round(r.currentRange[1])}` }),
      extra: extraOf(r),
    });
    return {
      biggerIsBetter: judged(c).filter((r) => r.metric === 'throughput').map((r) => raw(r, 'req/s')),
      smallerIsBetter: judged(c).filter((r) => r.metric === 'p99').map((r) => raw(r, 'ms')),
    };
  }
  const entry = (r: MetricComparison, unit: string, scale: number): ActionBenchmarkEntry => ({
    name: `${r.scenario} ${fmtStrategy(r)} ${r.metric === 'throughput' ? 'req/s ÷ ceiling' : 'p99 × ceiling req/s'}`,
    unit,
    value: round((r.current ?? NaN) * scale),
    ...(r.currentRange === undefined ? {} : { range: `${round(r.currentRange[0] * scale)}–${round(r.currentRange[1] * scale)}` }),
    extra: extraOf(r),
  });
  return {
    biggerIsBetter: judged(c).filter((r) => r.metric === 'throughput').map((r) => entry(r, '% of ceiling', 100)),
    smallerIsBetter: judged(c).filter((r) => r.metric === 'p99').map((r) => entry(r, 'ceiling request-times', 1)),
  };
}

/**
 * The current run in Bencher Metric Format: one benchmark per scenario × strategy, two measures
 * (`ceiling-fraction`, `p99-ceiling-requests`; relative mode: `requests-per-second`, `p99-ms`): the median over repetitions (the merged p99 in relative mode), with their smallest and largest
 * as lower and upper values.
 */
export function bencherMetricFormat(c: Comparison): BencherMetricFormat {
  const out: BencherMetricFormat = {};
  for (const r of judged(c)) {
    const name = `authbench/${r.scenario}/${r.strategy}${r.workers === undefined ? '' : `@${r.workers}`}`;
    const measure = c.mode === 'relative' ? (r.metric === 'throughput' ? 'requests-per-second' : 'p99-ms') : r.metric === 'throughput' ? 'ceiling-fraction' : 'p99-ceiling-requests';
    const bounds = r.currentRange === undefined ? {} : { lower_value: round(r.currentRange[0]), upper_value: round(r.currentRange[1]) };
    (out[name] ??= {})[measure] = { value: round(r.current ?? NaN), ...bounds };
  }
  return out;
}
