import { join } from 'node:path';
import type { JwtAlg } from '../../servers/config.js';
import { writeAtomicJson } from '../result/write.js';
import type { Progress } from '../run/progress.js';
import type { Environment } from '../run/environment.js';
import { loadCellsOf, type DesignRecord, type RunResult } from '../result/schema.js';
import { resolveRunConfig, type RunFlags } from '../run/config.js';
import { runBench } from '../run/runner.js';
import type { Spread } from '../../lib/stats.js';
import { crossover, SWEEP_SCENARIOS, type Crossover } from './crossover.js';

export { SWEEP_SCENARIOS };

export interface SweepCell {
  readonly scenario: string;
  readonly strategy: string;
  readonly status: string;
  readonly requestsPerSec: Spread | null;
  readonly latencyMs: { readonly p50: number; readonly p99: number } | null;
}

export interface SweepPointResult {
  readonly jwtAlg: JwtAlg;
  /** Asked for: added to every Redis reply by the proxy. */
  readonly addedLatencyMs: number;
  /** Measured: one GET through the proxy, awaited alone. */
  readonly measuredRoundTripUs: number | null;
  readonly status: RunResult['status'];
  readonly resultFile: string;
  readonly cells: SweepCell[];
}

export interface SweepResult {
  readonly schemaVersion: 1;
  readonly tool: 'authbench';
  readonly kind: 'sweep';
  readonly startedAt: string;
  finishedAt?: string;
  status: 'running' | 'complete' | 'interrupted';
  environment?: Environment;
  /** The designs of the runs, with their traits (which ones wait for Redis on a validate request). */
  designs?: Record<string, DesignRecord>;
  readonly config: { readonly latenciesMs: readonly number[]; readonly jwtAlgs: readonly JwtAlg[]; readonly run: RunResult['config'] | undefined };
  readonly method: string[];
  readonly points: SweepPointResult[];
  crossovers: (Crossover & { readonly jwtAlg: JwtAlg })[];
}

export interface SweepIO {
  readonly signal: AbortSignal;
  readonly progress: Progress;
  readonly serverEnv: NodeJS.ProcessEnv;
}

/** The figures of one run that a sweep keeps. Pure. */
export function sweepCells(result: RunResult): SweepCell[] {
  return loadCellsOf(result)
    .filter((c) => (SWEEP_SCENARIOS as readonly string[]).includes(c.scenario))
    .map((c) => ({
      scenario: c.scenario,
      strategy: c.strategy,
      status: c.status,
      requestsPerSec: c.summary?.requestsPerSec ?? null,
      latencyMs: c.summary === undefined ? null : { p50: c.summary.latencyMs.p50, p99: c.summary.latencyMs.p99 },
    }));
}

/**
 * Crossovers of each design that validates without Redis with each design that waits for it (as their traits
 * declare), per algorithm and scenario, from the points so far. Pure.
 */
export function sweepCrossovers(points: readonly SweepPointResult[], designs: Readonly<Record<string, DesignRecord>>): (Crossover & { jwtAlg: JwtAlg })[] {
  const out: (Crossover & { jwtAlg: JwtAlg })[] = [];
  const names = Object.keys(designs);
  const redisDesigns = names.filter((d) => (designs[d]?.traits.storeCommandsPerValidate ?? 0) > 0);
  const localDesigns = names.filter((d) => designs[d]?.traits.storeCommandsPerValidate === 0);
  for (const alg of [...new Set(points.map((p) => p.jwtAlg))]) {
    const mine = points.filter((p) => p.jwtAlg === alg);
    const series = (scenario: string, strategy: string) =>
      mine.flatMap((p) => {
        const rps = p.cells.find((c) => c.scenario === scenario && c.strategy === strategy)?.requestsPerSec?.median;
        return rps === undefined ? [] : [{ addedLatencyMs: p.addedLatencyMs, requestsPerSec: rps }];
      });
    for (const scenario of SWEEP_SCENARIOS) {
      for (const design of redisDesigns) {
        for (const local of localDesigns) out.push({ ...crossover(scenario, design, local, series(scenario, design), series(scenario, local)), jwtAlg: alg });
      }
    }
  }
  return out;
}

/**
 * `authbench sweep`: one run of validate and session per algorithm and added Redis latency, every design behind
 * the same delaying proxy (also at 0, so each point pays the same hop), then the crossover where each design that
 * validates without Redis overtakes each Redis design. Each point is a full run (its own result.json under DIR); sweep.json is rewritten after each point.
 */
export async function runSweep(flags: RunFlags, latenciesMs: readonly number[], jwtAlgs: readonly JwtAlg[], outDir: string, io: SweepIO): Promise<SweepResult> {
  const sweep: SweepResult = {
    schemaVersion: 1,
    tool: 'authbench',
    kind: 'sweep',
    startedAt: new Date().toISOString(),
    status: 'running',
    config: { latenciesMs, jwtAlgs, run: undefined },
    method: [
      'each point is an `authbench run --scenarios validate,session` with every Redis reply delayed by the added latency, through a TCP proxy in front of Redis (present at 0 too)',
      'the proxy runs in its own process and holds each reply to about 0.1-0.3 ms past the added latency (p50; bench/faults/release-clock.ts); the measured round trip per point is recorded beside the asked one',
      'crossover: where the req/s (median) of a design that validates without Redis overtakes a design that waits for Redis on every validate, linearly interpolated between two points',
    ],
    points: [],
    crossovers: [],
  };
  const sweepFile = join(outDir, 'sweep.json');
  for (const alg of jwtAlgs) {
    for (const lat of latenciesMs) {
      if (io.signal.aborted) break;
      const dir = join(outDir, `${alg}-${lat}ms`);
      // No equal-load cells: the sweep's points are closed-loop throughput (issue 14 adds latency at a fixed rate).
      const config = resolveRunConfig({ ...flags, rate: 'none', scenarios: SWEEP_SCENARIOS.join(','), redisLatency: `${lat}ms`, redisProxy: true, jwtAlg: alg, out: dir, json: undefined }, process.env);
      const result = await runBench(config, { ...io, checkpoint: async (r) => void (await writeAtomicJson(join(dir, 'result.json'), r)) });
      sweep.environment ??= result.environment;
      sweep.designs ??= result.designs;
      (sweep.config as { run: RunResult['config'] | undefined }).run ??= result.config;
      sweep.points.push({
        jwtAlg: alg,
        addedLatencyMs: lat,
        measuredRoundTripUs: result.decomposition?.parts.redisRoundTripUs ?? null,
        status: result.status,
        resultFile: join(dir, 'result.json'),
        cells: sweepCells(result),
      });
      sweep.crossovers = sweepCrossovers(sweep.points, sweep.designs);
      await writeAtomicJson(sweepFile, sweep);
    }
  }
  sweep.status = io.signal.aborted ? 'interrupted' : 'complete';
  sweep.finishedAt = new Date().toISOString();
  await writeAtomicJson(sweepFile, sweep);
  return sweep;
}
