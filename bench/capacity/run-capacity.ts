import { firstLineOf } from '../../lib/errors.js';
import { obtainRedis } from '../../redis/provider.js';
import { scenarios } from '../../scenarios/index.js';
import { designOf, type DesignName } from '../../servers/designs/index.js';
import { collectEnvironment, type Environment } from '../run/environment.js';
import { runLoad } from '../load/autocannon.js';
import { runPacedLoad, type PacedLoadResult } from '../load/paced.js';
import { figuresOf, mergeHistograms } from '../measure/histogram.js';
import { startServerProcess, type ServerProcess } from '../run/server-process.js';
import { httpTokenSource } from '../load/tokens.js';
import type { TokenSource } from '../../scenarios/scenario.js';
import { capacityOf, judgeStep, nextProbe, roundOrder, type CapacityOutcome, type CapacityRules, type CapacityStep, type RateTrial, type SearchRules, type StepVerdict } from './steps.js';

export interface CapacityConfig {
  readonly strategies: readonly DesignName[];
  readonly sloP99Ms: number;
  readonly startRate: number;
  readonly factor: number;
  /** Rates tried at most per design. */
  readonly maxSteps: number;
  readonly stepSec: number;
  /** Repetitions of each rate (a rate is judged on all of them at once: their histograms merged). */
  readonly repeat: number;
  /** The search ends when the first failing rate is within this share above the last passing one. */
  readonly resolution: number;
  readonly connections: number;
  readonly serverArgs: readonly string[];
  readonly redisUrl: string | undefined;
}

export interface CapacityDesignResult extends CapacityOutcome {
  readonly strategy: string;
  /** Every rate tried, in the order tried, with its repetitions. */
  readonly trials: RateTrial[];
  readonly error?: string;
}

export interface CapacityResult {
  /** 2: rates repeated and bisected (`trials`); 1 had one step per rate (`steps`). */
  readonly schemaVersion: 2;
  readonly tool: 'authbench';
  readonly kind: 'capacity';
  readonly startedAt: string;
  status: 'running' | 'complete' | 'interrupted';
  readonly environment: Environment;
  readonly config: CapacityConfig;
  readonly method: string[];
  readonly designs: CapacityDesignResult[];
}

/**
 * The first part of each repetition, after its 1 s paced warm-up, is not judged either (as wrk2's calibration): it is
 * sent as warm-up, so it is left out of every histogram.
 */
export const SETTLE_MS = 500;

/** Tokens (users) per repetition. */
const TOKENS = 1000;

/**
 * One repetition's figures from the paced load's histograms and counts (its judged part only: the warm-up is never
 * recorded). Read from histograms rather than from per-response events: keeping an object per response (70,000 in
 * 5 s at 14,000 req/s) costs the generator's thread (on `redis-token`, 8 alternating 5 s runs each at 9,000 and 11,000
 * req/s: pacer lag p99 median 1.9 ms with the events kept against 1.1 ms without, lower without in 7 pairs of 8;
 * corrected p99 at 9,000 req/s 3.1-24.9 ms kept against 2.7-3.3 ms without; at 11,000 no clear difference).
 * No response at all is an infinite p99. Pure.
 */
export function stepOf(rate: number, durationSec: number, load: Pick<PacedLoadResult, 'corrected' | 'uncorrected' | 'pacerLag' | 'statusCounts' | 'errors'>): CapacityStep {
  const answered = Object.values(load.statusCounts).reduce((a, b) => a + b, 0);
  const ok = load.statusCounts['200'] ?? 0;
  const total = answered + load.errors;
  return {
    rate,
    achievedRps: ok / Math.max(durationSec, 1e-3),
    p99CorrectedMs: load.corrected.count > 0 ? load.corrected.p99 : Infinity,
    p99UncorrectedMs: load.uncorrected.count > 0 ? load.uncorrected.p99 : null,
    errorRate: total > 0 ? (total - ok) / total : 1,
    pacerLagP99Ms: load.pacerLag.p99,
  };
}

/** What a repetition's judged part recorded: its histograms and counts, and how long it lasted. */
export interface JudgedLoad {
  readonly durationSec: number;
  readonly load: Pick<PacedLoadResult, 'correctedHistogram' | 'uncorrectedHistogram' | 'pacerLagHistogram' | 'statusCounts' | 'errors'>;
}

/**
 * The figures of a rate over all its repetitions at once: their histograms merged, their counts and seconds summed,
 * so the p99 is that of every request sent at the rate (3 × 4.5 s by default), not a vote of three 4.5 s p99s, each
 * passing or failing on whether one stall of the machine fell inside it. Pure.
 */
