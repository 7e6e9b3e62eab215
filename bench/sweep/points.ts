/** What a sweep keeps of each run, and what it derives from its points: pooled local designs, crossovers. Pure. */
import { spread } from '../../lib/stats.js';
import type { JwtAlg } from '../../servers/config.js';
import { mergeRepetitions } from '../measure/histogram.js';
import { measuredCellsOf, type DesignRecord, type EqualLoadCell, type EqualLoadResult, type RunResult } from '../result/schema.js';
import { offeredRateLabel, type OfferedRate, type RunConfig } from '../run/config.js';
import { crossoverInterval, crossoverOfMedians, SWEEP_MEASURES, SWEEP_SCENARIOS, type SeriesPoint, type SweepMeasure } from './crossover.js';
import type { PointRoundTrip, SweepCell, SweepCrossover, SweepPoint, SweepPooled, SweepRate } from './schema.js';

const equalLoadPartsOf = (result: Pick<RunResult, 'equalLoad' | 'equalLoadMore'>): EqualLoadResult[] => [...(result.equalLoad === undefined ? [] : [result.equalLoad]), ...(result.equalLoadMore ?? [])];

function equalLoadCellOf(result: RunResult, scenario: string, strategy: string): EqualLoadCell | undefined {
  return equalLoadPartsOf(result)
    .find((p) => p.scenario === scenario)
    ?.cells.find((c) => c.strategy === strategy);
}

/** Whether the design's traits say it waits for Redis on a validate request. */
export const waitsForRedis = (designs: Readonly<Record<string, DesignRecord>>, strategy: string): boolean => (designs[strategy]?.traits.storeCommandsPerValidate ?? 0) > 0;

/** The figures of one design on one scenario at one point. */
export function sweepCellsOf(result: RunResult): SweepCell[] {
  return measuredCellsOf(result)
    .filter((c) => (SWEEP_SCENARIOS as readonly string[]).includes(c.scenario))
    .map((c): SweepCell => {
      const rps = c.repetitions.flatMap((r) => (r.status === 'ok' && r.requestsPerSec !== undefined ? [r.requestsPerSec] : []));
      const e = equalLoadCellOf(result, c.scenario, c.strategy);
      const ok = (e?.repetitions ?? []).filter((r) => r.status === 'ok' && r.latencyMs !== undefined);
      const p99s = ok.map((r) => (r.latencyMs as { p99: number }).p99);
      const s = e?.summary;
      return {
        scenario: c.scenario,
        strategy: c.strategy,
        status: c.status === 'ok' && (e === undefined || e.status === 'ok') ? 'ok' : c.status !== 'ok' ? c.status : e?.status ?? 'ok',
        closedLoop: c.summary === undefined || rps.length === 0 ? null : { requestsPerSec: c.summary.requestsPerSec, perRepetition: rps, latencyMs: { p50: c.summary.latencyMs.p50, p99: c.summary.latencyMs.p99 } },
        equalLoad:
          e === undefined || s === undefined
            ? null
            : {
                offeredRps: e.offeredRps,
                achievedRps: s.achievedRps,
                latencyMs: { p50: s.latencyMs.p50, p99: s.latencyMs.p99 },
                p99: spread(p99s),
                p99PerRepetition: p99s,
                valid: s.valid,
                wrongAnswers: s.wrongAnswers,
                errors: s.errors,
                serverCpuUsPerRequest: s.cost?.serverCpuUsPerRequest ?? null,
                redisCpuUsPerRequest: s.cost?.redisCpuUsPerRequest ?? null,
                roundTripMs: s.redisRoundTrip === undefined ? null : { p50: s.redisRoundTrip.latencyMs.p50, p99: s.redisRoundTrip.latencyMs.p99 },
              },
      };
    });
}

/**
 * The round trip through the proxy under load at one point: the probe's histograms of every equal-load repetition
 * of the designs that wait for Redis (of all designs when none does), merged; undefined when none was probed.
 */
export function pointRoundTrip(result: RunResult): PointRoundTrip | undefined {
  const cells = equalLoadPartsOf(result).flatMap((p) => p.cells);
  const redisCells = cells.filter((c) => waitsForRedis(result.designs, c.strategy));
  const reps = (redisCells.length > 0 ? redisCells : cells).flatMap((c) =>
    c.repetitions.flatMap((r) => (r.status === 'ok' && r.redisRoundTripHistogram !== undefined && r.redisRoundTripMs !== undefined ? [{ histogram: r.redisRoundTripHistogram, figures: r.redisRoundTripMs }] : [])),
  );
  const merged = mergeRepetitions(reps);
  if (merged === undefined) return undefined;
  return { p50: merged.latencyMs.p50, p90: merged.latencyMs.p90, p99: merged.latencyMs.p99, p50Range: merged.latencySpread.p50, repetitions: reps.length };
}

/** A point of the sweep from its run. */
export function sweepPointOf(result: RunResult, jwtAlg: JwtAlg, addedLatencyMs: number, resultFile: string): SweepPoint {
  const idle = result.redisRoundTrip?.proxiedMs;
  return {
    jwtAlg,
    addedLatencyMs,
    roundTripMs: pointRoundTrip(result) ?? null,
    idleRoundTripMs: idle === undefined ? null : { p50: idle.p50, p99: idle.p99 },
    status: result.status,
    resultFile,
    cells: sweepCellsOf(result),
  };
}

/**
 * The fixed rate of each scenario, from the run at the highest added latency (whose equal-load cells resolved the
 * asked share of its own slowest design's closed-loop req/s), or as given in req/s. A scenario whose rate could not
 * be resolved is left out (its equal-load cells do not run at the other points).
 */
