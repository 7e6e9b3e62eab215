import { percentile } from '../../lib/stats.js';
import { obtainRedis } from '../../redis/provider.js';
import { scenarios } from '../../scenarios/index.js';
import { designOf, type DesignName } from '../../servers/designs/index.js';
import { collectEnvironment, type Environment } from '../run/environment.js';
import { runLoad } from '../load/autocannon.js';
import { runPacedLoad, type PacedLoadResult } from '../load/paced.js';
import { startServerProcess } from '../run/server-process.js';
import { httpTokenSource } from '../load/tokens.js';
import { capacityOf, judgeStep, nextRate, type CapacityOutcome, type CapacityRules, type CapacityStep, type StepVerdict } from './steps.js';

export interface CapacityConfig {
  readonly strategies: readonly DesignName[];
  readonly sloP99Ms: number;
  readonly startRate: number;
  readonly factor: number;
  readonly maxSteps: number;
  readonly stepSec: number;
  readonly connections: number;
  readonly serverArgs: readonly string[];
  readonly redisUrl: string | undefined;
}

export interface CapacityDesignResult extends CapacityOutcome {
  readonly strategy: string;
  readonly steps: (CapacityStep & { readonly verdict: StepVerdict })[];
  readonly error?: string;
}

export interface CapacityResult {
  readonly schemaVersion: 1;
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
 * `authbench capacity`: per design, GET /me at a fixed, paced open-loop rate, stepped up geometrically until
 * the corrected p99 passes the target, errors pass 1%, or the load generator cannot send the rate. Both the
 * corrected and the uncorrected p99 are reported; only the corrected one is judged.
 */
export async function runCapacity(config: CapacityConfig, signal: AbortSignal, serverEnv: NodeJS.ProcessEnv, progress: (line: string) => void): Promise<CapacityResult> {
  const redis = await obtainRedis({ url: config.redisUrl });
  try {
    const rules: CapacityRules = { sloP99Ms: config.sloP99Ms, maxErrorRate: 0.01, minAchievedShare: 0.9 };
    const result: CapacityResult = {
      schemaVersion: 1,
      tool: 'authbench',
      kind: 'capacity',
      startedAt: new Date().toISOString(),
      status: 'running',
      environment: await collectEnvironment(redis.url, redis.source),
      config,
      method: [
        `open loop GET /me paced by authbench (request i due at i/rate s, sent then, answered or not) over up to ${config.connections} connections, after a 1 s closed-loop warm-up (autocannon); ${config.stepSec} s per step, its first ${SETTLE_MS} ms not judged (connections opening), rates ×${config.factor} from ${config.startRate} req/s, at most ${config.maxSteps} steps`,
        "autocannon's own open loop (overallRate) meters each connection in one-second windows: every second starts with a burst of that second's whole quota, which alone breaks a 10 ms p99 at a fraction of capacity; hence the pacer",
        `a step passes when its corrected p99 ≤ ${config.sloP99Ms} ms, failures ≤ 1% and at least 90% of the asked rate was answered; otherwise the search stops (a missed rate with good latency is the load generator's limit, and is said so)`,
        'each response has two latencies: from its intended send time (corrected for coordinated omission, judged) and from when its headers were written (uncorrected, as a naive tool reports)',
      ],
      designs: [],
    };
    for (const strategy of config.strategies) {
      if (signal.aborted) break;
      const steps: (CapacityStep & { verdict: StepVerdict })[] = [];
      const server = await startServerProcess(strategy, ['--redis-url', redis.url, ...config.serverArgs], serverEnv).catch((err: unknown) => err as Error);
      if (server instanceof Error) {
        result.designs.push({ strategy, steps, sustainableRate: null, stoppedBy: 'errors', error: server.message.split('\n')[0] ?? 'start failed' });
        continue;
      }
      try {
        const tokens = httpTokenSource(server.url, 1000, config.connections);
        const validTokens = await tokens.issue(1000);
        // Warm-up (not counted): a cold server would fail the first step on JIT compilation alone.
        await runLoad(await scenarios.validate.plan({ traits: designOf(strategy).traits, tokens, users: 1000, phase: 'warmup', poolSize: 200 }), { url: server.url, connections: 50, durationSec: 1, timeoutSec: 5, signal });
        let rate = config.startRate;
        for (let i = 0; i < config.maxSteps && !signal.aborted; i++) {
          progress(`capacity: ${strategy} at ${rate} req/s`);
          const paced = await runPacedLoad({ url: server.url, rate, connections: config.connections, durationSec: config.stepSec, timeoutSec: 5, validTokens, revokedTokens: [], revokedShare: 1, signal, keepEvents: true });
          const step = stepOf(rate, config.stepSec, paced);
          const verdict = judgeStep(step, rules);
          steps.push({ ...step, verdict });
          if (verdict !== 'ok') break;
          rate = nextRate(rate, config.factor);
        }
        result.designs.push({ strategy, steps, ...capacityOf(steps, rules, config.maxSteps) });
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
