/**
 * Figures of one outage run, computed from the raw events (pure functions: no I/O, no clocks).
 *
 * Every time is in ms since the load started. An event is placed in time by `t`, the moment it ended
 * (response arrived, or error/timeout raised), never by when the request was sent.
 */
import { percentile } from '../../lib/stats.js';
import type { HealthSample, OutageInput, OutageWindow, ResponseEvent } from './outage-events.js';

export type Phase = 'before' | 'during' | 'after';

export interface PhaseCounts {
  readonly before: number;
  readonly during: number;
  readonly after: number;
}

export interface TimelineBucket {
  readonly startMs: number;
  /** Exclusive; the last bucket also holds the events at t >= endMs. */
  readonly endMs: number;
  /** 'during' when the bucket overlaps [faultStartMs, faultEndMs); otherwise 'before' or 'after' it. */
  readonly phase: Phase;
  /** Responses with status 200..299. */
  readonly ok2xx: number;
  /**
   * The 2xx among them that answered a token revoked before the fault: a revoked token accepted. Absent in results
   * from before it was counted.
   */
  readonly revoked2xx?: number;
  readonly unauthorized401: number;
  readonly unavailable503: number;
  /** Responses with any other status (including 5xx other than 503). */
  readonly other: number;
  /** Requests ended without a response, timeouts included. */
  readonly errors: number;
  /** The errors that were client timeouts. */
  readonly timeouts: number;
  /** Nearest-rank percentiles of the latencies of the responses in the bucket; null when it has none. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** Health fields: the value of the last sample in the bucket that has it; absent when none has. */
  readonly inFlight?: number;
  readonly rssBytes?: number;
  readonly eventLoopDelayP99Ms?: number;
  readonly eventLoopDelayMaxMs?: number;
}

export interface OutageSummary {
  readonly fault: string;
  readonly strategy: string;
  readonly policy: 'closed' | 'open' | 'none';
  /** See `analyseOutage` for the exact definition of each figure. */
  readonly availability: number | null;
  readonly timeToDetectMs: number | null;
  readonly timeToRecoverMs: number | null;
  readonly timeToSustainedMs: number | null;
  readonly worstLatencyMs: number | null;
  readonly hungRequests: number;
  readonly lostRequests: number;
  readonly unknownOutcome: number;
  readonly revokedAccepted: PhaseCounts;
  /** Copied from the input: when false (jwt) revoked tokens are accepted by design, not because of the fault. */
  readonly expectRevokedRefused: boolean;
  readonly validRefused: PhaseCounts;
  readonly sessionsLost: number;
  readonly uncheckedServed: number;
  readonly timeline: TimelineBucket[];
}

export const DEFAULT_HUNG_THRESHOLD_MS = 1000;
export const MAX_BUCKET_MS = 250;

/**
 * Throws a RangeError unless 0 < bucketMs <= 250, 0 <= faultStartMs <= faultEndMs <= endMs, endMs > 0,
 * and hungThresholdMs (when given) > 0. A window with faultStartMs === faultEndMs is a run without a fault.
 */
export function validateInput(input: OutageInput): void {
  const { bucketMs, window: w, hungThresholdMs } = input;
  if (!Number.isFinite(bucketMs) || bucketMs <= 0 || bucketMs > MAX_BUCKET_MS) {
    throw new RangeError(`bucketMs must be a number > 0 and <= ${MAX_BUCKET_MS}, got ${bucketMs}`);
  }
  const times = [w.faultStartMs, w.faultEndMs, w.endMs];
  if (!times.every(Number.isFinite) || !(w.endMs > 0 && w.faultStartMs >= 0 && w.faultStartMs <= w.faultEndMs && w.faultEndMs <= w.endMs)) {
    throw new RangeError(
      `window must satisfy 0 <= faultStartMs <= faultEndMs <= endMs and endMs > 0, got faultStartMs=${w.faultStartMs} faultEndMs=${w.faultEndMs} endMs=${w.endMs}`,
    );
  }
  if (hungThresholdMs !== undefined && !(Number.isFinite(hungThresholdMs) && hungThresholdMs > 0)) {
    throw new RangeError(`hungThresholdMs must be a number > 0, got ${hungThresholdMs}`);
  }
}

/** before: t < faultStartMs; during: faultStartMs <= t < faultEndMs; after: t >= faultEndMs. */
export function phaseOf(t: number, w: OutageWindow): Phase {
  if (t < w.faultStartMs) return 'before';
  return t < w.faultEndMs ? 'during' : 'after';
}

/** Index of the bucket holding time t: floor(t / bucketMs), clamped to [0, bucketCount - 1]. */
export function bucketIndex(t: number, bucketMs: number, endMs: number): number {
  const last = Math.ceil(endMs / bucketMs) - 1;
  return Math.min(last, Math.max(0, Math.floor(t / bucketMs)));
}

