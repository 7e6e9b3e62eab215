import Table from 'cli-table3';
import { outageCellsOf, type OutageCell, type RunResult } from '../result/schema.js';
import { fmtDurationMs as ms, fmtPercent } from './format.js';

const pct = (n: number | null | undefined): string => fmtPercent(n, 1);

/** The design label of an outage cell: the strategy, with its failure policy when it has one. */
export function design(cell: OutageCell): string {
  return cell.policy === 'none' ? cell.strategy : `${cell.strategy} (${cell.policy})`;
}

/** Column titles of the fault-summary table. */
export const OUTAGE_HEAD: readonly string[] = ['fault', 'design', 'available during', 'detect ms', 'worst ms', 'hung >1s', 'recover ms first/sustained', 'lost', 'revoked accepted b/d/a', 'sessions lost', 'unchecked', 'rate', 'notes'];

/** The cells of one row of the fault-summary table: the terminal, Markdown and HTML tables all use these. */
export function outageRow(cell: OutageCell): string[] {
  const o = cell.outage;
  if (o === undefined) {
    const why = cell.status === 'skipped' ? `skipped: ${cell.errors.join('; ')}` : `ERRORED: ${cell.errors.join('; ')}`;
    return [cell.fault, design(cell), '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', why];
  }
  const revoked = `${o.revokedAccepted.before}/${o.revokedAccepted.during}/${o.revokedAccepted.after}`;
  const notes: string[] = [];
  if (o.revokedAccepted.after > 0 && o.expectRevokedRefused) notes.push('revoked tokens accepted again after the fault');
  if (o.sessionsLost > 0) notes.push(`${o.sessionsLost} valid sessions lost`);
  if (!o.expectRevokedRefused) notes.push('cannot revoke');
  const f = cell.failover;
  if (f !== undefined) {
    notes.push(f.promotedAfterMs === null ? `replica ${f.replica ?? '?'} not seen promoted` : `replica promoted ${f.promotedAfterMs} ms after the kill`);
    if (f.lastFailureAfterMs !== null) notes.push(`failures from ${f.firstFailureAfterMs ?? '?'} to ${f.lastFailureAfterMs} ms after it`);
  }
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
    notes.join('; '),
  ];
}

/** The fault-summary table: one row per fault and design. Pure: a function of the result data only. */
export function renderOutageTable(result: RunResult): string {
  const cells = outageCellsOf(result);
  if (cells.length === 0) return '';
  const table = new Table({ head: [...OUTAGE_HEAD], style: { head: [], border: [] } });
  for (const c of cells) table.push(outageRow(c));
  const rate = result.outageRate === undefined ? '' : ` (open loop at ${result.outageRate.rate} req/s: ${result.outageRate.source})`;
  return `outage${rate}\n${table.toString()}`;
}
