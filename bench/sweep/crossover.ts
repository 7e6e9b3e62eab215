/** The scenarios a sweep measures at every point: a validate request, and a whole session. */
export const SWEEP_SCENARIOS = ['validate', 'session'] as const;

/** One point of a sweep for one design: throughput at an added Redis latency. */
export interface SweepPoint {
  readonly addedLatencyMs: number;
  readonly requestsPerSec: number;
}

export interface Crossover {
  readonly scenario: string;
  /** A design whose validate request waits for Redis (its traits declare Redis commands per validate). */
  readonly redisDesign: string;
  /** A design that validates without Redis: it does not slow down as Redis does. */
  readonly localDesign: string;
  /**
   * Added Redis latency (ms) at which the local design overtakes the Redis design, linearly interpolated between
   * the two sweep points around the change of sign; the lowest point when it is ahead from the start; null when
   * it never is.
   */
  readonly crossoverMs: number | null;
  readonly verdict: 'crosses' | 'local design ahead throughout' | 'never in range' | 'not enough points';
}

/**
 * Where a design that validates locally overtakes a Redis design as the added latency grows. Pure.
 * d(x) = redis(x) − local(x) at the points both have; the first pair with d > 0 then d ≤ 0 is interpolated linearly.
 */
export function crossover(scenario: string, redisDesign: string, localDesign: string, redis: readonly SweepPoint[], local: readonly SweepPoint[]): Crossover {
  const localAt = new Map(local.map((p) => [p.addedLatencyMs, p.requestsPerSec]));
  const d = redis
    .filter((p) => localAt.has(p.addedLatencyMs))
    .map((p) => ({ x: p.addedLatencyMs, d: p.requestsPerSec - (localAt.get(p.addedLatencyMs) as number) }))
    .sort((a, b) => a.x - b.x);
  const base = { scenario, redisDesign, localDesign };
  const first = d[0];
  if (first === undefined) return { ...base, crossoverMs: null, verdict: 'not enough points' };
  if (first.d <= 0) return { ...base, crossoverMs: first.x, verdict: 'local design ahead throughout' };
  for (let i = 0; i + 1 < d.length; i++) {
    const a = d[i] as { x: number; d: number };
    const b = d[i + 1] as { x: number; d: number };
    if (a.d > 0 && b.d <= 0) return { ...base, crossoverMs: a.x + (a.d * (b.x - a.x)) / (a.d - b.d), verdict: 'crosses' };
  }
  return { ...base, crossoverMs: null, verdict: d.length < 2 ? 'not enough points' : 'never in range' };
}
