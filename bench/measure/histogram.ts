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
