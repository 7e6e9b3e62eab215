import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { median, quantileSorted } from '../../lib/stats.js';

/** A ratio current / baseline with its bootstrap confidence interval. */
export interface RatioInterval {
  /** median(current) / median(baseline). */
  readonly ratio: number;
  readonly low: number;
  readonly high: number;
  /** Share of the distribution inside [low, high], e.g. 0.95. */
  readonly confidence: number;
  readonly resamples: number;
}

export interface BootstrapOptions {
  readonly resamples?: number;
  readonly confidence?: number;
  /** Any string: the same seed and data give the same interval, on every machine. */
  readonly seed?: string;
}

export const BOOTSTRAP_DEFAULTS = { resamples: 5000, confidence: 0.95, seed: 'authbench' } as const;

/** 32-bit FNV-1a: turns a seed string (the cell's name) into a PRNG seed, so each cell has its own stream. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** The median of one resample with replacement of `values` (`scratch`: an array as long as `values`, reused). */
export function resampledMedian(values: readonly number[], rng: RandomGenerator, scratch: number[]): number {
  for (let i = 0; i < values.length; i++) scratch[i] = values[uniformInt(rng, 0, values.length - 1)] as number;
  return median(scratch);
}

/**
 * Percentile bootstrap interval of median(current) / median(baseline): each side is resampled with
 * replacement on its own (the two runs are independent), the ratio of the two resampled medians is taken
 * `resamples` times, and the interval is the central `confidence` share of those ratios. Deterministic: the
 * PRNG (pure-rand's xoroshiro128+) is seeded from `seed`. Undefined when either side is empty or the baseline
 * median is not positive.
 */
export function bootstrapRatioOfMedians(baseline: readonly number[], current: readonly number[], options: BootstrapOptions = {}): RatioInterval | undefined {
  const { resamples, confidence, seed } = { ...BOOTSTRAP_DEFAULTS, ...options };
  if (baseline.length === 0 || current.length === 0) return undefined;
  const base = median(baseline);
  if (!(base > 0) || !Number.isFinite(median(current))) return undefined;
  const rng = xoroshiro128plus(seedOf(seed));
  const b: number[] = new Array<number>(baseline.length);
  const c: number[] = new Array<number>(current.length);
  const ratios: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const mb = resampledMedian(baseline, rng, b);
    const mc = resampledMedian(current, rng, c);
    // A resampled baseline median of 0 (possible only with zeros in the data) has no ratio: count it as +∞.
    ratios.push(mb > 0 ? mc / mb : Infinity);
  }
  ratios.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  return { ratio: median(current) / base, low: quantileSorted(ratios, tail), high: quantileSorted(ratios, 1 - tail), confidence, resamples };
}
