/**
 * The report as a list of blocks (headings, paragraphs, lists, tables, charts), built from the results alone;
 * markdown.ts and html.ts only typeset it, so both formats say exactly the same. Pure.
 */
import { COST_HEAD, COST_TITLE, costRow } from '../render/cost-table.js';
import { EQUAL_LOAD_HEAD, equalLoadRow, equalLoadTitle } from '../render/equal-load-table.js';
import { decompositionTable } from '../render/decomposition-table.js';
import { OUTAGE_HEAD, outageRow } from '../render/outage-table.js';
import { PROPAGATION_HEAD, propagationRow, propagationTitle } from '../render/propagation-table.js';
import { fmtInt, fmtMs, fmtPercent, fmtUs } from '../render/format.js';
import { countsRevoked, renderHeader, scenarioHead, scenarioRow } from '../render/tables.js';
import { loadCellsOf, measuredCellsOf, scenarioLoadModel, unitLabel, type RunResult } from '../result/schema.js';
import { caveats, configRows } from './method-section.js';
import { loadCellOf, designsOf, loadScenariosOf, outageCellsOf } from './model.js';
import type { RenderedChart } from './svg.js';
import { NOT_MEASURED, computeVerdict } from './findings.js';

export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: string }
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | { readonly kind: 'table'; readonly caption: string; readonly head: readonly string[]; readonly rows: readonly (readonly string[])[] }
  | { readonly kind: 'chart'; readonly chart: RenderedChart };

/** One result with its label and rendered charts, keyed by chart name without the run prefix. */
export interface RunSection {
  readonly label: string;
  readonly result: RunResult;
  readonly charts: ReadonlyMap<string, RenderedChart>;
}

const chartBlocks = (charts: readonly (RenderedChart | undefined)[]): Block[] => charts.flatMap((c) => (c === undefined ? [] : [{ kind: 'chart' as const, chart: c }]));

function methodBlocks(result: RunResult, h: 2 | 3): Block[] {
  const [title, machine, software] = renderHeader(result).split('\n');
  return [
    { kind: 'heading', level: h, text: 'Method and environment' },
    { kind: 'list', items: [title, machine, software].filter((l): l is string => l !== undefined) },
    { kind: 'paragraph', text: 'Method, as the run recorded it:' },
    { kind: 'list', items: result.method },
    { kind: 'table', caption: 'Options of the run', head: ['option', 'value'], rows: configRows(result) },
    { kind: 'heading', level: h, text: 'What these numbers do not mean' },
    { kind: 'list', items: caveats(result) },
  ];
}

function tableBlocks(section: RunSection, h: 2 | 3): Block[] {
  const { result } = section;
  const blocks: Block[] = [{ kind: 'heading', level: h, text: result.importedFrom === 'artillery' ? `Scenarios: ${scenarioLoadModel(result)}` : 'Scenarios: throughput (closed loop)' }];
  for (const scenario of loadScenariosOf(result)) {
    const cells = loadCellsOf(result).filter((c) => c.scenario === scenario);
    const withRevoked = countsRevoked(cells);
    const rows = cells.map((c) => scenarioRow(c, withRevoked));
    blocks.push({ kind: 'table', caption: scenario, head: scenarioHead(withRevoked), rows });
  }
  const equal = result.equalLoad;
  if (equal !== undefined) {
    blocks.push({ kind: 'heading', level: h, text: 'Latency at equal offered load' });
    if (equal.cells.length > 0) blocks.push({ kind: 'table', caption: equalLoadTitle(result), head: EQUAL_LOAD_HEAD, rows: equal.cells.map(equalLoadRow) });
    for (const note of equal.notes) blocks.push({ kind: 'paragraph', text: note });
  }
  const costRows = loadCellsOf(result).map(costRow).filter((r): r is string[] => r !== undefined);
  blocks.push({ kind: 'heading', level: h, text: 'Cost per request' });
  if (costRows.length === 0) blocks.push({ kind: 'paragraph', text: `Redis commands, CPU and state per request: ${NOT_MEASURED} (its cells have no summary.cost).` });
  else blocks.push({ kind: 'table', caption: COST_TITLE, head: COST_HEAD, rows: costRows });
  const decomposition = decompositionTable(result);
  if (decomposition !== undefined) blocks.push({ kind: 'table', caption: decomposition.title, head: decomposition.head, rows: decomposition.rows });
  const outage = outageCellsOf(result);
  if (outage.length > 0) {
    const rate = result.outageRate === undefined ? '' : ` (open loop at ${result.outageRate.rate} req/s: ${result.outageRate.source})`;
    blocks.push({ kind: 'heading', level: h, text: 'Outages' });
    blocks.push({ kind: 'table', caption: `outage${rate}`, head: OUTAGE_HEAD, rows: outage.map(outageRow) });
  }
  const propagation = result.propagation ?? [];
  if (propagation.length > 0) {
    blocks.push({ kind: 'heading', level: h, text: 'Revocation across servers' });
    blocks.push({ kind: 'table', caption: propagationTitle(result), head: PROPAGATION_HEAD, rows: propagation.map((c) => propagationRow(c, result.designs[c.strategy]?.traits.revocation ?? '?')) });
  }
  return blocks;
}

