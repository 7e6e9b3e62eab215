import { pacerLagAcceptable } from '../load/paced.js';
/** One open-loop step of a capacity search, as measured. */
export interface CapacityStep {
  /** Requests per second asked of the load generator. */
  readonly rate: number;
  /** Correct answers per second actually measured. */
  readonly achievedRps: number;
  /** p99 with autocannon's coordinated-omission correction (the figure judged against the target). */
  readonly p99CorrectedMs: number;
  /** p99 of the same rate measured again without the correction (what a naive tool would report). */
  readonly p99UncorrectedMs: number | null;
  /** Errors, timeouts and non-2xx answers over all requests. */
  readonly errorRate: number;
  /** How late the generator sent its requests, p99 (absent in results from before it was measured). */
  readonly pacerLagP99Ms?: number;
}

export type StepVerdict = 'ok' | 'slo-exceeded' | 'errors' | 'generator-limited';

export interface CapacityRules {
  readonly sloP99Ms: number;
  /** Above this share of failed requests the step fails (the 1%). */
  readonly maxErrorRate: number;
  /** Below this share of the asked rate, the load generator (not the server) set the pace. */
  readonly minAchievedShare: number;
}

export const DEFAULT_RULES: Omit<CapacityRules, 'sloP99Ms'> = { maxErrorRate: 0.01, minAchievedShare: 0.9 };

/**
 * Judges one step. Errors and a missed target are the server's; a rate that was not reached while latency and
 * errors were fine, or a pacer that sent late (lag p99 over 200 µs and over 10% of the p99), means the load
 * generator could not send it, and the search stops there and says so.
 */
export function judgeStep(step: CapacityStep, rules: CapacityRules): StepVerdict {
  if (step.errorRate > rules.maxErrorRate) return 'errors';
  if (step.p99CorrectedMs > rules.sloP99Ms) return 'slo-exceeded';
  if (step.achievedRps < rules.minAchievedShare * step.rate) return 'generator-limited';
  if (step.pacerLagP99Ms !== undefined && !pacerLagAcceptable(step.pacerLagP99Ms, step.p99CorrectedMs)) return 'generator-limited';
  return 'ok';
}

/** The next rate to try: geometric steps. */
export function nextRate(rate: number, factor: number): number {
  return Math.max(rate + 1, Math.round(rate * factor));
}

export interface CapacityOutcome {
  /** Highest rate whose step was ok; null when even the first failed. */
  readonly sustainableRate: number | null;
  /** Why the search stopped. */
  readonly stoppedBy: StepVerdict | 'max-steps';
}

/** The outcome of a finished search, from its steps in order. Pure. */
export function capacityOf(steps: readonly CapacityStep[], rules: CapacityRules, maxSteps: number): CapacityOutcome {
  let best: number | null = null;
  for (const s of steps) {
    const v = judgeStep(s, rules);
    if (v !== 'ok') return { sustainableRate: best, stoppedBy: v };
    best = s.rate;
  }
  return { sustainableRate: best, stoppedBy: steps.length >= maxSteps ? 'max-steps' : 'ok' };
}
