import { join } from 'node:path';
import type { JwtAlg } from '../../servers/config.js';
import { writeAtomicJson } from '../result/write.js';
import type { Progress } from '../run/progress.js';
import { offeredRateLabel, resolveRunConfig, type OfferedRate, type RunConfig, type RunFlags } from '../run/config.js';
import { runBench } from '../run/runner.js';
import { SWEEP_SCENARIOS } from './crossover.js';
import { fixedRatesOf, partsFor, pointOrder, sweepCrossovers, sweepPointOf, sweepPooled } from './points.js';
import { SWEEP_SCHEMA_VERSION, type SweepRate, type SweepResult } from './schema.js';
import type { RunResult } from '../result/schema.js';

export { SWEEP_SCENARIOS };
export type { SweepResult };

export interface SweepIO {
  readonly signal: AbortSignal;
  readonly progress: Progress;
  readonly serverEnv: NodeJS.ProcessEnv;
}

function methodLines(repeat: number, connections: number, rate: OfferedRate): string[] {
  return [
    `each point is an \`authbench run --scenarios validate,session\` with every Redis reply delayed by the added latency through a TCP proxy in its own process (present at +0 too, so every point pays the same hop); ${repeat} repetition(s) per point, designs in alternating order`,
    `closed-loop throughput: autocannon, ${connections} connections (bounded by connections ÷ (round trip + service time) when a design waits for Redis: this crossover moves with --connections)`,
    `latency at a fixed open-loop rate per scenario, the same at every point and for every design: ${'rps' in rate ? `${rate.rps} req/s as given` : `${offeredRateLabel(rate)} of the slowest design's closed-loop req/s at the highest added latency, measured first`}; request i due at i/rate s (validate: GET /me; session: a session due every 7/rate s); p99 from each request's intended send time`,
    'x = the Redis round trip measured under load: a probe PINGs through the proxy every 5 ms during each equal-load cell; a point\'s figure is the p50 of the merged histograms of the designs that wait for Redis, with the range of the per-repetition p50s; the asked delay is kept beside it',
    'designs that send no Redis command per validate (storeCommandsPerValidate 0) are pooled: their repetitions at every point form one distribution (median, min–max), a flat line',
    'crossover: where the pooled local design draws level with a Redis design (closed-loop req/s, and p99 at the fixed rate), on the medians of the repetitions, linearly interpolated between the two points around the change of sign; interval: 95% percentile bootstrap (5000 resamples, seeded) over the repetitions of each point and the pooled values; "below range"/"beyond range": resamples where the local design was ahead at every point / never caught up',
  ];
}

/**
 * `authbench sweep`: per algorithm and added Redis latency, one run of validate and session, closed loop and at a fixed
 * open-loop rate, every design behind the same delaying proxy; then the crossovers against the round trip measured
 * under load. Each point is a full run (its own result.json under DIR); sweep.json is rewritten after each point, so
 * an interrupted sweep keeps what finished.
 */
export async function runSweep(flags: RunFlags, latenciesMs: readonly number[], jwtAlgs: readonly JwtAlg[], rate: OfferedRate, outDir: string, io: SweepIO): Promise<SweepResult> {
  const sweep: SweepResult = {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    tool: 'authbench',
    kind: 'sweep',
    startedAt: new Date().toISOString(),
    status: 'running',
    config: { latenciesMs, jwtAlgs, rate: offeredRateLabel(rate), run: undefined },
    method: [],
    rates: [],
    points: [],
    pooled: [],
    crossovers: [],
  };
  const sweepFile = join(outDir, 'sweep.json');
  for (const alg of jwtAlgs) {
    let fixed: SweepRate[] | undefined;
    for (const lat of pointOrder(latenciesMs)) {
      if (io.signal.aborted) break;
      const dir = join(outDir, `${alg}-${lat}ms`);
      const base = resolveRunConfig({ ...flags, rate: 'none', scenarios: SWEEP_SCENARIOS.join(','), redisLatency: `${lat}ms`, redisProxy: true, jwtAlg: alg, out: dir, json: undefined }, process.env);
      const config: RunConfig = { ...base, equalLoadParts: partsFor(rate, fixed) };
      if (sweep.method.length === 0) sweep.method.push(...methodLines(config.repeat, config.connections, rate));
      const result = await runBench(config, { ...io, checkpoint: async (r) => void (await writeAtomicJson(join(dir, 'result.json'), r)) });
      if (fixed === undefined) {
        fixed = fixedRatesOf(result, rate, alg, lat);
        sweep.rates.push(...fixed);
      }
      sweep.environment ??= result.environment;
      sweep.designs ??= result.designs;
      (sweep.config as { run: RunResult['config'] | undefined }).run ??= result.config;
      sweep.points.push(sweepPointOf(result, alg, lat, join(dir, 'result.json')));
      sweep.points.sort((a, b) => jwtAlgs.indexOf(a.jwtAlg) - jwtAlgs.indexOf(b.jwtAlg) || a.addedLatencyMs - b.addedLatencyMs);
      sweep.pooled = sweepPooled(sweep.points, sweep.designs);
      sweep.crossovers = sweepCrossovers(sweep.points, sweep.designs);
      await writeAtomicJson(sweepFile, sweep);
    }
  }
  sweep.status = io.signal.aborted ? 'interrupted' : 'complete';
  sweep.finishedAt = new Date().toISOString();
  await writeAtomicJson(sweepFile, sweep);
  return sweep;
}
