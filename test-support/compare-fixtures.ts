import type { Environment } from '../bench/run/environment.js';
import type { LoadMeasurement } from '../bench/load/autocannon.js';
import { SCHEMA_VERSION, type LoadCell, type Repetition, type RunResult } from '../bench/result/schema.js';
import { resolveRunConfig, type RunConfig, type RunFlags } from '../bench/run/config.js';
import { designOf } from '../servers/designs/index.js';

/** Hand-built run results for the comparison tests: every figure chosen by the test, nothing measured. */

export const STRATEGIES = ['jwt', 'jwt-blacklist', 'redis-token'] as const;
export const SCENARIOS = ['validate', 'login'] as const;

export interface FakeRun {
  /** req/s of repetition `rep` of a cell; the ceiling is scenario 'ceiling'. */
  rps(scenario: string, strategy: string, rep: number, workers: number): number;
  /** p99 ms of repetition `rep` (default 4). */
  p99?(scenario: string, strategy: string, rep: number): number;
  repeat?: number;
  flags?: RunFlags;
  environment?: Partial<Environment>;
  /** Repetitions to record as errored, as `scenario|strategy|rep`. */
  errored?: readonly string[];
}

const environment: Environment = {
  date: '2026-11-29T12:00:00.000Z',
  node: 'v20.20.2',
  platform: 'Linux 6.18.44',
  arch: 'x64',
  cpuModel: 'AMD EPYC',
  cpuCount: 2,
  totalMemoryMiB: 24106,
  loadAverage: [0.5, 0.5, 0.5],
  redisVersion: '7.0.15',
  redisSource: 'binary',
  packages: { fastify: '5.12.8' },
  authbenchVersion: '0.1.0',
  gitCommit: '0123456789abcdef',
  gitDirty: false,
} as Environment;

function measurement(rps: number, p99: number): LoadMeasurement {
  return {
    durationSec: 1,
    sent: rps,
    responses: rps,
    statusCounts: { '200': rps },
    errors: 0,
    timeouts: 0,
    resets: 0,
    latencyMs: { p50: p99 / 2, p90: p99, p99, p999: p99, max: p99, mean: p99 / 2 },
    latencyCorrected: false,
    loadGenerator: { cpuPerSec: 0.3, saturated: false },
  };
}

/** A complete run with the CI settings (and `flags`), the ceiling and SCENARIOS × STRATEGIES. */
export function fakeRun(spec: FakeRun): RunResult {
  // The three designs of the article unless the spec names others: the gate's fixtures were written for them.
  const config: RunConfig = resolveRunConfig({ scenarios: SCENARIOS.join(','), strategies: 'jwt,jwt-blacklist,redis-token', duration: '1', warmup: '0', repeat: String(spec.repeat ?? 5), connections: '10', jwtAlg: 'HS256', ...spec.flags }, {});
  const cells: LoadCell[] = [];
  for (const scenario of ['ceiling', ...config.scenarios]) {
    for (const [strategy, workers] of config.strategies.flatMap((s) => config.workers.map((w) => [s, w] as const))) {
      const repetitions: Repetition[] = [];
      for (let rep = 0; rep < config.repeat; rep++) {
        if (spec.errored?.includes(`${scenario}|${strategy}|${rep}`)) {
          repetitions.push({ index: rep, position: 0, status: 'errored', error: 'server jwt exited (signal SIGKILL)' });
          continue;
        }
        const rps = spec.rps(scenario, strategy, rep, workers);
        repetitions.push({ index: rep, position: 0, status: 'ok', measurement: measurement(rps, spec.p99?.(scenario, strategy, rep) ?? 4), requestsPerSec: rps, correct: rps, wrongAnswers: 0 });
      }
      const errored = repetitions.some((r) => r.status === 'errored');
      cells.push({ kind: scenario === 'ceiling' ? 'ceiling' : 'load', scenario, strategy, ...(config.workers.length > 1 ? { workers } : {}), status: errored ? 'errored' : 'ok', repetitions, errors: errored ? ['repetition failed'] : [] });
    }
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: 'authbench',
    kind: 'run',
    startedAt: '2026-11-29T12:00:00.000Z',
    finishedAt: '2026-11-29T12:01:15.000Z',
    status: 'complete',
    environment: { ...environment, ...spec.environment },
    config,
    designs: Object.fromEntries(config.strategies.map((d) => [d, { summary: designOf(d).summary, traits: designOf(d).traits }])),
    method: ['hand-built for a test'],
    ceiling: {},
    cells,
  };
}

/** Deterministic noise in [-amplitude, +amplitude] that differs per cell, repetition and `salt`. */
export function noise(amplitude: number, ...parts: (string | number)[]): number {
  let h = 2166136261;
  for (const ch of parts.join('|')) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return (((h >>> 0) % 2001) / 1000 - 1) * amplitude;
}

/** Throughputs of a steady machine: ceiling 40k, validate 20% of it, login 30%. */
export const steady = (scenario: string, _strategy: string, _rep: number): number => 40_000 * (scenario === 'ceiling' ? 1 : scenario === 'validate' ? 0.2 : 0.3);