export function mergedStepOf(rate: number, parts: readonly JudgedLoad[]): CapacityStep {
  const figures = (key: 'correctedHistogram' | 'uncorrectedHistogram' | 'pacerLagHistogram') => {
    const h = mergeHistograms(parts.map((p) => p.load[key]));
    const f = figuresOf(h);
    h.destroy();
    return f;
  };
  const statusCounts: Record<string, number> = {};
  for (const p of parts) for (const [code, n] of Object.entries(p.load.statusCounts)) statusCounts[code] = (statusCounts[code] ?? 0) + n;
  const seconds = parts.reduce((a, p) => a + p.durationSec, 0);
  const errors = parts.reduce((a, p) => a + p.load.errors, 0);
  return stepOf(rate, seconds, { corrected: figures('correctedHistogram'), uncorrected: figures('uncorrectedHistogram'), pacerLag: figures('pacerLagHistogram'), statusCounts, errors });
}

/** One design's search while the designs are interleaved. */
interface Search {
  readonly strategy: DesignName;
  readonly server: ServerProcess;
  readonly tokens: TokenSource;
  readonly trials: RateTrial[];
  /** The rate being measured and its repetitions so far. */
  probe?: { readonly rate: number; readonly repetitions: Repetition[] };
  /** Each rate's judged loads so far, kept in memory (not in the result) for a second try's verdict. */
  readonly loads: Map<number, JudgedLoad[]>;
  done: boolean;
}

type Repetition = CapacityStep & { verdict: StepVerdict; round: number };

/**
 * `authbench capacity`: per design, GET /me at fixed, paced open-loop rates, each repeated, stepped up
 * geometrically to the first rate that fails (p99 over the target, errors over 1%, or a generator that could not
 * send it), then bisected between the last passing and that first failing rate. Both the corrected and the
 * uncorrected p99 are reported; only the corrected one is judged.
 *
 * The designs' searches are interleaved: every server is started first, then each round runs one repetition of
 * each design still searching, in an order that turns by one each round. A slow phase of the machine (one lasting
 * minutes moved a design's answer by 44% when each design ran alone) then falls on every design alike, and the
 * repetitions of one rate lie a round apart.
 */
