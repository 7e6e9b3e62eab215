import { unitLabel, type EqualLoadCell, type RunResult } from '../result/schema.js';
import { failuresCell, fmtInt, fmtMs, fmtMsRange, limitCell, non2xx, refreshNote } from './format.js';
import { fitFirst, Footnotes, wrapProse, type TableSpec } from './fit.js';

/** Column titles of the equal-load table. */
export const EQUAL_LOAD_HEAD: readonly string[] = ['offered', 'strategy', 'answered req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'uncorrected p50/p99 ms', 'pacer lag p99 ms', 'server CPU µs/req', 'non-2xx', 'err/timeout', 'wrong', 'limit', 'notes'];

/** The title line: what the table measures and how. */
export function equalLoadTitle(result: Pick<RunResult, 'equalLoad'>): string {
  const e = result.equalLoad;
  if (e === undefined) return '';
  const base = e.slowestRps === undefined ? '' : `; shares of ${e.slowest ?? 'the slowest design'}'s closed-loop ${e.scenario} median, ${fmtInt(e.slowestRps)} req/s`;
  return `${e.scenario} at equal offered load (open loop, paced: latency from each request's intended send time, merged over repetitions, per-repetition range in brackets${base})`;
}

/** The notes of one equal-load cell: an invalid or unsustained rate, why it errored, its sessions' refreshes. */
export function equalLoadNotes(cell: EqualLoadCell): string[] {
  const s = cell.summary;
  if (s === undefined) return [cell.status === 'errored' ? `ERRORED: ${cell.errors[0] ?? ''}` : 'not measured'];
  const notes: string[] = [];
  if (!s.valid) notes.push('INVALID: generator lag');
  if (s.achievedRps.median < 0.9 * cell.offeredRps) notes.push('rate not sustained');
  if (cell.status === 'errored') notes.push(`ERRORED: ${cell.errors[0] ?? ''}`);
  const refreshes = refreshNote(s.sessions);
  if (refreshes !== undefined) notes.push(refreshes);
  return notes;
}

/** The offered rate of a cell: `50% = 4,265/s`, or `2,000/s` when it was asked for in req/s. */
const offeredOf = (cell: EqualLoadCell): string => `${cell.rateLabel === `${fmtInt(cell.offeredRps)} req/s` ? '' : `${cell.rateLabel} = `}${fmtInt(cell.offeredRps)}/s`;

/** One row of the equal-load table (Markdown and HTML; the terminal has its own, narrower). */
export function equalLoadRow(cell: EqualLoadCell): string[] {
  const s = cell.summary;
  const offered = offeredOf(cell);
  const notes = equalLoadNotes(cell);
  if (s === undefined) return [offered, unitLabel(cell), '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', notes.join('; ')];
  return [
    offered,
    unitLabel(cell),
    fmtInt(s.achievedRps.median),
    fmtMsRange(s.latencyMs.p50, s.latencySpread.p50),
    fmtMs(s.latencyMs.p90),
    fmtMsRange(s.latencyMs.p99, s.latencySpread.p99),
    fmtMs(s.latencyMs.p999),
    fmtMs(s.latencyMs.max),
    `${fmtMs(s.uncorrectedMs.p50)} / ${fmtMs(s.uncorrectedMs.p99)}`,
    fmtMs(s.pacerLagP99Ms),
    s.cost === undefined ? '–' : s.cost.serverCpuUsPerRequest.toFixed(0),
    non2xx(s.statusCounts),
    `${s.errors}/${s.timeouts}`,
    String(s.wrongAnswers),
    limitCell(s),
    notes.join('; '),
  ];
}

/** The terminal's layouts of the equal-load rows at one rate, widest first: p50 and p99 with their ranges, or alone. */
function terminalSpecs(cells: readonly EqualLoadCell[], notes: Footnotes): TableSpec[] {
  const head = ['design', 'answered req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'non-2xx, errors', 'wrong answers', 'limit'];
  const rows = (ranged: boolean): string[][] =>
    cells.map((cell) => {
      const s = cell.summary;
      const design = `${unitLabel(cell)}${notes.marks(equalLoadNotes(cell))}`;
      if (s === undefined) return [design, '–', '–', '–', '–', '–', '–', '–', '–'];
      return [
        design,
        fmtInt(s.achievedRps.median),
        ranged ? fmtMsRange(s.latencyMs.p50, s.latencySpread.p50) : fmtMs(s.latencyMs.p50),
        ranged ? fmtMsRange(s.latencyMs.p99, s.latencySpread.p99) : fmtMs(s.latencyMs.p99),
        fmtMs(s.latencyMs.p999),
        fmtMs(s.latencyMs.max),
        failuresCell(s),
        String(s.wrongAnswers),
        limitCell(s),
      ];
    });
  return [
    { head, rows: rows(true), wrap: [0], lists: [6] },
    { head, rows: rows(false), wrap: [0], lists: [6] },
  ];
}

/** The line under an equal-load table whose latency ranges were left out. */
export const LATENCY_RANGE_LEFT_OUT = 'p50 and p99 without their range over repetitions here, to fit 120 columns (result.json and its report have it)';

/**
 * The designs side by side at each offered rate, a table per rate, narrow enough for a terminal of 120 columns; ''
 * when the run had no equal-load cells. The p90, the uncorrected latency, the pacer's lag and the server CPU per
 * request are in the report and the JSON. Pure.
 */
export function renderEqualLoadTable(result: Pick<RunResult, 'equalLoad'>): string {
  const e = result.equalLoad;
  if (e === undefined) return '';
  const rates = [...new Set(e.cells.map(offeredOf))];
  const blocks = rates.map((rate) => {
    const notes = new Footnotes();
    const { table, index } = fitFirst(terminalSpecs(e.cells.filter((c) => offeredOf(c) === rate), notes));
    return [wrapProse(`offered: ${rate.replace(/\/s$/, ' req/s')}`), table, ...notes.lines(), ...(index > 0 ? [LATENCY_RANGE_LEFT_OUT] : [])].join('\n');
  });
  const notes = e.notes.map((n) => wrapProse(`note: ${n}`));
  return [wrapProse(equalLoadTitle(result)), ...blocks, ...notes].join('\n');
}
