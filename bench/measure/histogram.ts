import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/** Latency percentiles in milliseconds, read from a histogram of microseconds (three significant digits). */
export interface LatencyFigures {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
  /** Latencies recorded. */
  readonly count: number;
}

/**
 * A histogram of latencies in microseconds: 1 µs to 10 min at three significant digits (HdrHistogram), in JavaScript
 * (no WebAssembly to load). Values past the top are clamped to it rather than dropped.
 */
export function latencyHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
}

/** Records one latency given in milliseconds (float, as autocannon and performance.now() give them). */
export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

/** The percentiles of a histogram of microseconds, in milliseconds. */
export function figuresOf(h: Histogram): LatencyFigures {
  const ms = (us: number): number => us / 1000;
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
    count: h.totalCount,
  };
}

/** The histogram as compressed base64 (HdrHistogram's own encoding), small enough to keep in a result file. */
export const encodeHistogram = (h: Histogram): string => encodeIntoCompressedBase64(h);

/**
 * One histogram holding every value of the given encoded ones: the way to combine repetitions (the percentiles of
 * the merged histogram, not the median of the repetitions' percentiles, which drops the worst repetition's tail).
 */
export function mergeHistograms(encoded: readonly string[]): Histogram {
  const merged = latencyHistogram();
  for (const e of encoded) {
    const h = decodeFromCompressedBase64(e);
    merged.add(h);
    h.destroy();
  }
  return merged;
}

/** Percentiles of a set of repetitions, merged: what a cell reports. */
export interface MergedLatency {
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly p999: number; readonly max: number };
  /** The range of the per-repetition p50 and p99, beside the merged figures. */
  readonly latencySpread: { readonly p50: { readonly min: number; readonly max: number }; readonly p99: { readonly min: number; readonly max: number } };
  /** The merged histogram (µs, compressed base64). */
  readonly latencyHistogram: string;
}

/**
 * The repetitions' histograms merged: the percentiles of every response at once (the worst repetition's tail
 * included), with the per-repetition p50/p99 range. Undefined when no repetition recorded a latency.
 */
export function mergeRepetitions(reps: readonly { readonly histogram: string; readonly figures: Pick<LatencyFigures, 'p50' | 'p99'> }[]): MergedLatency | undefined {
  if (reps.length === 0) return undefined;
  const merged = mergeHistograms(reps.map((r) => r.histogram));
  const f = figuresOf(merged);
  const latencyHistogram = encodeHistogram(merged);
  merged.destroy();
  if (f.count === 0) return undefined;
  const range = (key: 'p50' | 'p99') => ({ min: Math.min(...reps.map((r) => r.figures[key])), max: Math.max(...reps.map((r) => r.figures[key])) });
  return { latencyMs: { p50: f.p50, p90: f.p90, p99: f.p99, p999: f.p999, max: f.max }, latencySpread: { p50: range('p50'), p99: range('p99') }, latencyHistogram };
}
