import type { MetricName } from './series.js';

/** What a comparison of two runs is, as data: written to comparison.json and rendered by render-*.ts. */

export type Verdict = 'ok' | 'regressed' | 'improved' | 'not comparable';

/** One metric of one scenario × strategy cell, baseline against current. */
export interface MetricComparison {
  readonly scenario: string;
  readonly strategy: string;
  /** Worker processes of the server (`run --workers`); absent = one. */
  readonly workers?: number;
  /** The JWT library, when the run measured several (`run --jwt-impl a,b`). */
  readonly jwtImpl?: string;
  readonly metric: MetricName;
  /** Medians over repetitions of the normalised metric. */
  readonly baseline?: number;
  readonly current?: number;
  /** Medians of the raw figure (req/s, or p99 ms), for the reader; never judged. */
  readonly baselineRaw?: number;
  readonly currentRaw?: number;
  /** Smallest and largest normalised value over the current run's repetitions. */
  readonly currentRange?: readonly [number, number];
  readonly repetitions: { readonly baseline: number; readonly current: number };
  /** current / baseline − 1, and the bootstrap interval of that change. */
  readonly change?: number;
  readonly low?: number;
  readonly high?: number;
  readonly threshold: number;
  readonly verdict: Verdict;
  /** Why a metric is not comparable, or what else the reader should know. */
  readonly note?: string;
}

export interface RunSummary {
  readonly startedAt: string;
  readonly gitCommit: string;
  readonly gitDirty: boolean;
  readonly node: string;
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly loadAverage: readonly number[];
  readonly redisLatencyMs: number;
}

export interface Comparison {
  /**
   * `relative`: base and head built from git and run in interleaved pairs in one job, raw figures, a paired
   * statistic (bench/gate/relative.ts). Absent: a run against a baseline file, figures divided by the ceiling.
   */
  readonly mode?: 'relative';
  /** Relative mode: the number of pairs, and their order (`AB BA AB …`, A = base). */
  readonly pairs?: number;
  readonly order?: string;
  /** Relative mode: cells the head measured and the base did not (a design or scenario it adds); not judged. */
  readonly onlyInHead?: readonly string[];
  /**
   * False when the files cannot be compared at all; `problems` says why and `rows` is empty. In relative mode
   * `problems` also lists the runs of a pair that failed while the others could still be judged.
   */
  readonly comparable: boolean;
  readonly problems: readonly string[];
  /** Load option differences accepted on purpose (--allow-difference). */
  readonly allowed: readonly string[];
  readonly threshold: number;
  readonly latencyThreshold: number;
  readonly confidence: number;
  readonly resamples: number;
  readonly baseline: RunSummary;
  readonly current: RunSummary;
  readonly rows: readonly MetricComparison[];
  /**
   * Roughly the smallest throughput drop this pair of runs could have flagged, had the same noise come with a
   * real drop: the interval's upper edge scales with the ratio, so a drop d is flagged once (1 − d) × the
   * median of (upper edge ÷ ratio) falls below 1 − threshold. Large when the machine was noisy.
   */
  readonly detectableDrop?: number;
  /**
   * Current ÷ baseline median ceiling req/s − 1, the median over designs. Not judged (the gate compares
   * ratios), shown because a busy machine lowers the ceiling more than CPU-heavy cells: a large shift means
   * the two runs met different machine states and their ratios shifted too.
   */
  readonly ceilingShift?: number;
}
