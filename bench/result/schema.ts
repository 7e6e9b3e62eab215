import type { Cost } from '../measure/cost.js';
import type { Decomposition } from '../measure/decomposition.js';
import type { LatencyFigures, MergedLatency } from '../measure/histogram.js';
import type { Limits, LimitsSummary } from '../measure/limits.js';
import type { RedisRoundTrip } from '../measure/round-trip.js';
import type { Environment } from '../run/environment.js';
import type { LatencyMs, LoadMeasurement } from '../load/autocannon.js';
import type { RunConfig } from '../run/config.js';
import type { OutageSummary } from '../measure/outage.js';
import type { LogoutProbe, PropagationSummary } from '../measure/propagation.js';
import type { FailoverSummary } from '../measure/failover.js';
import type { Spread } from '../../lib/stats.js';
import type { DesignTraits, OutagePolicy } from '../../servers/design.js';
import type { SessionTally } from '../../scenarios/scenario.js';

/**
 * Bumped whenever a field changes meaning or disappears. 2: cells are tagged by `kind` (load, ceiling, outage) and
 * outage cells carry no repetitions; `designs` records each design's traits. bench/result/read.ts reads 1 and 2
 * (a version 1 file is upgraded as it is read) and refuses any other.
 */
export const SCHEMA_VERSION = 2;

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
  /**
   * Refusals the server counted in the measured phase, by reason (GET /metrics `rejected`, read before and after).
   * Absent when it was not read (several workers: /metrics answers for one) and in results from before.
   */
  readonly refusalsByReason?: Record<string, number>;
  /** What each request cost the server and Redis in this repetition. */
  readonly cost?: Cost;
  /** CPU per second of the server, Redis and the generator, the machine's idle share, and what limited the window. Absent in results from before. */
  readonly limits?: Limits;
}

export interface CellSummary {
  /** Correct responses per second over the repetitions. */
  readonly requestsPerSec: Spread;
  /**
   * Percentiles of the repetitions' merged latency histograms (µs resolution); results from before the histograms:
   * the median over repetitions of each percentile. `max` is the largest of all.
   */
  readonly latencyMs: Omit<LatencyMs, 'mean'>;
  /** The range of the per-repetition p50 and p99, beside the merged figures. */
  readonly latencySpread?: { readonly p50: { readonly min: number; readonly max: number }; readonly p99: { readonly min: number; readonly max: number } };
  /** The merged histogram of the repetitions (µs, HdrHistogram compressed base64), for reports and the gate to merge further. */
  readonly latencyHistogram?: string;
  readonly statusCounts: Record<string, number>;
  /** Sum over repetitions. */
  readonly responses: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly wrongAnswers: number;
  /** Revocation scenario only: revoked tokens accepted (sum over repetitions). */
  readonly revokedAccepted?: number;
  /**
   * GET /me 200 bodies checked against the token's user, and those naming another (counted in wrongAnswers where a
   * 200 is a correct answer), summed over repetitions. Absent for scenarios that check no bodies and in older results.
   */
  readonly contentChecked?: number;
  readonly contentMismatches?: number;
  /**
   * Session scenario: sessions started and the refreshes their clients made (a design with refresh tokens), summed
   * over repetitions. Absent for other scenarios and in older results.
   */
  readonly sessions?: SessionTally;
  /** Refusals the server counted by reason, summed over the repetitions where /metrics was read. */
  readonly refusalsByReason?: Record<string, number>;
  /** Median req/s divided by the median req/s of GET /health on the same design in the same run. */
  readonly ceilingFraction?: number;
  readonly loadGenerator: { readonly cpuPerSecMedian: number; readonly saturated: boolean };
  readonly latencyCorrected: boolean;
  /** Median over repetitions of each per-request cost (the peak RSS is the largest). */
  readonly cost?: Cost;
  /** Median of each limits figure over the repetitions and the label most of them got (ties: the worst). Absent in results from before. */
  readonly limits?: LimitsSummary;
}

