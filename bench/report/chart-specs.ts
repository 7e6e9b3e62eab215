/**
 * The report's charts as Vega-Lite specifications: pure functions of the result data (the data goes inline
 * into each spec). svg.ts turns them into SVG.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunResult } from '../result/schema.js';
import { loadCellOf, costOf, decompositionOf, designsOf, faultWindowOf, faultsOf, loadScenariosOf, measuredScenariosOf, outageCellsOf } from './model.js';
import { design as outageDesign } from '../render/outage-table.js';

export interface ChartSpec {
  /** File name stem, unique within one report (also the prefix of the SVG's element ids). */
  readonly name: string;
  readonly title: string;
  /** What the chart shows, for the caption and the text alternative. */
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

const FONT = 'Helvetica, Arial, sans-serif';
/** Same look for every chart; fonts the reader's machine already has (nothing is fetched). */
export const CONFIG = {
  font: FONT,
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' as const },
};

/**
 * Response classes of the outage timeline, with fixed colours: green answered, magenta a revoked token accepted (the
 * security failure the chart exists to show, never to be read as health), amber refused, red failed.
 */
export const RESPONSE_CLASSES = [
  ['2xx', '#4c9a2a'],
  ['2xx for a revoked token', '#d01c8b'],
  ['401', '#e0a526'],
  ['503', '#d62728'],
  ['other status', '#9467bd'],
  ['error or timeout', '#333333'],
] as const;

/** One colour per design, the same in every chart of a report. */
export function designScale(designs: readonly string[]): { domain: string[]; range: string[] } {
  const palette = ['#4c78a8', '#f58518', '#54a24b', '#b279a2', '#e45756', '#72b7b2'];
  return { domain: [...designs], range: designs.map((_, i) => palette[i % palette.length] as string) };
}

/** Median req/s per scenario and design, with the min–max range over repetitions as an error bar. */
export function throughputChart(result: RunResult, name = 'throughput'): ChartSpec | undefined {
  const designs = designsOf(result);
  const values = loadScenariosOf(result).flatMap((scenario) =>
    designs.flatMap((strategy) => {
      const r = loadCellOf(result, scenario, strategy)?.summary?.requestsPerSec;
      return r === undefined || !Number.isFinite(r.median) ? [] : [{ scenario, strategy, median: r.median, min: r.min, max: r.max }];
    }),
  );
  if (values.length === 0) return undefined;
  const x = { field: 'scenario', type: 'nominal', sort: null, title: null, axis: { labelAngle: 0 } } as const;
  return {
    name,
    title: 'Throughput per scenario and design',
    caption: 'Correct responses per second: the bar is the median over repetitions, the line the min–max range.',
    spec: {
      config: CONFIG,
      width: { step: 24 },
      height: 260,
      data: { values },
      encoding: { x, xOffset: { field: 'strategy', type: 'nominal', sort: designs }, color: { field: 'strategy', type: 'nominal', title: 'design', scale: designScale(designs) } },
      layer: [
        { mark: 'bar', encoding: { y: { field: 'median', type: 'quantitative', title: 'req/s (correct answers)' } } },
        { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color: { value: 'black' } } },
      ],
    },
  };
}

/** The x of a percentile on the HdrHistogram-style axis: 1 / (1 - p). */
export const percentileX = (p: number): number => 1 / (1 - p);

/**
 * Latency by percentile, a line per design and a panel per scenario; the percentile axis is 1/(1-p) on a log
 * scale, as HdrHistogram plots it. The max is placed at p = 1 - 1/responses (the slowest of n responses).
 */