export async function runCapacity(config: CapacityConfig, signal: AbortSignal, serverEnv: NodeJS.ProcessEnv, progress: (line: string) => void): Promise<CapacityResult> {
  const redis = await obtainRedis({ url: config.redisUrl });
  const searches: Search[] = [];
  try {
    const rules: CapacityRules = { sloP99Ms: config.sloP99Ms, maxErrorRate: 0.01, minAchievedShare: 0.9 };
    const result: CapacityResult = {
      schemaVersion: 2,
      tool: 'authbench',
      kind: 'capacity',
      startedAt: new Date().toISOString(),
      status: 'running',
      environment: await collectEnvironment(redis.url, redis.source),
      config,
      method: [
        `open loop GET /me paced by authbench's generator (request i due at i/rate s, sent then, answered or not; off the runner's thread) over up to ${config.connections} connections, after a 1 s closed-loop warm-up (autocannon) when the server starts; each rate ${config.repeat} × ${config.stepSec} s, each repetition with ${TOKENS} tokens issued just before it and after a 1 s paced warm-up, the first ${SETTLE_MS} ms of each not judged (sent as warm-up, recorded in no histogram)`,
        `designs interleaved: every server runs from the start, and each round measures one repetition of every design still searching, the order turning by one each round, so a slow phase of the machine falls on every design alike and the repetitions of one rate lie a round apart`,
        `search: from ${config.startRate} req/s up ×${config.factor} while rates pass (down while none has), then bisection between the last passing and the first failing rate until they are within ${Math.round(config.resolution * 100)}% of each other, the first failing rate tried once more before the end (judged on both tries' repetitions; if it passes, the search goes on above it); at most ${config.maxSteps} rates per design; the capacity lies between the last passing and the first failing rate`,
        `a repetition passes when its corrected p99 ≤ ${config.sloP99Ms} ms, failures ≤ 1% and at least 90% of the rate was answered; the generator's lag only adds to the corrected latency, so a pass stands whatever it was, but a p99 over the target with a pacer lag p99 over max(200 µs, 10% of the p99) is the generator's (generator-limited), and that repetition is run once more, unless even its uncorrected p99 (without the lag) is over the target; a rate is judged by the same rule on all its repetitions at once (histograms merged, counts summed: the p99 of every request sent at the rate), each repetition's own verdict shown beside it`,
        'each response has two latencies: from its intended send time (corrected for coordinated omission, judged) and from when its headers were written (uncorrected, as a naive tool reports)',
      ],
      designs: [],
    };
    const search: SearchRules = { startRate: config.startRate, factor: config.factor, maxSteps: config.maxSteps, resolution: config.resolution };
    const failed = new Map<string, string>();
    for (const strategy of config.strategies) {
      if (signal.aborted) break;
      progress(`capacity: starting ${strategy}`);
      const server = await startServerProcess(strategy, ['--redis-url', redis.url, ...config.serverArgs], serverEnv).catch((err: unknown) => err as Error);
      if (server instanceof Error) {
        failed.set(strategy, firstLineOf(server));
        continue;
      }
      const entry: Search = { strategy, server, tokens: httpTokenSource(server.url, TOKENS, config.connections), trials: [], loads: new Map(), done: false };
      searches.push(entry);
      try {
        // Warm-up (not counted): a cold server would fail the first step on JIT compilation alone.
        await runLoad(await scenarios.validate.plan({ traits: designOf(strategy).traits, tokens: entry.tokens, users: TOKENS, phase: 'warmup', poolSize: 200 }), { url: server.url, connections: 50, durationSec: 1, timeoutSec: 5, signal });
      } catch (err) {
        failed.set(strategy, firstLineOf(err));
        entry.done = true;
      }
    }
    for (let round = 0; !signal.aborted; round++) {
      const active = searches.filter((s) => !s.done);
      if (active.length === 0) break;
      for (const s of roundOrder(active, round)) {
        if (signal.aborted) break;
        try {
          await repetitionOf(s, round);
        } catch (err) {
          failed.set(s.strategy, firstLineOf(err));
          s.done = true;
        }
        if (s.done) await s.server.stop();
      }
    }
    for (const strategy of config.strategies) {
      const s = searches.find((x) => x.strategy === strategy);
      const error = failed.get(strategy);
      if (s === undefined && error === undefined) continue; // never started: interrupted
      const trials = s?.trials ?? [];
      result.designs.push({ strategy, trials, ...(error === undefined ? capacityOf(trials, search) : { sustainableRate: null, firstFailingRate: null, stoppedBy: 'errors', converged: false, error }) });
    }
    result.status = signal.aborted ? 'interrupted' : 'complete';
    return result;

    /** One repetition of the design's current rate (choosing the next rate first when it has none); marks it done when its search is over. */
    async function repetitionOf(s: Search, round: number): Promise<void> {
      if (s.probe === undefined) {
        const rate = nextProbe(s.trials, search);
        if (rate === undefined) {
          s.done = true;
          return;
        }
        s.probe = { rate, repetitions: [] };
      }
      const { rate, repetitions } = s.probe;
      progress(`capacity: round ${round + 1}: ${s.strategy} at ${rate} req/s, repetition ${repetitions.length + 1}/${config.repeat}`);
      const once = async (): Promise<{ repetition: Repetition; judged: JudgedLoad }> => {
        // Fresh tokens for every repetition: the searches now last the whole run, longer than a short access token (jwt-refresh's 300 s).
        const validTokens = await s.tokens.issue(TOKENS);
        const judgedSec = config.stepSec - SETTLE_MS / 1000;
        const paced = await runPacedLoad({ url: s.server.url, rate, connections: config.connections, durationSec: judgedSec, warmupSec: 1 + SETTLE_MS / 1000, timeoutSec: 5, validTokens, revokedTokens: [], revokedShare: 0, signal });
        const step = stepOf(rate, judgedSec, paced);
        return { repetition: { ...step, verdict: judgeStep(step, rules), round }, judged: { durationSec: judgedSec, load: paced } };
      };
      let measured = await once();
      // A repetition that failed on the generator's lag alone is run once more: the lag is often a passing stall.
      if (measured.repetition.verdict === 'generator-limited' && measured.repetition.achievedRps >= rules.minAchievedShare * rate && !signal.aborted) measured = await once();
      if (signal.aborted) return;
      repetitions.push(measured.repetition);
      const loads = s.loads.get(rate) ?? [];
      loads.push(measured.judged);
      s.loads.set(rate, loads);
      if (repetitions.length < config.repeat) return;
      // The rate is judged on all its repetitions at once; a second try (nextProbe confirming the first failure), on
      // both tries' repetitions.
      const merged = mergedStepOf(rate, loads);
      const again = s.trials.some((t) => t.rate === rate);
      s.trials.push({ rate, repetitions, merged, verdict: judgeStep(merged, rules), ...(again ? { again: true } : {}) });
      s.probe = undefined;
      if (nextProbe(s.trials, search) === undefined) s.done = true;
    }
  } finally {
    await Promise.all(searches.map((s) => s.server.stop()));
    await redis.stop();
  }
}
