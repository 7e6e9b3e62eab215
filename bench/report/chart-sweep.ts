/** Charts of a round-trip sweep: several results that differ in the Redis latency added by the proxy. Pure. */
import type { RunResult } from '../result/schema.js';
import { CONFIG, designScale, type ChartSpec } from './chart-specs.js';
import { SWEEP_SCENARIOS } from '../sweep/crossover.js';
import { loadCellOf, designsOf } from './model.js';

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
