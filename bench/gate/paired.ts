import { median } from '../../lib/stats.js';

/**
 * The paired statistic of the relative gate (`authbench ci --base <ref>`): base and head measured in pairs, one
 * right after the other, so that what shifts a whole stretch of time (another job on the machine) shifts both
 * members of a pair alike. Each pair gives one log-ratio d = ln(head / base); the shift is the Hodges–Lehmann
 * estimate of d (the median of the Walsh averages (dᵢ + dⱼ) / 2, i ≤ j) and its interval the exact
 * distribution-free Wilcoxon signed-rank interval (order statistics of the Walsh averages, Bauer 1972). Both
 * assume only that the d's are independent and symmetric around the shift; no bootstrap, no normality.
 */

/** How many of the 2ⁿ sign patterns give each signed-rank sum W⁺ = 0 … n(n+1)/2 (exact, by counting). */
export function signedRankCounts(n: number): number[] {
  const max = (n * (n + 1)) / 2;
  const counts = new Array<number>(max + 1).fill(0);
  counts[0] = 1;
  for (let rank = 1; rank <= n; rank++) {
    for (let w = max; w >= rank; w--) counts[w] = (counts[w] as number) + (counts[w - rank] as number);
  }
  return counts;
}

/**
 * The largest k with P(W⁺ ≤ k − 1) ≤ (1 − confidence) / 2, and the confidence [A₍ₖ₎, A₍ₘ₋ₖ₊₁₎] then has
 * (1 − 2·P(W⁺ ≤ k − 1), at least the one asked). Undefined when even k = 1 is too wide a tail: n too small for
 * that confidence (at 95%, fewer than 6 pairs).
 */
export function signedRankRank(n: number, confidence: number): { k: number; achieved: number } | undefined {
  if (n < 1) return undefined;
  const counts = signedRankCounts(n);
  const total = 2 ** n;
  const tail = (1 - confidence) / 2;
  let cumulative = 0;
  let best: { k: number; achieved: number } | undefined;
  for (let k = 1; k <= counts.length; k++) {
    cumulative += counts[k - 1] as number;
    const p = cumulative / total; // P(W⁺ ≤ k − 1)
    if (p > tail + 1e-12) break;
    best = { k, achieved: 1 - 2 * p };
  }
  return best;
}

/** Every (dᵢ + dⱼ) / 2 with i ≤ j, sorted. */
export function walshAverages(d: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < d.length; i++) for (let j = i; j < d.length; j++) out.push(((d[i] as number) + (d[j] as number)) / 2);
  return out.sort((a, b) => a - b);
}

/** head ÷ base as a ratio, with its interval. */
export interface PairedShift {
  /** exp(Hodges–Lehmann estimate of ln(head / base)). */
  readonly ratio: number;
  readonly low: number;
  readonly high: number;
  /** The interval's exact coverage (≥ the one asked; 96.9% with 6 pairs at 95%). */
  readonly confidence: number;
  readonly pairs: number;
}

export const MIN_PAIRS_AT_95 = 6;

/**
 * The shift of head against base over paired measurements (`base[i]` with `head[i]`), as a ratio. Undefined when
 * a value is not positive (no log ratio) or there are too few pairs for the confidence. Pure.
 */
export function pairedShift(base: readonly number[], head: readonly number[], confidence = 0.95): PairedShift | undefined {
  if (base.length !== head.length) throw new Error(`pairedShift: ${base.length} base values and ${head.length} head values`);
  if (base.some((v) => !(v > 0)) || head.some((v) => !(v > 0))) return undefined;
  const d = base.map((b, i) => Math.log((head[i] as number) / b));
  const rank = signedRankRank(d.length, confidence);
  if (rank === undefined) return undefined;
  const walsh = walshAverages(d);
  return {
    ratio: Math.exp(median(walsh)),
    low: Math.exp(walsh[rank.k - 1] as number),
    high: Math.exp(walsh[walsh.length - rank.k] as number),
    confidence: rank.achieved,
    pairs: d.length,
  };
}