export function latencyChart(result: RunResult, name = 'latency'): ChartSpec | undefined {
  const designs = designsOf(result);
  const values = loadScenariosOf(result).flatMap((scenario) =>
    designs.flatMap((strategy) => {
      const s = loadCellOf(result, scenario, strategy)?.summary;
      if (s === undefined) return [];
      const l = s.latencyMs;
      const maxX = Math.max(percentileX(0.999) * 10, s.responses);
      return [
        { p: '50%', x: percentileX(0.5), ms: l.p50 },
        { p: '90%', x: percentileX(0.9), ms: l.p90 },
        { p: '99%', x: percentileX(0.99), ms: l.p99 },
        { p: '99.9%', x: percentileX(0.999), ms: l.p999 },
        { p: 'max', x: maxX, ms: l.max },
      ]
        .filter((v) => Number.isFinite(v.ms))
        .map((v) => ({ scenario, strategy, ...v }));
    }),
  );
  if (values.length === 0) return undefined;
  const ticks = [2, 10, 100, 1000, 10000, 100000, 1000000];
  return {
    name,
    title: 'Latency by percentile',
    caption: 'Milliseconds at p50, p90, p99, p99.9 and the max, per design; the percentile axis is logarithmic in 1/(1−p).',
    spec: {
      config: CONFIG,
      data: { values },
      facet: { field: 'scenario', type: 'nominal', sort: loadScenariosOf(result), title: null },
      columns: 3,
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 260,
        height: 160,
        mark: { type: 'line', point: true },
        encoding: {
          x: {
            field: 'x',
            type: 'quantitative',
            title: 'percentile',
            scale: { type: 'log', domain: [2, Math.max(...values.map((v) => v.x))] },
            axis: { values: ticks, labelOverlap: false, labelFontSize: 10, labelExpr: "datum.value >= 1e4 ? format(100 - 100 / datum.value, '.4~f') + '%' : format(100 - 100 / datum.value, '~f') + '%'" },
          },
          y: { field: 'ms', type: 'quantitative', title: 'ms' },
          color: { field: 'strategy', type: 'nominal', title: 'design', scale: designScale(designs) },
          tooltip: [{ field: 'strategy' }, { field: 'p' }, { field: 'ms' }],
        },
      },
    },
  };
}

/** One chart per fault: responses by class per 250 ms bucket, stacked, a panel per design, the fault shaded. */
export function outageCharts(result: RunResult, prefix = ''): ChartSpec[] {
  return faultsOf(result).flatMap((fault) => {
    const cells = outageCellsOf(result).filter((c) => c.fault === fault && c.outage !== undefined);
    const designs = cells.map(outageDesign);
    const values = cells.flatMap((cell) => {
      const d = outageDesign(cell);
      const timeline = cell.outage?.timeline ?? [];
      const w = faultWindowOf(timeline);
      const counts = timeline.flatMap((b) =>
        ([
          ['2xx', b.ok2xx - (b.revoked2xx ?? 0)],
          ['2xx for a revoked token', b.revoked2xx ?? 0],
          ['401', b.unauthorized401],
          ['503', b.unavailable503],
          ['other status', b.other],
          ['error or timeout', b.errors],
        ] as const).map(([cls, n], order) => ({ kind: 'bucket', design: d, start: b.startMs / 1000, end: b.endMs / 1000, cls, n, order })),
      );
      return w === undefined ? counts : [...counts, { kind: 'fault', design: d, start: w.startMs / 1000, end: w.endMs / 1000, cls: 'fault', n: 0, order: 0 }];
    });
    if (values.length === 0) return [];
    return [
      {
        name: `${prefix}outage-${fault}`,
        title: `Outage timeline: ${fault}`,
        caption: `Responses per 250 ms by class, before, during and after the ${fault} fault (shaded: the buckets that overlap the fault), a panel per design.`,
        spec: {
          config: CONFIG,
          data: { values },
          facet: { field: 'design', type: 'nominal', sort: designs, title: null, header: { labelAnchor: 'start', labelFontWeight: 'bold' } },
          columns: 1,
          spec: {
            width: 520,
            height: 90,
            layer: [
              {
                transform: [{ filter: "datum.kind === 'bucket'" }],
                mark: { type: 'bar', binSpacing: 0 },
                encoding: {
                  x: { field: 'start', type: 'quantitative', bin: { binned: true }, title: 'seconds since the load started' },
                  x2: { field: 'end' },
                  y: { field: 'n', type: 'quantitative', stack: 'zero', title: 'responses' },
                  color: { field: 'cls', type: 'nominal', title: 'response', scale: { domain: RESPONSE_CLASSES.map((c) => c[0]), range: RESPONSE_CLASSES.map((c) => c[1]) } },
                  order: { field: 'order', type: 'quantitative' },
                },
              },
              {
                transform: [{ filter: "datum.kind === 'fault'" }],
                mark: { type: 'rect', color: '#000', opacity: 0.13 },
                encoding: { x: { field: 'start', type: 'quantitative' }, x2: { field: 'end' } },
              },
            ],
          },
          resolve: { scale: { y: 'independent' } },
        },
      },
    ];
  });
}

