/** Charts across several results of the same comparison, one per `--jwt-alg` value (or per run). Pure. */
import type { RunResult } from '../result/schema.js';
import { CONFIG, designScale, type ChartSpec } from './chart-specs.js';
import { loadCellOf, designsOf, measuredScenariosOf } from './model.js';

interface Point {
  readonly run: string;
  readonly scenario: string;
  readonly strategy: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly p99: number;
}

function points(results: readonly RunResult[], labels: readonly string[]): Point[] {
  return results.flatMap((result, i) =>
    measuredScenariosOf(result)
      .flatMap((scenario) =>
        designsOf(result).flatMap((strategy) => {
          const s = loadCellOf(result, scenario, strategy)?.summary;
          if (s === undefined || !Number.isFinite(s.requestsPerSec.median)) return [];
          const r = s.requestsPerSec;
          return [{ run: labels[i] as string, scenario, strategy, median: r.median, min: r.min, max: r.max, p99: s.latencyMs.p99 }];
        }),
      ),
  );
}

/**
 * Throughput (median, min–max) and p99 of every scenario, per design, with the runs side by side: the chart
 * that shows what the JWT algorithm changes. Undefined with fewer than two results.
 */
export function acrossRunsCharts(results: readonly RunResult[], labels: readonly string[]): ChartSpec[] {
  if (results.length < 2) return [];
  const values = points(results, labels);
  if (values.length === 0) return [];
  const designs = [...new Set(results.flatMap(designsOf))];
  const scenarios = [...new Set(values.map((v) => v.scenario))];
  const base = {
    config: CONFIG,
    data: { values },
    facet: { column: { field: 'scenario', type: 'nominal' as const, sort: scenarios, title: null } },
  };
  const encodeRun = {
    x: { field: 'run', type: 'nominal' as const, sort: [...labels], title: null, axis: { labelAngle: 0 } },
    xOffset: { field: 'strategy', type: 'nominal' as const, sort: designs },
    color: { field: 'strategy', type: 'nominal' as const, title: 'design', scale: designScale(designs) },
  };
  return [
    {
      name: 'across-throughput',
      title: 'Throughput across runs',
      caption: `Median req/s (correct answers) with the min–max range, per scenario and design, for ${labels.join(', ')}.`,
      spec: {
        ...base,
        spec: {
          width: { step: 14 },
          height: 220,
          encoding: encodeRun,
          layer: [
            { mark: 'bar', encoding: { y: { field: 'median', type: 'quantitative', title: 'req/s' } } },
            { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color: { value: 'black' } } },
          ],
        },
      },
    },
    {
      name: 'across-p99',
      title: 'p99 latency across runs',
      caption: `p99 latency in milliseconds (median over repetitions), per scenario and design, for ${labels.join(', ')}.`,
      spec: {
        ...base,
        spec: { width: { step: 14 }, height: 220, mark: 'bar', encoding: { ...encodeRun, y: { field: 'p99', type: 'quantitative', title: 'p99 ms' } } },
      },
    },
  ];
}
