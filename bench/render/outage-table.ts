import { outageCellsOf, type OutageCell, type RunResult } from '../result/schema.js';
import { fmtDurationMs as ms, fmtPercent } from './format.js';
import { fitTable, Footnotes, wrapProse } from './fit.js';

const pct = (n: number | null | undefined): string => fmtPercent(n, 1);

/** The design label of an outage cell: the strategy, with its failure policy when it has one. */
export function design(cell: OutageCell): string {
  return cell.policy === 'none' ? cell.strategy : `${cell.strategy} (${cell.policy})`;
}

/** Column titles of the fault-summary table. */
export const OUTAGE_HEAD: readonly string[] = ['fault', 'design', 'available during', 'detect ms', 'worst ms', 'hung >1s', 'recover ms first/sustained', 'lost', 'revoked accepted b/d/a', 'sessions lost', 'unchecked', 'rate', 'notes'];

/** The notes of one outage cell: why it did not run, revoked tokens accepted again, sessions lost, the failover. */
export function outageNotes(cell: OutageCell): string[] {
  const o = cell.outage;
  if (o === undefined) return [cell.status === 'skipped' ? `skipped: ${cell.errors.join('; ')}` : `ERRORED: ${cell.errors.join('; ')}`];
  const notes: string[] = [];
  if (o.revokedAccepted.after > 0 && o.expectRevokedRefused) notes.push('revoked tokens accepted again after the fault');
  if (o.sessionsLost > 0) notes.push(`${o.sessionsLost} valid sessions lost`);
  if (!o.expectRevokedRefused) notes.push('cannot revoke');
  const f = cell.failover;
  if (f !== undefined) {
    notes.push(f.promotedAfterMs === null ? `replica ${f.replica ?? '?'} not seen promoted` : `replica promoted ${f.promotedAfterMs} ms after the kill`);
    if (f.lastFailureAfterMs !== null) notes.push(`failures from ${f.firstFailureAfterMs ?? '?'} to ${f.lastFailureAfterMs} ms after it`);
  }
  return notes;
}

/** The cells of one row of the fault-summary table: the Markdown and HTML tables use these (the terminal splits them). */
export function outageRow(cell: OutageCell): string[] {
  const o = cell.outage;
  const notes = outageNotes(cell).join('; ');
  if (o === undefined) return [cell.fault, design(cell), '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', notes];
  const revoked = `${o.revokedAccepted.before}/${o.revokedAccepted.during}/${o.revokedAccepted.after}`;
  return [
    o.fault,
    design(cell),
    pct(o.availability),
    ms(o.timeToDetectMs),
    ms(o.worstLatencyMs),
    String(o.hungRequests),
    `${ms(o.timeToRecoverMs)} / ${ms(o.timeToSustainedMs)}`,
    `${o.lostRequests} (+${o.unknownOutcome} timed out)`,
    revoked,
    String(o.sessionsLost),
    String(o.uncheckedServed),
    cell.load === undefined ? '–' : `${cell.load.rate}/s`,
    notes,
  ];
}

/** The fault-summary table split in two for the terminal: the columns of each half, as indices into outageRow's cells. */
const TERMINAL_HALVES: readonly { readonly title: string; readonly head: readonly string[]; readonly of: readonly number[] }[] = [
  { title: 'availability and latency', head: ['fault', 'design', 'available\nduring', 'detect\nms', 'worst\nms', 'hung\n>1s', 'recover ms\nfirst / sustained', 'lost'], of: [0, 1, 2, 3, 4, 5, 6, 7] },
  { title: 'revocation, sessions and checks', head: ['fault', 'design', 'revoked accepted\nbefore/during/after', 'sessions\nlost', 'unchecked\nserved', 'rate'], of: [0, 1, 8, 9, 10, 11] },
];

/** The line under the terminal's outage tables. */
export const OUTAGE_SPLIT = 'the outage table is split in two to fit 120 columns (one table in report.md and report.html)';

/**
 * The fault-summary table, one row per fault and design; on the terminal in two tables of the same rows, each within
 * 120 columns, the notes numbered under them. Pure: a function of the result data only.
 */
export function renderOutageTable(result: RunResult): string {
  const cells = outageCellsOf(result);
  if (cells.length === 0) return '';
  const notes = new Footnotes();
  const rows = cells.map((c) => {
    const r = outageRow(c);
    r[1] = `${r[1] ?? ''}${notes.marks(outageNotes(c))}`;
    // Lost requests, with the timed-out ones (outcome unknown) only when there were any.
    if (c.outage !== undefined) r[7] = `${c.outage.lostRequests}${c.outage.unknownOutcome > 0 ? ` (+${c.outage.unknownOutcome} timed out)` : ''}`;
    return r;
  });
  const tables = TERMINAL_HALVES.map((h) => [h.title, fitTable({ head: h.head, rows: rows.map((r) => h.of.map((i) => r[i] ?? '')), wrap: [1] })].join('\n'));
  const rate = result.outageRate === undefined ? '' : ` (open loop at ${result.outageRate.rate} req/s: ${result.outageRate.source})`;
  return [wrapProse(`outage${rate}`), ...tables, ...notes.lines(), OUTAGE_SPLIT].join('\n');
}
