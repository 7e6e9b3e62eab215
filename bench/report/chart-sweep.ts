/** Charts of a round-trip sweep: several results that differ in the Redis latency added by the proxy. Pure. */
import type { RunResult } from '../result/schema.js';
import { CONFIG, designScale, type ChartSpec } from './chart-specs.js';
import { SWEEP_SCENARIOS } from '../sweep/crossover.js';
import { loadCellOf, designsOf } from './model.js';
import type { SweepResult } from '../sweep/schema.js';

/** True when the results form a sweep: at least two distinct added latencies (and the same algorithm). */
export function isLatencySweep(results: readonly RunResult[]): boolean {
  const latencies = new Set(results.map((r) => r.config.redisLatencyMs ?? 0));
  const algs = new Set(results.map((r) => r.config.jwtAlg));
  return latencies.size >= 2 && algs.size === 1;
}

interface Point {
  readonly addedMs: number;
  readonly scenario: string;
  readonly strategy: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

function points(results: readonly RunResult[]): Point[] {
  return results.flatMap((r) =>
    SWEEP_SCENARIOS.flatMap((scenario) =>
      designsOf(r).flatMap((strategy) => {
        const s = loadCellOf(r, scenario, strategy)?.summary;
        return s === undefined ? [] : [{ addedMs: r.config.redisLatencyMs ?? 0, scenario, strategy, rps: s.requestsPerSec.median, p50: s.latencyMs.p50, p99: s.latencyMs.p99 }];
      }),
    ),
  );
}

/**
 * Throughput, then p50 and p99, against the added Redis round trip, a line per design and a panel per scenario:
 * where the line of a design that validates without Redis crosses a Redis design's line is the crossover. Empty when the results are not a sweep.
 */
export function latencySweepCharts(results: readonly RunResult[]): ChartSpec[] {
  if (!isLatencySweep(results)) return [];
  const values = points(results);
  if (values.length === 0) return [];
  const designs = [...new Set(results.flatMap(designsOf))];
  const facet = { column: { field: 'scenario', type: 'nominal' as const, sort: [...SWEEP_SCENARIOS], title: null } };
  const x = { field: 'addedMs', type: 'quantitative' as const, title: 'added Redis latency (ms)' };
  const color = { field: 'strategy', type: 'nominal' as const, title: 'design', scale: designScale(designs) };
  return [
    {
      name: 'sweep-throughput',
      title: 'Throughput against the added Redis round trip',
      caption: 'Median req/s (correct answers) per design at each added Redis latency; where the line of a design that validates without Redis crosses that of a Redis design is the crossover.',
      spec: { config: CONFIG, data: { values }, facet, spec: { width: 260, height: 200, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'rps', type: 'quantitative', title: 'req/s' }, color } } },
    },
    {
      name: 'sweep-latency',
      title: 'p50 and p99 latency against the added Redis round trip',
      caption: 'p50 (dashed) and p99 (solid) latency in milliseconds per design at each added Redis latency.',
      spec: {
        config: CONFIG,
        data: { values },
        transform: [{ fold: ['p50', 'p99'], as: ['percentile', 'ms'] }],
        facet,
        spec: {
          width: 260,
          height: 200,
          mark: { type: 'line', point: true },
          encoding: { x, y: { field: 'ms', type: 'quantitative', title: 'latency (ms)' }, color, strokeDash: { field: 'percentile', type: 'nominal', sort: ['p99', 'p50'] }, detail: { field: 'percentile' } },
        },
      },
    },
  ];
}

interface SweepRow {
  readonly scenario: string;
  readonly strategy: string;
  readonly measure: 'closed-loop req/s' | 'p99 at the fixed rate (ms)';
  /** Measured round trip under load, ms. */
  readonly x: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function sweepRows(sweep: SweepResult): SweepRow[] {
  const alg = sweep.config.jwtAlgs[0];
  const points = sweep.points.filter((p) => p.jwtAlg === alg && p.roundTripMs !== null);
  const xs = points.map((p) => (p.roundTripMs as { p50: number }).p50);
  const ends = xs.length === 0 ? [] : [Math.min(...xs), Math.max(...xs)];
  const rows: SweepRow[] = [];
  for (const p of points) {
    const x = (p.roundTripMs as { p50: number }).p50;
    for (const c of p.cells) {
      // A pooled design is drawn once, flat, below.
      if (sweep.pooled.some((q) => q.jwtAlg === alg && q.scenario === c.scenario && q.strategy === c.strategy)) continue;
      if (c.closedLoop !== null) rows.push({ scenario: c.scenario, strategy: c.strategy, measure: 'closed-loop req/s', x, ...c.closedLoop.requestsPerSec });
      if (c.equalLoad !== null) rows.push({ scenario: c.scenario, strategy: c.strategy, measure: 'p99 at the fixed rate (ms)', x, ...c.equalLoad.p99 });
    }
  }
  for (const q of sweep.pooled.filter((x) => x.jwtAlg === alg)) {
    for (const x of ends) {
      if (q.closedLoopRps.n > 0) rows.push({ scenario: q.scenario, strategy: q.strategy, measure: 'closed-loop req/s', x, median: q.closedLoopRps.median, min: q.closedLoopRps.min, max: q.closedLoopRps.max });
      if (q.p99Ms.n > 0) rows.push({ scenario: q.scenario, strategy: q.strategy, measure: 'p99 at the fixed rate (ms)', x, median: q.p99Ms.median, min: q.p99Ms.min, max: q.p99Ms.max });
    }
  }
  return rows;
}

/**
 * The charts of a sweep (its first algorithm): closed-loop req/s and p99 at the fixed open-loop rate against the Redis
 * round trip measured under load, a line per design (median, min–max over repetitions as bars); a design that never
 * waits for Redis is one flat pooled line across the range, its min–max at both ends. Empty without a measured point.
 */
export function sweepCharts(sweep: SweepResult): ChartSpec[] {
  const values = sweepRows(sweep);
  if (values.length === 0) return [];
  const designs = [...new Set(values.map((v) => v.strategy))];
  const color = { field: 'strategy', type: 'nominal' as const, title: 'design', scale: designScale(designs) };
  const x = { field: 'x', type: 'quantitative' as const, title: 'Redis round trip measured under load (ms)' };
  const chart = (name: string, title: string, caption: string, measure: SweepRow['measure']): ChartSpec => ({
    name,
    title,
    caption,
    spec: {
      config: CONFIG,
      data: { values: values.filter((v) => v.measure === measure) },
      facet: { column: { field: 'scenario', type: 'nominal' as const, sort: [...SWEEP_SCENARIOS], title: null } },
      spec: {
        width: 260,
        height: 200,
        layer: [
          { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'median', type: 'quantitative', title: measure }, color } },
          { mark: { type: 'rule' }, encoding: { x, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color } },
        ],
      },
    },
  });
  return [
    chart(
      'sweep-throughput',
      'Throughput against the Redis round trip measured under load',
      'Closed-loop req/s (correct answers; median, min–max over repetitions) per design at each point, x = the round trip through the proxy measured during the load. A design that never waits for Redis is pooled over every point: one flat line. Where it crosses a Redis design is the throughput crossover (it depends on --connections).',
      'closed-loop req/s',
    ),
    chart(
      'sweep-latency',
      'p99 at a fixed open-loop rate against the Redis round trip measured under load',
      'p99 latency (ms, from each request\'s intended send time) at the same offered rate for every design and point; median and min–max of the repetitions\' p99s. A design that never waits for Redis is pooled: one flat line.',
      'p99 at the fixed rate (ms)',
    ),
  ];
}
