/**
 * `authbench report`: report.md with its SVG charts, and report.html, from one or more results. Building is a
 * function of the results only (no clock, no I/O); writing is separate.
 */
import { writeText } from '../result/write.js';
import type { RunResult } from '../result/schema.js';
import { acrossRunsCharts } from './chart-across.js';
import { costChart, latencyChart, outageCharts, throughputChart, type ChartSpec } from './chart-specs.js';
import { buildDocument, type RunSection } from './document.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { latencySweepCharts, sweepCharts } from './chart-sweep.js';
import type { SweepResult } from '../sweep/schema.js';
import { runLabels } from './model.js';
import { renderSvg, type RenderedChart } from './svg.js';

export interface Report {
  readonly markdown: string;
  readonly html: string;
  /** Every chart of the report, in the order it appears; each is `<name>.svg` beside report.md. */
  readonly charts: readonly RenderedChart[];
}

const defined = <T>(x: T | undefined): x is T => x !== undefined;

/** The charts of one result; with several results each name gets a `runN-` prefix so the files do not collide. */
function specsOf(result: RunResult, prefix: string): ChartSpec[] {
  return [throughputChart(result, `${prefix}throughput`), latencyChart(result, `${prefix}latency`), costChart(result, `${prefix}cost`), ...outageCharts(result, prefix)].filter(defined);
}

/**
 * Builds the whole report. Deterministic: the same results give the same bytes. With the sweep the results are the
 * points of, its charts are drawn against the round trip measured under load (else against the added delay).
 */
export async function buildReport(results: readonly RunResult[], options: { readonly sweep?: SweepResult } = {}): Promise<Report> {
  if (results.length === 0) throw new RangeError('buildReport needs at least one result');
  const labels = runLabels(results);
  const several = results.length > 1;
  const sections: RunSection[] = [];
  for (const [i, result] of results.entries()) {
    const prefix = several ? `run${i + 1}-` : '';
    const rendered = await Promise.all(specsOf(result, prefix).map(renderSvg));
    sections.push({ label: labels[i] as string, result, charts: new Map(rendered.map((c) => [c.name.slice(prefix.length), c])) });
  }
  const sweep = options.sweep === undefined ? latencySweepCharts(results) : sweepCharts(options.sweep);
  const across = await Promise.all([...acrossRunsCharts(results, labels), ...sweep].map(renderSvg));
  const blocks = buildDocument(sections, across);
  const charts = blocks.flatMap((b) => (b.kind === 'chart' ? [b.chart] : []));
  return { markdown: renderMarkdown(blocks), html: renderHtml(blocks), charts };
}

/** Writes report.md, report.html and one SVG per chart into dir; returns the paths written. */
export async function writeReport(report: Report, dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (const chart of report.charts) paths.push(await writeText(dir, `${chart.name}.svg`, chart.svg));
  paths.push(await writeText(dir, 'report.md', report.markdown));
  paths.push(await writeText(dir, 'report.html', report.html));
  return paths;
}