/** What identifies a cell across runs: scenario × design × worker count. */
export interface CellIdentity {
  readonly scenario: string;
  readonly strategy: string;
  /** Worker processes of the server (`serve --workers`); 1 = one process. Absent for --target (not known). */
  readonly workers?: number | undefined;
  /**
   * The JWT library of a design that verifies JWTs, when the run measured several (`run --jwt-impl a,b`); absent
   * otherwise: the one library of the run is `config.jwtImpls[0]`.
   */
  readonly jwtImpl?: string | undefined;
}

interface CellBase extends CellIdentity {
  /** `skipped`: not possible in this run (the reason is in `errors`). */
  status: 'ok' | 'errored' | 'skipped';
  /** Why the cell failed, and the server's last output. */
  readonly errors: string[];
  serverOutput?: string;
}

/**
 * A throughput cell: repetitions of a closed- (or open-) loop load on one scenario. `ceiling` is the calibration
 * cell (GET /health) every other figure of the same server is divided by.
 */
export interface LoadCell extends CellBase {
  readonly kind: 'load' | 'ceiling';
  readonly repetitions: Repetition[];
  /** Over the repetitions that succeeded; absent when none did. */
  summary?: CellSummary;
}

/** An outage cell: one open-loop load through one Redis fault, for one design and failure policy. */
export interface OutageCell extends CellBase {
  readonly kind: 'outage';
  readonly fault: string;
  readonly policy: OutagePolicy;
  /** The figures and the timeline. */
  outage?: OutageSummary;
  /** Cells of the kill-master fault: the failover, as watched and as the timeline shows it. */
  failover?: FailoverSummary;
  /** The load that was applied. */
  load?: { rate: number; connections: number; maxPacerLagMs: number; pacerLagP99Ms?: number; persistence: string; phasesSec: readonly number[] };
}

/**
 * A propagation cell: `instances` server processes of one design sharing key and Redis, a token logged out on the
 * first and polled on the others after each of the cell's logouts (bench/run/propagation-cells.ts).
 */
export interface PropagationCell {
  readonly scenario: string;
  readonly strategy: string;
  readonly instances: number;
  /** The paced GET /me load the polled instances served meanwhile, req/s (0: idle), and what it got. */
  readonly loadRps: number;
  load?: { achievedRps: number; statusCounts: Record<string, number>; errors: number };
  status: 'ok' | 'errored' | 'skipped';
  readonly errors: string[];
  /** Over the logouts; absent when the cell failed before any. */
  summary?: PropagationSummary;
  /** Every logout as probed, in order. */
  logouts?: LogoutProbe[];
}

/**
 * The one open-loop rate of a result from before the equal-load cells (`--rate N` drove every cell through
 * autocannon's overallRate); undefined for closed loop and for every newer result.
 */
export const legacyRateOf = (config: RunConfig): number | undefined => (config as unknown as { rate?: number }).rate ?? undefined;

/** A cell of a run, told apart by `kind`. */
export type CellResult = LoadCell | OutageCell;

/** What a run knew about each design it measured: readers take traits from here, never from their own registry. */
export interface DesignRecord {
  readonly summary: string;
  readonly traits: DesignTraits;
}

export const isLoadCell = (cell: CellResult): cell is LoadCell => cell.kind !== 'outage';
export const isOutageCell = (cell: CellResult): cell is OutageCell => cell.kind === 'outage';
/** The throughput cells of a run, the ceiling cells among them. */
export const loadCellsOf = (result: Pick<RunResult, 'cells'>): LoadCell[] => result.cells.filter(isLoadCell);
/** The throughput cells that measure a scenario (every load cell but the ceiling). */
export const measuredCellsOf = (result: Pick<RunResult, 'cells'>): LoadCell[] => loadCellsOf(result).filter((c) => c.kind === 'load');
export const ceilingCellsOf = (result: Pick<RunResult, 'cells'>): LoadCell[] => loadCellsOf(result).filter((c) => c.kind === 'ceiling');
export const outageCellsOf = (result: Pick<RunResult, 'cells'>): OutageCell[] => result.cells.filter(isOutageCell);

