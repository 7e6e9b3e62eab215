import { percentile } from '../../lib/stats.js';
import { obtainRedis } from '../../redis/provider.js';
import { scenarios } from '../../scenarios/index.js';
import { designOf, type DesignName } from '../../servers/designs/index.js';
import { collectEnvironment, type Environment } from '../run/environment.js';
import { runLoad } from '../load/autocannon.js';
import { runPacedLoad, type PacedLoadResult } from '../load/paced.js';
import { startServerProcess } from '../run/server-process.js';
import { httpTokenSource } from '../load/tokens.js';
import { capacityOf, judgeRate, judgeStep, nextProbe, type CapacityOutcome, type CapacityRules, type CapacityStep, type RateTrial, type SearchRules, type StepVerdict } from './steps.js';

export interface CapacityConfig {
  readonly strategies: readonly DesignName[];
  readonly sloP99Ms: number;
  readonly startRate: number;
  readonly factor: number;
  /** Rates tried at most per design. */
  readonly maxSteps: number;
  readonly stepSec: number;
  /** Repetitions of each rate (a rate passes when most of them do). */
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

/** The first part of each step, while the pool opens its connections, is not judged (as wrk2's calibration). */
export const SETTLE_MS = 500;

/** One step's figures from the paced load's events, leaving out the first SETTLE_MS. Pure. */
export function stepOf(rate: number, durationSec: number, all: Pick<PacedLoadResult, 'responses' | 'errorList' | 'pacerLag'>): CapacityStep {
  const load = { responses: all.responses.filter((r) => r.t >= SETTLE_MS), errors: all.errorList.filter((e) => e.t >= SETTLE_MS) };
  const judgedSec = Math.max(durationSec - SETTLE_MS / 1000, 1e-3);
  const ok = load.responses.filter((r) => r.status === 200);
  const total = load.responses.length + load.errors.length;
  return {
    rate,
    achievedRps: ok.length / judgedSec,
    p99CorrectedMs: percentile(load.responses.map((r) => r.latencyMs), 99) ?? Infinity,
    p99UncorrectedMs: percentile(load.responses.flatMap((r) => (r.sentLatencyMs === undefined ? [] : [r.sentLatencyMs])), 99),
    errorRate: total > 0 ? (total - ok.length) / total : 1,
    pacerLagP99Ms: all.pacerLag.p99,
  };
}

/**
 * `authbench capacity`: per design, GET /me at fixed, paced open-loop rates, each repeated, stepped up
 * geometrically to the first rate that fails (p99 over the target, errors over 1%, or a generator that could not
 * send it), then bisected between the last passing and that first failing rate. Both the corrected and the
 * uncorrected p99 are reported; only the corrected one is judged.
 */
export async function runCapacity(config: CapacityConfig, signal: AbortSignal, serverEnv: NodeJS.ProcessEnv, progress: (line: string) => void): Promise<CapacityResult> {
  const redis = await obtainRedis({ url: config.redisUrl });
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
        `open loop GET /me paced by authbench's generator (request i due at i/rate s, sent then, answered or not; off the runner's thread) over up to ${config.connections} connections, after a 1 s closed-loop warm-up (autocannon); each rate ${config.repeat} × ${config.stepSec} s, each after a 1 s paced warm-up, the first ${SETTLE_MS} ms of each not judged`,
        `search: from ${config.startRate} req/s up ×${config.factor} while rates pass (down while none has), then bisection between the last passing and the first failing rate until they are within ${Math.round(config.resolution * 100)}% of each other, the first failing rate tried once more before the end (judged on both tries' repetitions; if it passes, the search goes on above it); at most ${config.maxSteps} rates per design; the capacity lies between the last passing and the first failing rate`,
        `a repetition passes when its corrected p99 ≤ ${config.sloP99Ms} ms, failures ≤ 1% and at least 90% of the rate was answered; the generator's lag only adds to the corrected latency, so a pass stands whatever it was, but a p99 over the target with a pacer lag p99 over max(200 µs, 10% of the p99) is the generator's (generator-limited), and that repetition is run once more, unless even its uncorrected p99 (without the lag) is over the target; a rate passes when most of its repetitions do`,
        'each response has two latencies: from its intended send time (corrected for coordinated omission, judged) and from when its headers were written (uncorrected, as a naive tool reports)',
      ],
      designs: [],
    };
    for (const strategy of config.strategies) {
      if (signal.aborted) break;
      const trials: RateTrial[] = [];
      const server = await startServerProcess(strategy, ['--redis-url', redis.url, ...config.serverArgs], serverEnv).catch((err: unknown) => err as Error);
      if (server instanceof Error) {
        result.designs.push({ strategy, trials, sustainableRate: null, firstFailingRate: null, stoppedBy: 'errors', converged: false, error: server.message.split('\n')[0] ?? 'start failed' });
        continue;
      }
      try {
        const tokens = httpTokenSource(server.url, 1000, config.connections);
        const validTokens = await tokens.issue(1000);
        // Warm-up (not counted): a cold server would fail the first step on JIT compilation alone.
        await runLoad(await scenarios.validate.plan({ traits: designOf(strategy).traits, tokens, users: 1000, phase: 'warmup', poolSize: 200 }), { url: server.url, connections: 50, durationSec: 1, timeoutSec: 5, signal });
        const search: SearchRules = { startRate: config.startRate, factor: config.factor, maxSteps: config.maxSteps, resolution: config.resolution };
        for (let rate = nextProbe(trials, search); rate !== undefined && !signal.aborted; rate = nextProbe(trials, search)) {
          const repetitions: (CapacityStep & { verdict: StepVerdict })[] = [];
          for (let rep = 0; rep < config.repeat && !signal.aborted; rep++) {
            progress(`capacity: ${strategy} at ${rate} req/s, repetition ${rep + 1}/${config.repeat}`);
            const once = async (): Promise<CapacityStep & { verdict: StepVerdict }> => {
              const paced = await runPacedLoad({ url: server.url, rate, connections: config.connections, durationSec: config.stepSec, warmupSec: 1, timeoutSec: 5, validTokens, revokedTokens: [], revokedShare: 0, signal, keepEvents: true });
              const step = stepOf(rate, config.stepSec, paced);
              return { ...step, verdict: judgeStep(step, rules) };
            };
            let measured = await once();
            // A repetition that failed on the generator's lag alone is run once more: the lag is often a passing stall.
            if (measured.verdict === 'generator-limited' && measured.achievedRps >= rules.minAchievedShare * rate && !signal.aborted) measured = await once();
            repetitions.push(measured);
          }
          if (signal.aborted) break;
          // A second try of a rate (nextProbe confirming the first failure) is judged on both tries' repetitions.
          const earlier = trials.filter((t) => t.rate === rate).flatMap((t) => t.repetitions);
          trials.push({ rate, repetitions, verdict: judgeRate([...earlier, ...repetitions].map((r) => r.verdict)), ...(earlier.length > 0 ? { again: true } : {}) });
        }
        result.designs.push({ strategy, trials, ...capacityOf(trials, search) });
      } finally {
        await server.stop();
      }
    }
    result.status = signal.aborted ? 'interrupted' : 'complete';
    return result;
  } finally {
    await redis.stop();
  }
}
