import autocannon from 'autocannon';
import { tallyOf, type LoadPlan, type SessionTally } from '../../scenarios/scenario.js';
import { encodeHistogram, figuresOf, latencyHistogram, recordMs, type LatencyFigures } from '../measure/histogram.js';

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationSec: number;
  /** Per-request timeout, seconds. */
  readonly timeoutSec: number;
  readonly signal?: AbortSignal | undefined;
}

/** Latency percentiles in ms (as the histogram gives them, without its count). */
export type LatencyMs = Omit<LatencyFigures, 'count'>;

/** What one autocannon run measured, as plain data. */
export interface LoadMeasurement {
  readonly durationSec: number;
  /** When the measured phase began (Unix ms, this machine's clock); absent in results from before. */
  readonly startedAtMs?: number;
  /** Requests sent and responses received. */
  readonly sent: number;
  readonly responses: number;
  readonly statusCounts: Record<string, number>;
  /** Connection errors, timeouts included (autocannon's `errors`). */
  readonly errors: number;
  readonly timeouts: number;
  /** Times a request sequence restarted because a step had nothing to send (session after a failed login). */
  readonly resets: number;
  /**
   * Percentiles of every response's latency, recorded in microseconds into an HdrHistogram (autocannon's own
   * histogram keeps whole milliseconds), in milliseconds.
   */
  readonly latencyMs: LatencyMs;
  /** That histogram (µs), HdrHistogram's compressed base64: repetitions are merged from these. Absent in results from before. */
  readonly latencyHistogram?: string;
  /**
   * Whether the latencies count the time a request waited to be sent (coordinated omission corrected): never for
   * autocannon, whose closed loop sends a request when the previous one is answered, and whose `overallRate`
   * meters in one-second bursts with a 1 ms "expected interval". Open-loop latency comes from the paced generator.
   */
  readonly latencyCorrected: false;
  readonly loadGenerator: LoadGeneratorCpu;
  /**
   * GET /me 200 answers whose body was checked against the user the token was issued to, and those that named
   * another (scenarios/scenario.ts `MeBodySample`). Absent when the plan checks no bodies, and in results from before.
   */
  readonly contentChecked?: number;
  readonly contentMismatches?: number;
  /** Session scenario: sessions started (logins answered 200), and the refreshes their clients made and had refused. */
  readonly sessions?: SessionTally;
}

export interface LoadGeneratorCpu {
  /** CPU time of this process (the load generator) per wall second: 1.0 = one core busy. */
  readonly cpuPerSec: number;
  /** True when the generator was busy enough that it, not the server, may have set the pace. */
  readonly saturated: boolean;
}

/** autocannon runs on one thread: at or above this share of a core it may be the bottleneck. */
export const LOADGEN_SATURATION = 0.9;

function statusCountsOf(result: autocannon.Result): Record<string, number> {
  const out: Record<string, number> = {};
  const stats = (result as unknown as { statusCodeStats?: Record<string, { count: number | string }> }).statusCodeStats ?? {};
  for (const [code, { count }] of Object.entries(stats)) out[code] = Number(count);
  return out;
}

/** Runs one load phase with autocannon and returns its measurements. Aborting the signal stops it early. */
export function runLoad(plan: LoadPlan, opts: LoadOptions): Promise<LoadMeasurement> {
  const cpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  const startedAtMs = Date.now();
  const histogram = latencyHistogram();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        pipelining: 1,
        timeout: opts.timeoutSec,
        duration: opts.durationSec,
        // autocannon notices its duration is over only at its next sample tick (1 s by default): a 0.5 s warm-up ran
        // 1 s, a 2.5 s phase 3 s. Ticks every 100 ms end a phase within 0.1 s of its duration (throughput is counted
        // on our own clock, so nothing else reads the samples).
        sampleInt: 100,
        ...(plan.amount === undefined ? {} : { amount: plan.amount }),
        requests: plan.requests,
      },
      (err: Error | null, result: autocannon.Result) => {
        clearTimeout(capTimer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) return reject(err);
        const cpu = process.cpuUsage(cpuBefore);
        // A fixed-amount phase is over at its last answer; autocannon itself only notices at its next
        // one-second tick, which would count idle time as measured time.
        const endedAt = plan.amount !== undefined && lastAnswer !== undefined ? lastAnswer : process.hrtime.bigint();
        const wallSec = Number(endedAt - wallBefore) / 1e9;
        const cpuPerSec = (cpu.user + cpu.system) / 1e6 / Math.max(wallSec, 1e-9);
        const lat = figuresOf(histogram);
        const latencyHistogramText = encodeHistogram(histogram);
        histogram.destroy();
        const statusCounts = statusCountsOf(result);
        resolve({
          // Our own clock: autocannon's `duration` is whole seconds, and a fixed-amount phase may end early.
          durationSec: wallSec,
          startedAtMs,
          sent: result.requests.sent,
          responses: Object.values(statusCounts).reduce((a, b) => a + b, 0),
          statusCounts,
          errors: result.errors,
          timeouts: result.timeouts,
          resets: (result as unknown as { resets?: number }).resets ?? 0,
          latencyMs: lat.count === 0 ? { p50: NaN, p90: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN } : { p50: lat.p50, p90: lat.p90, p99: lat.p99, p999: lat.p999, max: lat.max, mean: lat.mean },
          latencyHistogram: latencyHistogramText,
          latencyCorrected: false,
          loadGenerator: { cpuPerSec, saturated: cpuPerSec >= LOADGEN_SATURATION },
          ...(plan.content === undefined ? {} : { contentChecked: plan.content.checked, contentMismatches: plan.content.mismatches }),
          ...(plan.sessions === undefined ? {} : { sessions: tallyOf(plan.sessions) }),
        });
      },
    );
    // autocannon reports each response's latency as a float of milliseconds on its `response` event.
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => recordMs(histogram, responseTime));
    let lastAnswer: bigint | undefined;
    if (plan.amount !== undefined) {
      const mark = (): void => {
        lastAnswer = process.hrtime.bigint();
      };
      instance.on('response', mark);
      instance.on('reqError', mark);
    }
    // With a fixed amount autocannon ignores the duration; the duration still bounds the phase.
    const capTimer = plan.amount === undefined ? undefined : setTimeout(() => instance.stop(), opts.durationSec * 1000);
    const onAbort = (): void => instance.stop();
    if (opts.signal?.aborted) instance.stop();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