/**
 * Where a request's time goes, as stacked bars: the validate decomposition when the run measured one, else the
 * CPU per request of the server and of Redis (summary.cost) per scenario; undefined when the run has neither.
 */
export function costChart(result: RunResult, name = 'cost'): ChartSpec | undefined {
  const designs = designsOf(result);
  const decomposition = decompositionOf(result);
  if (decomposition.length > 0) {
    const values = decomposition.flatMap(({ strategy, parts }) => parts.map((p, i) => ({ strategy, part: p.part, us: p.us, order: i })));
    return {
      name,
      title: 'Validate: where the time goes',
      caption: "Microseconds of server time per validate request, by part, per design: the run's decomposition (the framework from GET /health, the crypto and the Redis command from micro-benchmarks, the rest what is left; a negative rest is left out).",
      spec: {
        config: CONFIG,
        width: 300,
        height: 240,
        data: { values },
        mark: 'bar',
        encoding: {
          x: { field: 'strategy', type: 'nominal', sort: designs, title: null, axis: { labelAngle: 0 } },
          y: { field: 'us', type: 'quantitative', stack: 'zero', title: 'µs per request' },
          color: { field: 'part', type: 'nominal', title: 'part', scale: { domain: [...new Set(values.map((v) => v.part))] }, legend: { labelLimit: 280 } },
          order: { field: 'order', type: 'quantitative' },
        },
      },
    };
  }
  const values = measuredScenariosOf(result)
    .flatMap((scenario) =>
      designs.flatMap((strategy) => {
        const c = costOf(loadCellOf(result, scenario, strategy));
        if (c?.serverCpuUsPerRequest === undefined || c.redisCpuUsPerRequest === undefined) return [];
        return [
          { scenario, strategy, part: 'server CPU', us: c.serverCpuUsPerRequest, order: 0 },
          { scenario, strategy, part: 'Redis CPU', us: c.redisCpuUsPerRequest, order: 1 },
        ];
      }),
    );
  if (values.length === 0) return undefined;
  return {
    name,
    title: 'CPU per request: server and Redis',
    caption: 'Microseconds of CPU per request, the server process and Redis stacked, per design and scenario (summary.cost, medians over repetitions).',
    spec: {
      config: CONFIG,
      data: { values },
      facet: { column: { field: 'scenario', type: 'nominal', sort: loadScenariosOf(result), title: null } },
      spec: {
        width: { step: 34 },
        height: 220,
        mark: 'bar',
        encoding: {
          x: { field: 'strategy', type: 'nominal', sort: designs, title: null, axis: { labelAngle: -40 } },
          y: { field: 'us', type: 'quantitative', stack: 'zero', title: 'CPU µs per request' },
          color: { field: 'part', type: 'nominal', title: 'part', scale: { domain: ['server CPU', 'Redis CPU'], range: ['#4c78a8', '#d62728'] } },
          order: { field: 'order', type: 'quantitative' },
        },
      },
    },
  };
}