export function fixedRatesOf(result: RunResult, asked: OfferedRate, jwtAlg: JwtAlg, addedLatencyMs: number): SweepRate[] {
  return SWEEP_SCENARIOS.flatMap((scenario): SweepRate[] => {
    if ('rps' in asked) return [{ jwtAlg, scenario, rps: asked.rps, source: `given (--rate ${asked.rps})` }];
    const part = equalLoadPartsOf(result).find((p) => p.scenario === scenario);
    const rps = part?.cells[0]?.offeredRps;
    if (part === undefined || rps === undefined || part.slowestRps === undefined) return [];
    const source = `${offeredRateLabel(asked)} of the slowest design's closed-loop ${scenario} req/s at the highest added latency, +${addedLatencyMs} ms (${part.slowest ?? '?'}: ${Math.round(part.slowestRps)} req/s)`;
    return [{ jwtAlg, scenario, rps, source }];
  });
}

/** One value per repetition of a cell: closed-loop req/s, or the p99 (ms) at the fixed rate. */
function valuesOf(cell: SweepCell | undefined, measure: SweepMeasure): readonly number[] {
  if (cell === undefined) return [];
  return measure === 'throughput' ? cell.closedLoop?.perRepetition ?? [] : cell.equalLoad?.p99PerRepetition ?? [];
}

const cellAt = (p: SweepPoint, scenario: string, strategy: string): SweepCell | undefined => p.cells.find((c) => c.scenario === scenario && c.strategy === strategy);

/** The pooled values of a design over every point of an algorithm (Redis latency cannot move a design that never waits for it). */
export function pooledValues(points: readonly SweepPoint[], scenario: string, strategy: string, measure: SweepMeasure): number[] {
  return points.flatMap((p) => valuesOf(cellAt(p, scenario, strategy), measure));
}

/** A Redis design's series: at each point with a measured round trip, its repetitions. */
export function seriesOf(points: readonly SweepPoint[], scenario: string, strategy: string, measure: SweepMeasure): SeriesPoint[] {
  return points.flatMap((p) => (p.roundTripMs === null ? [] : [{ x: p.roundTripMs.p50, values: valuesOf(cellAt(p, scenario, strategy), measure) }])).filter((s) => s.values.length > 0);
}

function designsByKind(points: readonly SweepPoint[], designs: Readonly<Record<string, DesignRecord>>): { redis: string[]; local: string[] } {
  const names = [...new Set(points.flatMap((p) => p.cells.map((c) => c.strategy)))];
  return { redis: names.filter((d) => waitsForRedis(designs, d)), local: names.filter((d) => designs[d]?.traits.storeCommandsPerValidate === 0) };
}

/** Each local design's pooled repetitions, per algorithm and scenario. */
export function sweepPooled(points: readonly SweepPoint[], designs: Readonly<Record<string, DesignRecord>>): SweepPooled[] {
  const { local } = designsByKind(points, designs);
  return [...new Set(points.map((p) => p.jwtAlg))].flatMap((jwtAlg) => {
    const mine = points.filter((p) => p.jwtAlg === jwtAlg);
    return SWEEP_SCENARIOS.flatMap((scenario) =>
      local.map((strategy) => {
        const rps = pooledValues(mine, scenario, strategy, 'throughput');
        const p99 = pooledValues(mine, scenario, strategy, 'p99');
        return { jwtAlg, scenario, strategy, closedLoopRps: { ...spread(rps), n: rps.length }, p99Ms: { ...spread(p99), n: p99.length } };
      }),
    );
  });
}

/**
 * The crossover of each local design (pooled) with each Redis design, per algorithm, scenario and measure
 * (closed-loop throughput, p99 at the fixed rate), against the round trip measured under load, with its bootstrap
 * interval. `resamples` is for tests.
 */
export function sweepCrossovers(points: readonly SweepPoint[], designs: Readonly<Record<string, DesignRecord>>, resamples?: number): SweepCrossover[] {
  const { redis, local } = designsByKind(points, designs);
  const out: SweepCrossover[] = [];
  for (const jwtAlg of [...new Set(points.map((p) => p.jwtAlg))]) {
    const mine = points.filter((p) => p.jwtAlg === jwtAlg);
    for (const scenario of SWEEP_SCENARIOS) {
      for (const measure of SWEEP_MEASURES) {
        for (const redisDesign of redis) {
          for (const localDesign of local) {
            const series = seriesOf(mine, scenario, redisDesign, measure);
            const pooled = pooledValues(mine, scenario, localDesign, measure);
            const interval = crossoverInterval(series, pooled, measure, { seed: `${jwtAlg}/${scenario}/${measure}/${redisDesign}/${localDesign}`, ...(resamples === undefined ? {} : { resamples }) });
            out.push({ jwtAlg, scenario, measure, redisDesign, localDesign, ...crossoverOfMedians(series, pooled, measure), ...(interval === undefined ? {} : { interval }) });
          }
        }
      }
    }
  }
  return out;
}

/** The highest added latency first (it fixes the rate when the rate is a share), then the others ascending. Pure. */
export function pointOrder(latenciesMs: readonly number[]): number[] {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const highest = sorted.pop();
  return highest === undefined ? [] : [highest, ...sorted];
}

/** The equal-load parts of a point: the asked rate until the rates are fixed, then each scenario's fixed rate. Pure. */
export function partsFor(asked: OfferedRate, fixed: readonly SweepRate[] | undefined): NonNullable<RunConfig['equalLoadParts']> {
  return SWEEP_SCENARIOS.map((scenario) => {
    if (fixed === undefined) return { scenario, rates: [asked] };
    const r = fixed.find((x) => x.scenario === scenario);
    return { scenario, rates: r === undefined ? [] : [{ rps: r.rps }] };
  });
}
