import type { ChartSpec } from './chart-specs.js';

/** A chart rendered: the spec's name and texts, and the SVG markup. */
export interface RenderedChart extends Omit<ChartSpec, 'spec'> {
  readonly svg: string;
}

/**
 * Gives every element id of one SVG the chart's name as a prefix and numbers them in order of appearance.
 * Vega numbers clip paths and gradients with counters that live as long as the process, so without this the
 * same result would render differently the second time, and several SVGs inlined in one HTML page would
 * share ids (a clip path of one chart clipping another).
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) {
    const id = m[1] as string;
    if (!ids.has(id)) ids.set(id, `${prefix}-${ids.size + 1}`);
  }
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (_, a: string, id: string, b: string) => `${a}${ids.get(id) ?? id}${b}`)
    .replace(/url\(#([^)]+)\)/g, (whole, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : whole))
    .replace(/(href=")#([^"]+)(")/g, (whole, a: string, id: string, b: string) => (ids.has(id) ? `${a}#${ids.get(id)}${b}` : whole));
}

/**
 * vega and vega-lite, imported when the first chart is drawn: they take about half a second to load, which every
 * process of the CLI paid at start (each server a run or a test starts is one) when they were imported at the top.
 */
async function chartLibraries(): Promise<{ View: typeof import('vega').View; parse: typeof import('vega').parse; compile: typeof import('vega-lite').compile }> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  return { View: vega.View, parse: vega.parse, compile: vegaLite.compile };
}

/**
 * Renders a Vega-Lite spec to SVG markup, headless (no canvas, no DOM, no network: the data is inline).
 * Deterministic: the same spec gives the same string.
 */
export async function renderSvg(chart: ChartSpec): Promise<RenderedChart> {
  const { View, parse, compile } = await chartLibraries();
  const { spec, ...rest } = chart;
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return { ...rest, svg: scopeSvgIds(svg, chart.name) };
  } finally {
    view.finalize();
  }
}
