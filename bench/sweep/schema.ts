/** The shape of sweep.json (kind `sweep`, schema 2). Schema 1 (closed loop only, x = the asked delay) is not read back. */
import type { JwtAlg } from '../../servers/config.js';
import type { Spread } from '../../lib/stats.js';
import type { Environment } from '../run/environment.js';
import type { DesignRecord, RunResult } from '../result/schema.js';
import type { CrossoverEstimate, CrossoverInterval, SweepMeasure } from './crossover.js';

export const SWEEP_SCHEMA_VERSION = 2;

/** The fixed open-loop rate of a scenario, the same at every point and for every design of one algorithm. */
export interface SweepRate {
  readonly jwtAlg: JwtAlg;
  readonly scenario: string;
  readonly rps: number;
  /** How it was chosen: given, or a share of the slowest design's closed-loop req/s at the highest added latency. */
  readonly source: string;
}

/** One design on one scenario at one point. */
export interface SweepCell {
  readonly scenario: string;
  readonly strategy: string;
  readonly status: string;
  /** Closed loop (autocannon, --connections): correct answers per second, per repetition and their spread. */
  readonly closedLoop: { readonly requestsPerSec: Spread; readonly perRepetition: readonly number[]; readonly latencyMs: { readonly p50: number; readonly p99: number } } | null;
  /** Open loop at the sweep's fixed rate: latency from each request's intended send time (merged), p99 per repetition, cost per request. */
  readonly equalLoad: {
    readonly offeredRps: number;
    readonly achievedRps: Spread;
    readonly latencyMs: { readonly p50: number; readonly p99: number };
    readonly p99: Spread;
    readonly p99PerRepetition: readonly number[];
    /** Every repetition's pacer lag within bounds (see the run's method). */
    readonly valid: boolean;
    readonly wrongAnswers: number;
    readonly errors: number;
    readonly serverCpuUsPerRequest: number | null;
    readonly redisCpuUsPerRequest: number | null;
    /** The round trip through the proxy while this cell ran (merged over its repetitions), ms. */
    readonly roundTripMs: { readonly p50: number; readonly p99: number } | null;
  } | null;
}

/** The Redis round trip through the proxy, measured under load at one point. */
export interface PointRoundTrip {
  /** Merged over the equal-load repetitions of the designs that wait for Redis (all designs if none does). */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  /** The range of the per-repetition p50s. */
  readonly p50Range: { readonly min: number; readonly max: number };
  readonly repetitions: number;
}

export interface SweepPoint {
  readonly jwtAlg: JwtAlg;
  /** Asked for: added to every Redis reply by the proxy. */
  readonly addedLatencyMs: number;
  /** Measured under load (the x of the tables, charts and crossovers); null when no equal-load cell was probed. */
  readonly roundTripMs: PointRoundTrip | null;
  /** A PING through the proxy, idle, before the cells (the run's redisRoundTrip.proxiedMs); null at 0 added. */
  readonly idleRoundTripMs: { readonly p50: number; readonly p99: number } | null;
  readonly status: RunResult['status'];
  readonly resultFile: string;
  readonly cells: SweepCell[];
}

/** A design that sends no Redis command per validate: its repetitions at every point, pooled (one flat line). */
export interface SweepPooled {
  readonly jwtAlg: JwtAlg;
  readonly scenario: string;
  readonly strategy: string;
  readonly closedLoopRps: Spread & { readonly n: number };
  readonly p99Ms: Spread & { readonly n: number };
}

export interface SweepCrossover extends CrossoverEstimate {
  readonly jwtAlg: JwtAlg;
  readonly scenario: string;
  readonly measure: SweepMeasure;
  /** A design whose validate waits for Redis (its traits declare Redis commands per validate). */
  readonly redisDesign: string;
  /** A design that validates without Redis (pooled). */
  readonly localDesign: string;
  /** Bootstrap over repetitions; absent with fewer than two points. */
  readonly interval?: CrossoverInterval;
}

export interface SweepResult {
  readonly schemaVersion: typeof SWEEP_SCHEMA_VERSION;
  readonly tool: 'authbench';
  readonly kind: 'sweep';
  readonly startedAt: string;
  finishedAt?: string;
  status: 'running' | 'complete' | 'interrupted';
  environment?: Environment;
  /** The designs of the runs, with their traits (which ones wait for Redis on a validate request). */
  designs?: Record<string, DesignRecord>;
  readonly config: {
    readonly latenciesMs: readonly number[];
    readonly jwtAlgs: readonly JwtAlg[];
    /** --rate as given (a share of the slowest design at the highest added latency, or req/s). */
    readonly rate: string;
    readonly run: RunResult['config'] | undefined;
  };
  readonly method: string[];
  rates: SweepRate[];
  readonly points: SweepPoint[];
  pooled: SweepPooled[];
  crossovers: SweepCrossover[];
}
