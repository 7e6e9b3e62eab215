import { median } from '../../lib/stats.js';
import { designNames } from '../../servers/designs/index.js';
import { scenarios, CEILING_SCENARIO } from '../../scenarios/index.js';
import { designOf } from '../../servers/designs/index.js';
import { runLoad } from '../load/autocannon.js';
import { PACER_LAG_LIMIT_MS, runPacedLoad } from '../load/paced.js';
import { httpTokenSource } from '../load/tokens.js';
import { runWrk, wrkArgs, wrkVersion } from '../reference/wrk.js';
import { collectEnvironment, type Environment } from '../run/environment.js';
import { orderFor } from '../run/load-cells.js';
import { startServerProcess } from '../run/server-process.js';
import { obtainRedis } from '../../redis/provider.js';

export interface CalibrationConfig {
  readonly connections: number;
  readonly durationSec: number;
  readonly warmupSec: number;
  /** Closed-loop rounds of autocannon vs wrk, in alternating order. 0 = no wrk comparison. */
  readonly rounds: number;
  /** Open-loop rates tried for the pacer's limit, ascending. */
  readonly rates: readonly number[];
}

/** One closed-loop round: autocannon and wrk against the same server, route and connections. */
export interface AgreementRound {
  readonly round: number;
  readonly autocannon: { readonly requestsPerSec: number; readonly p50Ms: number; readonly p99Ms: number };
  readonly wrk: { readonly requestsPerSec: number; readonly p50Ms: number | null; readonly p99Ms: number | null };
}

/** One open-loop step of the pacer's limit. */
export interface PacerStep {
  readonly rate: number;
  readonly answeredPerSec: number;
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly generatorBusy: number;
  /** Lag p99 within 200 µs and at least 95% of the rate answered. */
  readonly holds: boolean;
}

export interface CalibrationResult {
  readonly tool: 'authbench';
  readonly kind: 'calibration';
  readonly startedAt: string;
  status: 'running' | 'complete' | 'interrupted';
  readonly environment: Environment;
  readonly config: CalibrationConfig;
  readonly server: string;
  readonly method: string[];
  wrkVersion?: string;
  readonly agreement: AgreementRound[];
  /** Medians over rounds of autocannon ÷ wrk; undefined without rounds. */
  agreementSummary?: { readonly throughputRatio: number; readonly p50Ratio: number | null };
  readonly pacer: PacerStep[];
  /** The highest rate that held, below the first that did not; null if the first did not. */
  pacerLimit?: number | null;
}

/** A step holds when the pacer's lag p99 is within 200 µs and the rate was answered. Pure. */
export const stepHolds = (s: Pick<PacerStep, 'rate' | 'answeredPerSec' | 'lagP99Ms'>): boolean => s.lagP99Ms <= PACER_LAG_LIMIT_MS && s.answeredPerSec >= 0.95 * s.rate;

/** The highest rate that held before the first that did not. Pure. */
export function pacerLimitOf(steps: readonly PacerStep[]): number | null {
  let best: number | null = null;
  for (const s of steps) {
    if (!s.holds) break;
    best = s.rate;
  }
  return best;
}

/**
 * `authbench calibrate`: what the load generators are worth on this machine, against GET /health of one server
 * (the first design; /health does no auth work, so the generator is the most likely limit):
 * - closed loop, autocannon (as the throughput cells run it) and wrk (C, one thread) at the same connections,
 *   alternating: throughput and p50 side by side;
 * - open loop, the paced generator at rising rates: its lag (actual send − due) and the highest rate it holds with
 *   lag p99 within 200 µs.
 */