/** The server a cell ran on, as tables name it: `jwt`, `jwt (jose)`, `jwt ×2 workers`. */
export const unitLabel = (cell: Pick<CellIdentity, 'strategy' | 'workers' | 'jwtImpl'>): string =>
  `${cell.strategy}${cell.jwtImpl === undefined ? '' : ` (${cell.jwtImpl})`}${cell.workers === undefined || cell.workers === 1 ? '' : ` ×${cell.workers} workers`}`;

/** The one spelling of a cell's identity (maps, comparisons, notes): `validate × jwt`, `validate × jwt (jose) ×2 workers`. */
export const cellKey = (cell: CellIdentity): string => `${cell.scenario} × ${unitLabel(cell)}`;

/**
 * The key of a cell's ceiling in `RunResult.ceiling`: the design, for a one-process server (as it always was);
 * `design@workers` for a server of several workers, whose framework ceiling is its own; `design/impl` when the run
 * measured several JWT libraries (each server process has its own ceiling).
 */
export const ceilingKey = (cell: Pick<CellIdentity, 'strategy' | 'workers' | 'jwtImpl'>): string =>
  `${cell.strategy}${cell.jwtImpl === undefined ? '' : `/${cell.jwtImpl}`}${cell.workers === undefined || cell.workers === 1 ? '' : `@${cell.workers}`}`;

/** The cell of `scenario` × `strategy` (one process, or the first worker count). */
export function cellOf(result: Pick<RunResult, 'cells'>, scenario: string, strategy: string): CellResult | undefined {
  return result.cells.find((c) => c.scenario === scenario && c.strategy === strategy);
}

/** The load cell of `scenario` × `strategy`, if it is one. */
export function loadCellOf(result: Pick<RunResult, 'cells'>, scenario: string, strategy: string): LoadCell | undefined {
  const cell = cellOf(result, scenario, strategy);
  return cell !== undefined && isLoadCell(cell) ? cell : undefined;
}

/** One repetition of an equal-load cell: the paced open-loop load of one design at one offered rate. */
export interface EqualLoadRepetition {
  readonly index: number;
  /** Place of the design in this repetition's order. */
  readonly position: number;
  readonly status: 'ok' | 'errored';
  readonly error?: string;
  /** Requests sent in the measured part, and its scheduled length. */
  readonly sent?: number;
  readonly durationSec?: number;
  /** Correct answers per second. */
  readonly achievedRps?: number;
  readonly statusCounts?: Record<string, number>;
  /** Requests that ended without a response, and the timeouts among them. */
  readonly errors?: number;
  readonly timeouts?: number;
  /** Wrong statuses, and sampled 200 bodies that named another user than the token's. */
  readonly wrongAnswers?: number;
  readonly contentChecked?: number;
  readonly contentMismatches?: number;
  /** Paced sessions: sessions measured and their refreshes. */
  readonly sessions?: SessionTally;
  /** From each request's intended send time (coordinated omission corrected), ms; and its histogram (µs). */
  readonly latencyMs?: LatencyFigures;
  readonly latencyHistogram?: string;
  /** From each request's actual write, ms; and its histogram (µs). */
  readonly uncorrectedMs?: LatencyFigures;
  readonly uncorrectedHistogram?: string;
  /** How late the generator sent its requests, ms. */
  readonly pacerLagMs?: LatencyFigures;
  /** Share of the generator's HTTP thread spent working. */
  readonly generatorBusy?: number;
  /**
   * With the latency proxy: a PING's round trip through it while the load ran (a probe on the runner's thread),
   * ms; and its histogram (µs).
   */
  readonly redisRoundTripMs?: LatencyFigures;
  readonly redisRoundTripHistogram?: string;
  /** The pacer's lag p99 within max(200 µs, 10% of the p99): the latency is the server's, not the generator's. */
  readonly valid?: boolean;
  readonly cost?: Cost;
  /** What limited the load: below capacity when the rate was answered (see bench/measure/limits.ts). */
  readonly limits?: Limits;
}