const is2xx = (status: number): boolean => status >= 200 && status < 300;
const inWindow = (t: number, w: OutageWindow): boolean => phaseOf(t, w) === 'during';

function bucketPhase(startMs: number, endMs: number, w: OutageWindow): Phase {
  if (startMs < w.faultEndMs && endMs > w.faultStartMs) return 'during';
  return endMs <= w.faultStartMs ? 'before' : 'after';
}

type HealthField = 'inFlight' | 'rssBytes' | 'eventLoopDelayP99Ms' | 'eventLoopDelayMaxMs';
const HEALTH_FIELDS: readonly HealthField[] = ['inFlight', 'rssBytes', 'eventLoopDelayP99Ms', 'eventLoopDelayMaxMs'];

/** Latest sample (largest t, later in the list on a tie) of each bucket that has each health field. */
function healthByBucket(samples: readonly HealthSample[], bucketMs: number, endMs: number, count: number): Partial<Record<HealthField, number>>[] {
  const out = Array.from({ length: count }, (): Partial<Record<HealthField, number>> => ({}));
  const seenT = Array.from({ length: count }, (): Partial<Record<HealthField, number>> => ({}));
  for (const s of samples) {
    const i = bucketIndex(s.t, bucketMs, endMs);
    for (const f of HEALTH_FIELDS) {
      const v = s[f];
      const prevT = seenT[i]?.[f];
      if (v === undefined || (prevT !== undefined && s.t < prevT)) continue;
      (out[i] as Partial<Record<HealthField, number>>)[f] = v;
      (seenT[i] as Partial<Record<HealthField, number>>)[f] = s.t;
    }
  }
  return out;
}

/**
 * The run cut into buckets of bucketMs covering [0, endMs) (the last one may be shorter; it also holds the
 * events at t >= endMs, and t < 0 goes into the first). An event exactly on a boundary belongs to the bucket
 * that starts there.
 */
export function buildTimeline(input: OutageInput): TimelineBucket[] {
  validateInput(input);
  const { bucketMs, window: w } = input;
  const count = Math.ceil(w.endMs / bucketMs);
  const acc = Array.from({ length: count }, () => ({ ok2xx: 0, revoked2xx: 0, unauthorized401: 0, unavailable503: 0, other: 0, errors: 0, timeouts: 0, latencies: [] as number[] }));
  for (const r of input.responses) {
    const b = acc[bucketIndex(r.t, bucketMs, w.endMs)];
    if (b === undefined) continue;
    if (is2xx(r.status)) {
      b.ok2xx++;
      if (r.kind === 'revoked') b.revoked2xx++;
    } else if (r.status === 401) b.unauthorized401++;
    else if (r.status === 503) b.unavailable503++;
    else b.other++;
    b.latencies.push(r.latencyMs);
  }
  for (const e of input.errors) {
    const b = acc[bucketIndex(e.t, bucketMs, w.endMs)];
    if (b === undefined) continue;
    b.errors++;
    if (e.timeout) b.timeouts++;
  }
  const health = healthByBucket(input.health, bucketMs, w.endMs, count);
  return acc.map(({ latencies, ...counts }, i) => {
    const startMs = i * bucketMs;
    const endMs = Math.min(w.endMs, (i + 1) * bucketMs);
    return { startMs, endMs, phase: bucketPhase(startMs, endMs, w), ...counts, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), ...health[i] };
  });
}

function earliest(responses: readonly ResponseEvent[], match: (r: ResponseEvent) => boolean): number | null {
  let best: number | null = null;
  for (const r of responses) if (match(r) && (best === null || r.t < best)) best = r.t;
  return best;
}

function countByPhase(responses: readonly ResponseEvent[], w: OutageWindow, match: (r: ResponseEvent) => boolean): PhaseCounts {
  const counts = { before: 0, during: 0, after: 0 };
  for (const r of responses) if (match(r)) counts[phaseOf(r.t, w)]++;
  return counts;
}

