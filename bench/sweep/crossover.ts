/** One point of a sweep for one design: throughput at an added Redis latency. */
export interface SweepPoint {
  readonly addedLatencyMs: number;
  readonly requestsPerSec: number;
}

export interface Crossover {
  readonly scenario: string;
  readonly redisDesign: string;
  /**
   * Added Redis latency (ms) at which `jwt` overtakes the design, linearly interpolated between the two sweep
   * points around the change of sign; the lowest point when jwt is ahead from the start; null when it never is.
   */
  readonly crossoverMs: number | null;
  readonly verdict: 'crosses' | 'jwt ahead throughout' | 'never in range' | 'not enough points';
}

/**
 * Where `jwt` overtakes a Redis design as the added latency grows. Pure. d(x) = redis(x) − jwt(x) at the points
 * both have; the first pair with d > 0 then d ≤ 0 is interpolated linearly.
 */
export function crossover(scenario: string, redisDesign: string, redis: readonly SweepPoint[], jwt: readonly SweepPoint[]): Crossover {
  const jwtAt = new Map(jwt.map((p) => [p.addedLatencyMs, p.requestsPerSec]));
  const d = redis
    .filter((p) => jwtAt.has(p.addedLatencyMs))
    .map((p) => ({ x: p.addedLatencyMs, d: p.requestsPerSec - (jwtAt.get(p.addedLatencyMs) as number) }))
    .sort((a, b) => a.x - b.x);
  const base = { scenario, redisDesign };
  const first = d[0];
  if (first === undefined) return { ...base, crossoverMs: null, verdict: 'not enough points' };
  if (first.d <= 0) return { ...base, crossoverMs: first.x, verdict: 'jwt ahead throughout' };
  for (let i = 0; i + 1 < d.length; i++) {
    const a = d[i] as { x: number; d: number };
    const b = d[i + 1] as { x: number; d: number };
    if (a.d > 0 && b.d <= 0) return { ...base, crossoverMs: a.x + (a.d * (b.x - a.x)) / (a.d - b.d), verdict: 'crosses' };
  }
  return { ...base, crossoverMs: null, verdict: d.length < 2 ? 'not enough points' : 'never in range' };
}
