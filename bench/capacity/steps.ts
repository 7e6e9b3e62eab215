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
 * Judges one step. Errors and a missed target are the server's. The generator's lag only adds to the corrected
 * latency (a late send counts from its due time), so a step within the target passes whatever the lag. A step over
 * it misses it on the server's account when even its uncorrected p99 (timed from when each request was written,
 * so without the lag) is over the target; otherwise, when its pacer lag p99 is over 200 µs and over 10% of its p99,
 * the miss cannot be told from the generator's own delay and the step is `generator-limited`, as is a rate that was
 * not reached while latency and errors were fine.
 */
export function judgeStep(step: CapacityStep, rules: CapacityRules): StepVerdict {
  if (step.errorRate > rules.maxErrorRate) return 'errors';
  if (step.p99CorrectedMs > rules.sloP99Ms) {
    if (step.p99UncorrectedMs !== null && step.p99UncorrectedMs > rules.sloP99Ms) return 'slo-exceeded';
    return step.pacerLagP99Ms !== undefined && !pacerLagAcceptable(step.pacerLagP99Ms, step.p99CorrectedMs) ? 'generator-limited' : 'slo-exceeded';
  }
  if (step.achievedRps < rules.minAchievedShare * step.rate) return 'generator-limited';
  return 'ok';
}

/** The next rate to try: geometric steps. */
export function nextRate(rate: number, factor: number): number {
  return Math.max(rate + 1, Math.round(rate * factor));
}

/**
 * A rate tried: its repetitions, each judged on its own figures (shown, not deciding), and the rate's verdict, judged
 * on the figures of all its repetitions together (`merged`). A rate tried a second time (`again`: the first failing
 * rate, confirmed before the search ends) is judged on the repetitions of both tries together, and that verdict
 * supersedes the first.
 */
export interface RateTrial {
  readonly rate: number;
  /** Each with the round of the interleaved search it ran in (absent in results from before the designs were interleaved). */
  readonly repetitions: readonly (CapacityStep & { readonly verdict: StepVerdict; readonly round?: number })[];
  /**
   * The figures the verdict judged: every repetition's histograms merged and counts summed (both tries' for a second
   * try). Absent in results from before, whose verdict was the majority of the repetitions' verdicts.
   */
  readonly merged?: CapacityStep;
  readonly verdict: StepVerdict;
  readonly again?: boolean;
}

/** How the search walks: up geometrically to the first failure, then bisects until the gap is small enough. */
export interface SearchRules {
  readonly startRate: number;
  readonly factor: number;
  readonly maxSteps: number;
  /** The search ends when the first failing rate is within this share above the last passing one (0.05 = 5%). */
  readonly resolution: number;
}

/** Each rate's verdict: the last try of a rate decides (a second try is judged on both tries' repetitions). Pure. */
function latestVerdicts(trials: readonly Pick<RateTrial, 'rate' | 'verdict'>[]): Map<number, StepVerdict> {
  return new Map(trials.map((t) => [t.rate, t.verdict]));
}

/** The lowest failing rate, and the highest passing rate below it. Pure. */
export function bracket(trials: readonly Pick<RateTrial, 'rate' | 'verdict'>[]): { pass?: number; fail?: number } {
  const verdicts = [...latestVerdicts(trials)];
  const failing = verdicts.filter(([, v]) => v !== 'ok').map(([rate]) => rate);
  const fail = failing.length === 0 ? undefined : Math.min(...failing);
  const passing = verdicts.filter(([rate, v]) => v === 'ok' && (fail === undefined || rate < fail)).map(([rate]) => rate);
  return { ...(passing.length === 0 ? {} : { pass: Math.max(...passing) }), ...(fail === undefined ? {} : { fail }) };
}

/** The next rate of the walk and the bisection, ignoring confirmation; undefined when they are done. */
function nextOfWalk(pass: number | undefined, fail: number | undefined, s: SearchRules): number | undefined {
  if (fail === undefined) return nextRate(pass as number, s.factor);
  if (pass === undefined) {
    const down = Math.floor(fail / s.factor);
    return down >= 1 && down < fail ? down : undefined;
  }
  if (fail - pass <= s.resolution * pass) return undefined;
  const mid = Math.round((pass + fail) / 2);
  return mid > pass && mid < fail ? mid : undefined;
}

/**
 * The next rate to try, or undefined when the search is over: up by `factor` while every rate passed; down by it
 * while none did; then the midpoint of the last passing and first failing rate, until they are within `resolution`
 * of each other or `maxSteps` rates were tried. Before it ends with a bracket, the first failing rate is tried once
 * more unless it was already: noise on this kind of machine only ever adds latency, so a passing rate is believable
 * but one failing try is not (a stall during the first try of 3,000 req/s put jwt-refresh's answer at 2,925–3,000
 * where the next two runs found 4,835–4,981 and 4,102–4,219). When a second try passes, the search goes on above it. Pure.
 */
export function nextProbe(trials: readonly Pick<RateTrial, 'rate' | 'verdict'>[], s: SearchRules): number | undefined {
  if (trials.length >= s.maxSteps) return undefined;
  if (trials.length === 0) return s.startRate;
  const { pass, fail } = bracket(trials);
  const next = nextOfWalk(pass, fail, s);
  if (next !== undefined || pass === undefined || fail === undefined) return next;
  return trials.filter((t) => t.rate === fail).length < 2 ? fail : undefined;
}

export interface CapacityOutcome {
  /** Highest rate that passed below the first that failed; null when none passed. */
  readonly sustainableRate: number | null;
  /** The lowest rate that failed: the capacity lies in [sustainableRate, firstFailingRate); null if none failed. */
  readonly firstFailingRate: number | null;
  /** The verdict of that first failing rate, or max-steps when no rate failed. */
  readonly stoppedBy: StepVerdict | 'max-steps';
  /** The bracket closed to within the resolution (false: the steps ran out first). */
  readonly converged: boolean;
}

/** The outcome of a finished search. Pure. */
export function capacityOf(trials: readonly Pick<RateTrial, 'rate' | 'verdict'>[], s: SearchRules): CapacityOutcome {
  const { pass, fail } = bracket(trials);
  const failed = fail === undefined ? undefined : trials.find((t) => t.rate === fail);
  return {
    sustainableRate: pass ?? null,
    firstFailingRate: fail ?? null,
    stoppedBy: failed?.verdict ?? 'max-steps',
    converged: pass !== undefined && fail !== undefined && (fail - pass <= s.resolution * pass || nextOfWalk(pass, fail, s) === undefined),
  };
}

/**
 * The order of one round of the interleaved search: every design still searching runs one repetition per round, and
 * the order turns by one each round, so no design is always measured first (after the idle servers) or always right
 * after the same neighbour. Pure.
 */
export function roundOrder<T>(active: readonly T[], round: number): T[] {
  if (active.length === 0) return [];
  const k = round % active.length;
  return [...active.slice(k), ...active.slice(0, k)];
}