/**
 * The figures of one outage run. "In the fault window" means faultStartMs <= t < faultEndMs; T is
 * hungThresholdMs (default 1000).
 *
 * - availability: among the responses and errors with t in the fault window, the fraction that are responses
 *   with status < 500 (a 401 is an answer, so it counts as available). null when nothing ended in the window.
 * - timeToDetectMs: t - faultStartMs of the earliest 503 with t >= faultStartMs (no upper bound: a 503 after
 *   the fault ended still counts) and latencyMs <= T. null when there is none: a design that never answers
 *   503 (jwt, fail-open) or only answers it slowly (hung) never detects.
 * - timeToRecoverMs: 0 when nothing failed from the fault start on (no response with status >= 500 or
 *   latencyMs > T and no error, with t >= faultStartMs): nothing to recover from. Otherwise t - faultEndMs of the
 *   earliest 2xx for a 'valid' token with t >= faultEndMs, whatever its latency; null when there is none.
 * - timeToSustainedMs: the first bucket B ending after faultEndMs such that B and every later bucket are healthy
 *   (at least one response, no status >= 500, no errors): max(0, B.startMs - faultEndMs). An empty bucket is
 *   not healthy (a server that answers nothing has not recovered). null when the last bucket is not healthy
 *   or no bucket ends after faultEndMs.
 * - worstLatencyMs: the largest latencyMs of the responses with t in the fault window; null when none.
 * - hungRequests: over the whole run, responses with latencyMs > T plus errors that are timeouts.
 * - lostRequests: max(0, sent - responses - errors): sent, but neither answered nor errored before the data ended.
 * - unknownOutcome: errors that are timeouts (the client cannot know whether the server acted on them).
 * - revokedAccepted: 2xx responses for 'revoked' tokens, by phase of t.
 * - validRefused: 401 responses for 'valid' tokens, by phase of t.
 * - sessionsLost: the number of distinct 'valid' tokens that got a 401 with t >= faultEndMs.
 * - uncheckedServed: copied from the input (the server's count of requests served without Redis).
 */
export function analyseOutage(input: OutageInput): OutageSummary {
  const timeline = buildTimeline(input);
  const { window: w, responses, errors } = input;
  const hungMs = input.hungThresholdMs ?? DEFAULT_HUNG_THRESHOLD_MS;

  const windowResponses = responses.filter((r) => inWindow(r.t, w));
  const windowTotal = windowResponses.length + errors.filter((e) => inWindow(e.t, w)).length;
  const availability = windowTotal === 0 ? null : windowResponses.filter((r) => r.status < 500).length / windowTotal;

  const detectedAt = earliest(responses, (r) => r.status === 503 && r.t >= w.faultStartMs && r.latencyMs <= hungMs);
  const servedAt = earliest(responses, (r) => r.kind === 'valid' && is2xx(r.status) && r.t >= w.faultEndMs);
  const failedSinceFault =
    responses.some((r) => r.t >= w.faultStartMs && (r.status >= 500 || r.latencyMs > hungMs)) || errors.some((e) => e.t >= w.faultStartMs);
  const timeToRecoverMs = !failedSinceFault ? 0 : servedAt === null ? null : servedAt - w.faultEndMs;

  const unhealthy = timeline.map((b) => b.ok2xx + b.unauthorized401 + b.unavailable503 + b.other === 0 || b.errors > 0);
  for (const r of responses) if (r.status >= 500) unhealthy[bucketIndex(r.t, input.bucketMs, w.endMs)] = true;
  let sustainedFrom = timeline.length;
  while (sustainedFrom > 0 && unhealthy[sustainedFrom - 1] === false) sustainedFrom--;
  const firstAfter = timeline.findIndex((b) => b.endMs > w.faultEndMs);
  const sustainedBucket = firstAfter < 0 ? undefined : timeline[Math.max(sustainedFrom, firstAfter)];

  // A loop, not Math.max(...): a window can hold more responses than a call has room for arguments.
  const worstLatencyMs = windowResponses.reduce<number | null>((m, r) => (m === null || r.latencyMs > m ? r.latencyMs : m), null);
  const timeouts = errors.filter((e) => e.timeout).length;
  return {
    fault: input.fault,
    strategy: input.strategy,
    policy: input.policy,
    availability,
    timeToDetectMs: detectedAt === null ? null : detectedAt - w.faultStartMs,
    timeToRecoverMs,
    timeToSustainedMs: sustainedBucket === undefined ? null : Math.max(0, sustainedBucket.startMs - w.faultEndMs),
    worstLatencyMs,
    hungRequests: responses.filter((r) => r.latencyMs > hungMs).length + timeouts,
    lostRequests: Math.max(0, input.sent - responses.length - errors.length),
    unknownOutcome: timeouts,
    revokedAccepted: countByPhase(responses, w, (r) => r.kind === 'revoked' && is2xx(r.status)),
    expectRevokedRefused: input.expectRevokedRefused,
    validRefused: countByPhase(responses, w, (r) => r.kind === 'valid' && r.status === 401),
    sessionsLost: new Set(responses.filter((r) => r.kind === 'valid' && r.status === 401 && r.t >= w.faultEndMs).map((r) => r.token)).size,
    uncheckedServed: input.uncheckedServed,
    timeline,
  };
}
