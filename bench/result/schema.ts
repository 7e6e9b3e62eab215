import type { Cost } from '../measure/cost.js';
import type { Decomposition } from '../measure/decomposition.js';
import type { Environment } from '../run/environment.js';
import type { LatencyMs, LoadMeasurement } from '../load/autocannon.js';
import type { RunConfig } from '../run/config.js';
import type { OutageSummary } from '../measure/outage.js';
import type { FailoverSummary } from '../measure/failover.js';
import type { Spread } from '../../lib/stats.js';

/** Bumped whenever a field changes meaning or disappears; readers refuse other versions. */
export const SCHEMA_VERSION = 1;

export interface Repetition {
  /** 0-based repetition number. */
  readonly index: number;
  /** Position of this strategy in the repetition's order (orders alternate between repetitions). */
  readonly position: number;
  readonly status: 'ok' | 'errored';
  readonly error?: string;
  readonly measurement?: LoadMeasurement;
  /** Responses with the correct answer per second: the throughput figure. */
  readonly requestsPerSec?: number;
  readonly correct?: number;
  readonly wrongAnswers?: number;
  readonly revokedAccepted?: number;
  /** What each request cost the server and Redis in this repetition. */
  readonly cost?: Cost;
}

export interface CellSummary {
  /** Correct responses per second over the repetitions. */
  readonly requestsPerSec: Spread;
  /** Median over repetitions of each percentile; `max` is the largest of all. */
  readonly latencyMs: Omit<LatencyMs, 'mean'>;
  readonly statusCounts: Record<string, number>;
  /** Sum over repetitions. */
  readonly responses: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly wrongAnswers: number;
  /** Revocation scenario only: revoked tokens accepted (sum over repetitions). */
  readonly revokedAccepted?: number;
  /** Median req/s divided by the median req/s of GET /health on the same design in the same run. */
  readonly ceilingFraction?: number;
  readonly loadGenerator: { readonly cpuPerSecMedian: number; readonly saturated: boolean };
  readonly latencyCorrected: boolean;
  /** Median over repetitions of each per-request cost (the peak RSS is the largest). */
  readonly cost?: Cost;
}

export interface CellResult {
  readonly scenario: string;
  readonly strategy: string;
  /** Worker processes of the server (`serve --workers`); 1 = one process. Absent for --target (not known). */
  readonly workers?: number;
  /** `skipped`: not possible in this run (the reason is in `errors`). */
  status: 'ok' | 'errored' | 'skipped';
  /** Outage cells: the fault injected and the design's failure policy (`none` for jwt). */
  readonly fault?: string;
  readonly policy?: string;
  /** Outage cells: the figures and the timeline. */
  outage?: OutageSummary;
  /** Outage cells of the kill-master fault: the failover, as watched and as the timeline shows it. */
  failover?: FailoverSummary;
  /** Outage cells: the load that was applied. */
  load?: { rate: number; connections: number; maxPacerLagMs: number; persistence: string; phasesSec: readonly number[] };
  readonly repetitions: Repetition[];
  /** Over the repetitions that succeeded; absent when none did. */
  summary?: CellSummary;
  /** Why the cell failed, and the server's last output. */
  readonly errors: string[];
  serverOutput?: string;
}

export interface RunResult {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: 'authbench';
  readonly kind: 'run';
  readonly startedAt: string;
  finishedAt?: string;
  status: 'running' | 'complete' | 'interrupted';
  readonly environment: Environment;
  readonly config: RunConfig;
  readonly method: readonly string[];
  /**
   * GET /health req/s per design (median, min, max): the ceiling every other figure is divided by. Keyed by strategy,
   * or `strategy@workers` for a server of several workers (see ceilingKey in aggregate.ts).
   */
  ceiling: Record<string, Spread>;
  /** Where the server time of a validate request goes, per design (when validate ran). */
  decomposition?: Decomposition;
  /** The fixed rate of the outage cells and how it was chosen. */
  outageRate?: { rate: number; source: string };
  cells: CellResult[];
}