/** Over the repetitions that succeeded. */
export interface EqualLoadSummary extends MergedLatency {
  readonly achievedRps: Spread;
  /** The uncorrected latency, merged the same way: what a tool without the correction would report. */
  readonly uncorrectedMs: { readonly p50: number; readonly p99: number };
  /** The worst repetition's pacer lag p99, ms. */
  readonly pacerLagP99Ms: number;
  /** Every repetition valid (see EqualLoadRepetition.valid). */
  readonly valid: boolean;
  readonly statusCounts: Record<string, number>;
  readonly errors: number;
  readonly timeouts: number;
  readonly wrongAnswers: number;
  readonly contentChecked: number;
  readonly contentMismatches: number;
  /** Paced sessions: sessions measured and their refreshes, summed over the repetitions. */
  readonly sessions?: SessionTally;
  readonly cost?: Cost;
  readonly limits?: LimitsSummary;
  /** The round trip through the proxy under this load, over the repetitions (merged histograms), if probed. */
  readonly redisRoundTrip?: MergedLatency;
}

/** A design at one offered rate of the equal-load cells. */
export interface EqualLoadCell extends CellIdentity {
  readonly kind: 'equal-load';
  /** As asked: `25%` (of the slowest design's closed-loop throughput) or `2,000 req/s`. */
  readonly rateLabel: string;
  readonly offeredRps: number;
  status: 'ok' | 'errored' | 'skipped';
  readonly errors: string[];
  serverOutput?: string;
  readonly repetitions: EqualLoadRepetition[];
  summary?: EqualLoadSummary;
}

/** The equal-load part of a run: every design at the same offered open-loop rates. */
export interface EqualLoadResult {
  readonly scenario: string;
  /** The slowest design's closed-loop median req/s in this run, the base of the shares; undefined if not measured. */
  readonly slowestRps?: number;
  readonly slowest?: string;
  /** Why a rate asked as a share could not be resolved, or why the part did not run. */
  readonly notes: string[];
  readonly cells: EqualLoadCell[];
}

export interface RunResult {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  /** Set by the reader when the file had an older schema version and was upgraded as it was read. */
  readonly upgradedFrom?: number;
  readonly tool: 'authbench';
  readonly kind: 'run';
  readonly startedAt: string;
  finishedAt?: string;
  status: 'running' | 'complete' | 'interrupted';
  readonly environment: Environment;
  readonly config: RunConfig;
  /** Every design of the run (`config.strategies`), with its traits. */
  readonly designs: Record<string, DesignRecord>;
  readonly method: readonly string[];
  /**
   * GET /health req/s per design (median, min, max): the ceiling every other figure is divided by. Keyed by strategy,
   * or `strategy@workers` for a server of several workers (see ceilingKey).
   */
  ceiling: Record<string, Spread>;
  /** Where the server time of a validate request goes, per design (when validate ran). */
  decomposition?: Decomposition;
  /** Latency at equal offered load (open loop, paced): absent in results from before, and with `--rate none`. */
  equalLoad?: EqualLoadResult;
  /** Further equal-load parts, when the run was asked for several (a sweep: session after validate); reports show `equalLoad`. */
  equalLoadMore?: EqualLoadResult[];
  /** With --redis-latency: the round trip measured through the proxy and to Redis directly, beside the delay asked. */
  readonly redisRoundTrip?: RedisRoundTrip;
  /** The fixed rate of the outage cells and how it was chosen. */
  outageRate?: { rate: number; source: string };
  /** How fast a logout reaches the other instances, per design (`--scenarios propagation`). */
  propagation?: PropagationCell[];
  /** Set when the load cells were not generated by authbench but imported (`authbench import artillery`). */
  readonly importedFrom?: 'artillery';
  /** With importedFrom: the arrival rates the imported scripts were exported at (req/s), when the reports say. */
  readonly importedRps?: readonly number[];
  cells: CellResult[];
}

/**
 * How the scenario cells' load was generated, as their titles say: authbench's closed loop (autocannon), or
 * Artillery's open arrivals for an imported run, whose latency is timed from each request's write.
 */
export const scenarioLoadModel = (result: RunResult): string =>
  result.importedFrom === 'artillery' ? 'open arrivals (imported from Artillery), latency from the write' : 'throughput, closed loop';
