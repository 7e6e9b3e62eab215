import Table from 'cli-table3';
import { unitLabel, type EqualLoadCell, type RunResult } from '../result/schema.js';
import { fmtInt, fmtMs, fmtMsRange, limitCell, non2xx, refreshNote } from './format.js';

/** Column titles of the equal-load table. */
export const EQUAL_LOAD_HEAD: readonly string[] = ['offered', 'strategy', 'answered req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'uncorrected p50/p99 ms', 'pacer lag p99 ms', 'server CPU µs/req', 'non-2xx', 'err/timeout', 'wrong', 'limit', 'notes'];

/** The title line: what the table measures and how. */
export function equalLoadTitle(result: Pick<RunResult, 'equalLoad'>): string {
  const e = result.equalLoad;
  if (e === undefined) return '';
  const base = e.slowestRps === undefined ? '' : `; shares of ${e.slowest ?? 'the slowest design'}'s closed-loop ${e.scenario} median, ${fmtInt(e.slowestRps)} req/s`;
  return `${e.scenario} at equal offered load (open loop, paced: latency from each request's intended send time, merged over repetitions, per-repetition range in brackets${base})`;
}

/** One row of the equal-load table (terminal, Markdown and HTML). */
export function equalLoadRow(cell: EqualLoadCell): string[] {
  const s = cell.summary;
  const offered = `${cell.rateLabel === `${fmtInt(cell.offeredRps)} req/s` ? '' : `${cell.rateLabel} = `}${fmtInt(cell.offeredRps)}/s`;
  if (s === undefined) return [offered, unitLabel(cell), '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', cell.status === 'errored' ? `ERRORED: ${cell.errors[0] ?? ''}` : 'not measured'];
  const notes: string[] = [];
  if (!s.valid) notes.push('INVALID: generator lag');
  if (s.achievedRps.median < 0.9 * cell.offeredRps) notes.push('rate not sustained');
  if (cell.status === 'errored') notes.push(`ERRORED: ${cell.errors[0] ?? ''}`);
  const refreshes = refreshNote(s.sessions);
  if (refreshes !== undefined) notes.push(refreshes);
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

/** The designs side by side at each offered rate; '' when the run had no equal-load cells. Pure. */
export function renderEqualLoadTable(result: Pick<RunResult, 'equalLoad'>): string {
  const e = result.equalLoad;
  if (e === undefined) return '';
  const table = new Table({ head: [...EQUAL_LOAD_HEAD], style: { head: [], border: [] } });
  for (const cell of e.cells) table.push(equalLoadRow(cell));
  const notes = e.notes.map((n) => `note: ${n}`);
  return [equalLoadTitle(result), ...(e.cells.length > 0 ? [table.toString()] : []), ...notes].join('\n');
}
