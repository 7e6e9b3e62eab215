import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { median, percentile } from '../../lib/stats.js';
import { BOOTSTRAP_DEFAULTS, resampledMedian, seedOf, type BootstrapOptions } from '../gate/bootstrap.js';

/** The scenarios a sweep measures at every point: a validate request, and a whole session. */
export const SWEEP_SCENARIOS = ['validate', 'session'] as const;

/** What a crossover compares: closed-loop throughput (higher is better) or the p99 at the fixed open-loop rate (lower is better). */
export type SweepMeasure = 'throughput' | 'p99';
export const SWEEP_MEASURES: readonly SweepMeasure[] = ['throughput', 'p99'];
const higherIsBetter = (m: SweepMeasure): boolean => m === 'throughput';

/** A Redis design at one point: the round trip measured there (ms, the x) and its value in each repetition. */
export interface SeriesPoint {
  readonly x: number;
  readonly values: readonly number[];
}

export type CrossoverVerdict = 'crosses' | 'local design ahead throughout' | 'none in range' | 'not enough points';

/** Where the line of the local design (flat: Redis latency cannot move it) meets a Redis design's, as x grows. */
export interface CrossoverEstimate {
  readonly verdict: CrossoverVerdict;
  /** The measured round trip (ms) where the local design draws level, interpolated; null unless it crosses. */
  readonly atMs: number | null;
}

/** An end of an interval: a round trip (ms), or beyond the measured range on that side. */
export type Bound = number | 'below range' | 'beyond range';

/** The bootstrap's percentile interval of the crossover, and how often each verdict came out. */
export interface CrossoverInterval {
  readonly low: Bound;
  readonly high: Bound;
  readonly confidence: number;
  readonly resamples: number;
  /** Share of resamples per verdict (a resample never has too few points when the data has enough). */
  readonly shares: { readonly crosses: number; readonly localAheadThroughout: number; readonly noneInRange: number };
}

/**
 * The crossover of one series of medians against the local design's level. Pure.
 * a(x) = how far the Redis design is ahead (req/s above, or ms of p99 below, the local design) at each point, in
 * order of x; the first pair with a > 0 then a ≤ 0 is interpolated linearly. Local ahead at the first point: "local
 * design ahead throughout" (from the lowest round trip measured); the Redis design ahead at every point: "none in
 * range". Fewer than two points: "not enough points".
 */
export function crossoverOf(redis: readonly { readonly x: number; readonly value: number }[], local: number, measure: SweepMeasure): CrossoverEstimate {
  const sign = higherIsBetter(measure) ? 1 : -1;
  const a = redis
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.value))
    .map((p) => ({ x: p.x, a: sign * (p.value - local) }))
    .sort((p, q) => p.x - q.x);
  if (a.length < 2 || !Number.isFinite(local)) return { verdict: 'not enough points', atMs: null };
  if ((a[0] as { a: number }).a <= 0) return { verdict: 'local design ahead throughout', atMs: null };
  for (let i = 0; i + 1 < a.length; i++) {
    const p = a[i] as { x: number; a: number };
    const q = a[i + 1] as { x: number; a: number };
    if (p.a > 0 && q.a <= 0) return { verdict: 'crosses', atMs: p.x + (p.a * (q.x - p.x)) / (p.a - q.a) };
  }
  return { verdict: 'none in range', atMs: null };
}

/** The point estimate from the medians: each point's repetitions, and the local design's pooled values. Pure. */
export function crossoverOfMedians(redis: readonly SeriesPoint[], local: readonly number[], measure: SweepMeasure): CrossoverEstimate {
  const points = redis.filter((p) => p.values.length > 0);
  return crossoverOf(points.map((p) => ({ x: p.x, value: median(p.values) })), local.length === 0 ? NaN : median(local), measure);
}

/**
 * A percentile bootstrap of the crossover over repetitions: each resample draws, with replacement, each point's
 * repetitions of the Redis design and the local design's pooled values, takes their medians and finds the crossover
 * (crossoverOf); the interval is the central `confidence` share of those crossovers, a resample where the local design
 * is ahead throughout counting as below the range and one where it never catches up as beyond it. The x of each
 * point is held at its measured round trip. Deterministic (seeded, pure-rand). Undefined with too few points. Pure.
 */
export function crossoverInterval(redis: readonly SeriesPoint[], local: readonly number[], measure: SweepMeasure, options: BootstrapOptions = {}): CrossoverInterval | undefined {
  const { resamples, confidence, seed } = { ...BOOTSTRAP_DEFAULTS, ...options };
  const points = redis.filter((p) => p.values.length > 0 && Number.isFinite(p.x));
  if (points.length < 2 || local.length === 0) return undefined;
  const rng = xoroshiro128plus(seedOf(seed));
  const scratch = points.map((p) => new Array<number>(p.values.length));
  const localScratch = new Array<number>(local.length);
  const at: number[] = [];
  let ahead = 0;
  let none = 0;
  for (let i = 0; i < resamples; i++) {
    const level = resampledMedian(local, rng, localScratch);
    const c = crossoverOf(points.map((p, k) => ({ x: p.x, value: resampledMedian(p.values, rng, scratch[k] as number[]) })), level, measure);
    if (c.verdict === 'crosses') at.push(c.atMs as number);
    else if (c.verdict === 'local design ahead throughout') {
      ahead++;
      at.push(-Infinity);
    } else {
      none++;
      at.push(Infinity);
    }
  }
  const tail = ((1 - confidence) / 2) * 100;
  const bound = (v: number | null): Bound => (v === null || v === Infinity ? 'beyond range' : v === -Infinity ? 'below range' : v);
  return {
    low: bound(percentile(at, tail)),
    high: bound(percentile(at, 100 - tail)),
    confidence,
    resamples,
    shares: { crosses: (resamples - ahead - none) / resamples, localAheadThroughout: ahead / resamples, noneInRange: none / resamples },
  };
}