export async function runCalibration(config: CalibrationConfig, signal: AbortSignal, serverEnv: NodeJS.ProcessEnv, progress: (line: string) => void, checkpoint: (r: CalibrationResult) => Promise<void>): Promise<CalibrationResult> {
  const [design] = designNames();
  if (design === undefined) throw new Error('no design registered');
  const redis = await obtainRedis({ url: undefined });
  const server = await startServerProcess(design, ['--redis-url', redis.url], serverEnv).catch(async (err: unknown) => {
    await redis.stop();
    throw err;
  });
  try {
    const result: CalibrationResult = {
      tool: 'authbench',
      kind: 'calibration',
      startedAt: new Date().toISOString(),
      status: 'running',
      environment: await collectEnvironment(redis.url, redis.source),
      config,
      server: `authbench serve ${design}, GET /health`,
      method: [
        `one server (authbench serve ${design}) and GET /health: no auth work, so what is measured is mostly the generator and the framework`,
        ...(config.rounds === 0 ? [] : [`closed loop: autocannon (${config.connections} connections, pipelining 1, every response's latency into a µs histogram, as the throughput cells) and wrk -t1 -c${config.connections} --latency, ${config.warmupSec} s warm-up then ${config.durationSec} s each, ${config.rounds} round(s) in alternating order; ratios autocannon ÷ wrk per round, median over rounds`]),
        `open loop: authbench's paced generator (pacer thread + HTTP thread, up to ${config.connections} connections) at each rate for ${config.durationSec} s after ${config.warmupSec} s paced warm-up; a rate holds when its pacer lag p99 ≤ ${PACER_LAG_LIMIT_MS * 1000} µs and 95% of it was answered; every rate is tried; the limit is the highest rate that held before the first that did not`,
      ],
      agreement: [],
      pacer: [],
    };
    const url = server.url;
    const ceiling = scenarios[CEILING_SCENARIO];
    const plan = await ceiling.plan({ traits: designOf(design).traits, tokens: httpTokenSource(url, 1000, 1), users: 1000, phase: 'measure', poolSize: 0 });
    if (config.rounds > 0) {
      result.wrkVersion = wrkVersion();
      for (let round = 0; round < config.rounds && !signal.aborted; round++) {
        let ac: AgreementRound['autocannon'] | undefined;
        let wrk: AgreementRound['wrk'] | undefined;
        for (const tool of orderFor(['autocannon', 'wrk'] as const, round)) {
          if (signal.aborted) break;
          progress(`closed loop, ${tool}, round ${round + 1}/${config.rounds}`);
          const load = { url, connections: config.connections, timeoutSec: 10, signal };
          if (tool === 'autocannon') {
            if (config.warmupSec > 0) await runLoad(plan, { ...load, durationSec: config.warmupSec });
            const m = await runLoad(plan, { ...load, durationSec: config.durationSec });
            ac = { requestsPerSec: m.responses / m.durationSec, p50Ms: m.latencyMs.p50, p99Ms: m.latencyMs.p99 };
          } else {
            const wl = { connections: config.connections, threads: 1, durationSec: config.warmupSec };
            if (config.warmupSec > 0) await runWrk(wrkArgs(`${url}/health`, wl), signal);
            const w = await runWrk(wrkArgs(`${url}/health`, { ...wl, durationSec: config.durationSec }, undefined, true), signal);
            wrk = { requestsPerSec: w.requestsPerSec, p50Ms: w.latencyP50Ms ?? null, p99Ms: w.latencyP99Ms ?? null };
          }
        }
        if (ac !== undefined && wrk !== undefined) result.agreement.push({ round, autocannon: ac, wrk });
        await checkpoint(result);
      }
      if (result.agreement.length > 0) {
        const p50s = result.agreement.flatMap((r) => (r.wrk.p50Ms === null || !(r.wrk.p50Ms > 0) ? [] : [r.autocannon.p50Ms / r.wrk.p50Ms]));
        result.agreementSummary = { throughputRatio: median(result.agreement.map((r) => r.autocannon.requestsPerSec / r.wrk.requestsPerSec)), p50Ratio: p50s.length > 0 ? median(p50s) : null };
      }
    }
    for (const rate of config.rates) {
      if (signal.aborted) break;
      progress(`open loop, ${rate} req/s`);
      const r = await runPacedLoad({ url, path: '/health', rate, connections: config.connections, durationSec: config.durationSec, warmupSec: config.warmupSec, timeoutSec: 10, validTokens: [''], revokedTokens: [], revokedShare: 0, signal });
      const answered = Object.entries(r.statusCounts).reduce((a, [code, n]) => a + (code === '200' ? n : 0), 0);
      const step = { rate, answeredPerSec: answered / config.durationSec, lagP50Ms: r.pacerLag.p50, lagP99Ms: r.pacerLag.p99, lagMaxMs: r.pacerLag.max, p50Ms: r.corrected.p50, p99Ms: r.corrected.p99, generatorBusy: r.eventLoopUtilization };
      result.pacer.push({ ...step, holds: stepHolds(step) });
      await checkpoint(result);
    }
    result.pacerLimit = pacerLimitOf(result.pacer);
    result.status = signal.aborted ? 'interrupted' : 'complete';
    await checkpoint(result);
    return result;
  } finally {
    await server.stop();
    await redis.stop();
  }
}