/** Every chart of a run, under one heading, right after the verdict: throughput, latency, cost, then each outage. */
function chartsSection(section: RunSection, h: 2 | 3): Block[] {
  const { charts } = section;
  const outage = [...charts.entries()].filter(([k]) => k.startsWith('outage-')).map(([, c]) => c);
  const blocks = chartBlocks([charts.get('throughput'), charts.get('latency'), charts.get('cost'), ...outage]);
  return blocks.length === 0 ? [] : [{ kind: 'heading', level: h, text: 'Charts' }, ...blocks];
}

/**
 * When the run measured a JWT design with several libraries: each library's figures per scenario side by side, and
 * the ratio to the run's first library (the one the verdict below uses).
 */
function jwtLibraryBlocks(result: RunResult, h: 2 | 3): Block[] {
  const cells = measuredCellsOf(result).filter((c) => c.jwtImpl !== undefined && c.summary !== undefined);
  if (cells.length === 0) return [];
  const first = result.config.jwtImpls[0];
  const rows = cells.map((c) => {
    const s = c.summary as NonNullable<typeof c.summary>;
    const base = cells.find((b) => b.scenario === c.scenario && b.strategy === c.strategy && b.jwtImpl === first && (b.workers ?? 1) === (c.workers ?? 1))?.summary;
    const cpu = s.cost?.serverCpuUsPerRequest;
    const baseCpu = base?.cost?.serverCpuUsPerRequest;
    return [
      c.scenario,
      unitLabel(c),
      fmtInt(s.requestsPerSec.median),
      fmtPercent(s.ceilingFraction),
      fmtUs(cpu),
      base === undefined || c.jwtImpl === first ? '–' : `${fmtPercent(s.requestsPerSec.median / base.requestsPerSec.median)} req/s, ${cpu === undefined || baseCpu === undefined ? '–' : fmtPercent(cpu / baseCpu)} CPU`,
    ];
  });
  return [
    { kind: 'heading', level: h, text: 'JWT libraries' },
    {
      kind: 'paragraph',
      text: `Each design that verifies JWTs ran once per library (${result.config.jwtImpls.join(', ')}), every check the same. The verdict below uses ${first ?? 'the first'}; these rows say how much the library moves each figure.`,
    },
    { kind: 'table', caption: `JWT designs per library: req/s, × ceiling, server CPU per request, and against ${first ?? 'the first library'}`, head: ['scenario', 'design (library)', 'req/s', '× ceiling', 'server CPU µs/req', `vs ${first ?? 'first'}`], rows },
  ];
}

function verdictBlocks(result: RunResult, h: 2 | 3): Block[] {
  const v = computeVerdict(result);
  const library = result.config.jwtImpls?.length > 1 ? ` (the JWT designs with ${result.config.jwtImpls[0]})` : '';
  return [
    { kind: 'heading', level: h, text: 'Verdict on this run' },
    {
      kind: 'table',
      caption: `Each trade-off, the measured evidence per design${library}, and the design that wins it on this run (computed from the result by the rules below)`,
      head: ['trade-off', ...v.designs, 'wins on this run'],
      rows: v.rows.map((r) => [r.title, ...v.designs.map((d) => r.evidence[d] ?? NOT_MEASURED), r.winner]),
    },
    { kind: 'paragraph', text: 'How each row is decided:' },
    { kind: 'list', items: v.rows.map((r) => `${r.title}: ${r.rule}.`) },
  ];
}

function acrossBlocks(sections: readonly RunSection[], across: readonly RenderedChart[]): Block[] {
  const designs = [...new Set(sections.flatMap((s) => designsOf(s.result)))];
  const rows = sections.map(({ label, result }) => [
    label,
    ...designs.map((d) => {
      const s = loadCellOf(result, 'validate', d)?.summary;
      return s === undefined ? '–' : `${fmtInt(s.requestsPerSec.median)} req/s, p99 ${fmtMs(s.latencyMs.p99)} ms`;
    }),
  ]);
  return [
    { kind: 'heading', level: 2, text: 'Across runs' },
    { kind: 'table', caption: 'validate per run: median req/s and p99', head: ['run', ...designs], rows },
    ...chartBlocks(across),
  ];
}

/** The whole report: an overview, then per run its method, caveats, tables, charts and verdict; then the runs side by side. */
export function buildDocument(sections: readonly RunSection[], across: readonly RenderedChart[]): Block[] {
  const several = sections.length > 1;
  const overview = sections.map(({ label, result }) => {
    const e = result.environment;
    return `${label}: ${result.startedAt}, status ${result.status}, git ${e.gitCommit.slice(0, 10)}${e.gitDirty ? ' (dirty)' : ''}, ${result.cells.length} cells`;
  });
  const designs = [...new Set(sections.flatMap(({ result }) => designsOf(result)))];
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `authbench report: ${designs.join(' vs ')}` },
    { kind: 'paragraph', text: several ? `${sections.length} runs, each in its own section, then side by side:` : 'One run:' },
    { kind: 'list', items: overview },
  ];
  const h = several ? 3 : 2;
  for (const section of sections) {
    if (several) blocks.push({ kind: 'heading', level: 2, text: `Run ${section.label}` });
    // The answer first (the verdict, then the charts), the figures next, and how they were measured last.
    blocks.push(...verdictBlocks(section.result, h), ...chartsSection(section, h), ...tableBlocks(section, h), ...jwtLibraryBlocks(section.result, h), ...methodBlocks(section.result, h));
  }
  if (several) blocks.push(...acrossBlocks(sections, across));
  return blocks;
}
